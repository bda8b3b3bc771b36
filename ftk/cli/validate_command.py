"""`ftk validate RECIPE`: check a recipe and build its model, without training."""

from __future__ import annotations

import argparse


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser("validate", help="check a recipe and build its model")
    parser.add_argument("recipe", help="a recipe file or the name of a shipped recipe")
    parser.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                        help="override a field, e.g. --set data.name=cifar100 (repeatable)")
    parser.add_argument("--no-build", dest="build", action="store_false",
                        help="check the recipe only; do not build the model")
    parser.set_defaults(handler=command)


def command(args: argparse.Namespace) -> int:
    from rich.console import Console

    from ftk.recipes import find_recipe, load_recipe

    file = find_recipe(args.recipe)
    recipe = load_recipe(file, args.overrides)
    counts = _built_model_counts(recipe, str(file)) if args.build else None
    console = Console()
    console.print(
        f"[green]ok[/] {recipe.name}: protocol {recipe.protocol}, model {recipe.model.name}, "
        f"data {recipe.data.name}, {recipe.training.epochs} epochs"
    )
    console.print(f"   {counts}" if counts else "   model not built (--no-build)")
    return 0


def _built_model_counts(recipe, source: str):
    """Builds the recipe's model as `ftk run` would (imports TensorFlow); returns its `Counts`."""
    from ftk.cli.recipe_models import build_recipe_model
    from ftk.sparse.counts import Counts

    model, _ = build_recipe_model(recipe, source)
    return Counts.of(model)
