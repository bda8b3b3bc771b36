"""`ftk flops RECIPE`: training and inference FLOPs of every protocol, vs dense."""

from __future__ import annotations

import argparse


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser(
        "flops", help="training/inference FLOPs and parameters of each protocol"
    )
    parser.add_argument("recipe", help="a recipe file or the name of a shipped recipe")
    parser.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE")
    parser.set_defaults(handler=command)


def command(args: argparse.Namespace) -> int:
    from rich.console import Console
    from rich.table import Table

    from ftk.cli.flops_report import protocol_costs
    from ftk.recipes import find_recipe, load_recipe

    recipe = load_recipe(find_recipe(args.recipe), args.overrides)
    costs, notes = protocol_costs(recipe)
    table = Table(title=f"{recipe.name}: {recipe.model.name} on {recipe.data.name}")
    for column in ("protocol", "train FLOPs", "x", "infer FLOPs", "x", "active", "x"):
        table.add_column(column, justify="left" if column == "protocol" else "right", no_wrap=True)
    for name in costs:
        c = costs[name]
        marker = " *" if name == recipe.protocol else ""
        table.add_row(
            name + marker, f"{c.train_flops:.2e}", f"{c.train_flops_ratio:.2f}",
            f"{c.inference_flops:.2e}", f"{c.inference_flops_ratio:.2f}",
            f"{c.nonzero_params:.3g}", f"{c.params_ratio:.2f}",
        )
    console = Console()
    console.print(table)
    for note in ["* the recipe's own protocol", *notes]:
        console.print(f"[dim]{note}[/]")
    return 0
