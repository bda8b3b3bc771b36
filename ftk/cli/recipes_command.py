"""`ftk recipes`: the recipes shipped with ftk."""

from __future__ import annotations

import argparse


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser("recipes", help="list the shipped recipes")
    parser.set_defaults(handler=command)


def command(args: argparse.Namespace) -> int:
    from rich.console import Console
    from rich.table import Table

    from ftk.recipes import load_recipe, shipped_recipes

    table = Table(title="Shipped recipes (ftk run NAME or ftk run recipes/NAME.yaml)")
    table.add_column("name", no_wrap=True)
    for column in ("protocol", "model", "data", "epochs", "description"):
        table.add_column(column)
    for name, path in sorted(shipped_recipes().items()):
        r = load_recipe(path)
        table.add_row(name, r.protocol, r.model.name, r.data.name, str(r.training.epochs), r.description)
    Console().print(table)
    return 0
