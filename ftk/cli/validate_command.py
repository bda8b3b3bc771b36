"""`ftk validate RECIPE`: check a recipe and build its model, without training."""

from __future__ import annotations

import argparse

from rich.console import Console


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser("validate", help="check a recipe and build its model")
    parser.add_argument("recipe", help="a recipe file or the name of a shipped recipe")
    parser.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                        help="override a field, e.g. --set data.name=cifar100 (repeatable)")
    parser.set_defaults(handler=command)


def command(args: argparse.Namespace) -> int:
    from ftk.cli.recipe_models import build_recipe_model
    from ftk.recipes import find_recipe, load_recipe
    from ftk.sparse.counts import Counts

    file = find_recipe(args.recipe)
    recipe = load_recipe(file, args.overrides)
    model, _ = build_recipe_model(recipe, str(file))
    console = Console()
    console.print(
        f"[green]ok[/] {recipe.name}: protocol {recipe.protocol}, model {recipe.model.name}, "
        f"data {recipe.data.name}, {recipe.training.epochs} epochs"
    )
    console.print(f"   {Counts.of(model)}")
    return 0
