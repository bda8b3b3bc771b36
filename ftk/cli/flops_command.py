"""`ftk flops RECIPE`: training and inference FLOPs of every protocol, vs dense.

By default (the paper's convention) each protocol is costed as its own shipped
recipe for the same model and data defines it, relative to the dense recipe's
budget; `--as-long` costs every protocol with RECIPE's settings, relative to one
dense model trained as long. See `ftk.cli.flops_report`.
"""

from __future__ import annotations

import argparse


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser(
        "flops",
        help="training/inference FLOPs and parameters of each protocol",
        description=(
            "Training and inference FLOPs and active weights of every protocol. By default, "
            "the paper's convention: each protocol as its own shipped recipe with RECIPE's "
            "model and data defines it (epochs, members, DST settings, fine-tune epochs), "
            "relative to the dense recipe's training budget (dense = 1.0x); RECIPE stands "
            "for its own protocol, and protocols without such a recipe use RECIPE's "
            "settings (marked)."
        ),
    )
    parser.add_argument("recipe", help="a recipe file or the name of a shipped recipe")
    parser.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE")
    parser.add_argument(
        "--as-long", action="store_true",
        help="every protocol with RECIPE's epochs and settings, relative to one dense model "
             "trained as long",
    )
    parser.set_defaults(handler=command)


def command(args: argparse.Namespace) -> int:
    from rich.console import Console
    from rich.table import Table

    from ftk.cli.flops_report import protocol_costs
    from ftk.cli.wrapping import print_wrapped
    from ftk.recipes import find_recipe, load_recipe

    recipe = load_recipe(find_recipe(args.recipe), args.overrides)
    from ftk.cli.flops_report import FALLBACK_MARK

    rows, notes = protocol_costs(recipe, as_long=args.as_long)
    convention = "every protocol as long as this recipe" if args.as_long else "each protocol's own recipe"
    table = Table(
        title=f"{recipe.name}: {recipe.model.name} on {recipe.data.name}",
        caption=f"x vs dense: {convention}",
    )
    # The protocol wraps between its name and marks; numbers never wrap.
    table.add_column("protocol", min_width=len(max(rows, key=len, default="")), overflow="fold")
    for column in ("train FLOPs", "x", "infer FLOPs", "x", "active", "x"):
        table.add_column(column, justify="right", no_wrap=True)
    for name, row in rows.items():
        c = row.cost
        marker = (" *" if name == recipe.protocol else "") + (f" {FALLBACK_MARK}" if row.fallback else "")
        table.add_row(
            name + marker, f"{c.train_flops:.2e}", f"{c.train_flops_ratio:.2f}",
            f"{c.inference_flops:.2e}", f"{c.inference_flops_ratio:.2f}",
            f"{c.nonzero_params:.3g}", f"{c.params_ratio:.2f}",
        )
    console = Console()
    console.print(table)
    print_wrapped(console, ["* the recipe's own protocol", *notes], style="dim")
    return 0
