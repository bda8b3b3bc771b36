"""`ftk recipes`: the recipes shipped with ftk."""

from __future__ import annotations

import argparse

_COLUMNS = ("protocol", "model", "data", "epochs")
_DESCRIPTION_WIDTH = 30  # the narrowest description column of the wide table


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser("recipes", help="list the shipped recipes")
    parser.set_defaults(handler=command)


def command(args: argparse.Namespace) -> int:
    from rich.console import Console

    from ftk.recipes import load_recipe, shipped_recipes

    console = Console()
    recipes = [(name, load_recipe(path)) for name, path in sorted(shipped_recipes().items())]
    console.print(recipe_table(recipes, console.width))
    return 0


def recipe_table(recipes: list, width: int):
    """The table of `ftk recipes`, laid out for a terminal `width` columns wide.

    Wide enough, one column per field and the description wrapped in the
    last; narrower, two columns: the name, and the fields above the
    description. Words are never split.

    Args:
        recipes: `(name, Recipe)` pairs.
        width: the terminal's width in columns.

    Returns:
        A `rich.table.Table`.
    """
    from rich.table import Table
    from rich.text import Text

    rows = [(name, r.protocol, r.model.name, r.data.name, str(r.training.epochs), r.description)
            for name, r in recipes]
    fields = [max([len(title), *(len(row[i]) for row in rows)]) for i, title in enumerate(("name", *_COLUMNS))]
    table = Table(title="Shipped recipes (ftk run NAME or ftk run recipes/NAME.yaml)")
    table.add_column("name", no_wrap=True)
    if sum(fields) + 3 * (len(fields) + 1) + 1 + _DESCRIPTION_WIDTH <= width:
        for column in _COLUMNS:
            table.add_column(column, no_wrap=True, justify="right" if column == "epochs" else "left")
        table.add_column("description", min_width=_DESCRIPTION_WIDTH, overflow="fold")
        for row in rows:
            table.add_row(*row)
        return table
    table.add_column("protocol, model on data, epochs; description", overflow="fold")
    for name, protocol, model, data, epochs, description in rows:
        cell = Text(f"{protocol}, {model} on {data}, {epochs} epochs\n")
        cell.append(description, style="dim")
        table.add_row(name, cell)
    return table
