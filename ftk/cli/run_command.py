"""`ftk run RECIPE`: train a recipe's protocol into a run directory."""

from __future__ import annotations

import argparse
import signal
from pathlib import Path


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser("run", help="train a recipe (writes runs/<name>/)")
    parser.add_argument("recipe", help="a recipe file or the name of a shipped recipe")
    parser.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                        help="override a field, e.g. --set ensemble.members=5 (repeatable)")
    parser.add_argument("--run-dir", help="the run folder (default: <run.root>/<name>)")
    parser.add_argument("--resume", metavar="RUN_DIR", help="continue an interrupted run")
    parser.add_argument("--tui", action="store_true", help="train and watch the run in ftk-tui")
    parser.set_defaults(handler=command)


def command(args: argparse.Namespace) -> int:
    from rich.console import Console
    from rich.table import Table

    from ftk.cli.progress import RichProgress
    from ftk.cli.recipe_models import build_recipe_model
    from ftk.protocols.runner import run_recipe
    from ftk.recipes import find_recipe, load_recipe

    file = find_recipe(args.recipe)
    recipe = load_recipe(file, args.overrides)
    if not args.resume:  # the checks of `ftk validate`, before anything is created
        build_recipe_model(recipe, str(file))
    _interrupt_on_sigterm()
    console = Console()
    if args.tui:
        from ftk.cli.watch import train_and_watch

        run_dir = Path(args.resume or args.run_dir or Path(recipe.run.root) / recipe.name)
        if not args.resume and run_dir.exists() and any(run_dir.iterdir()):
            raise FileExistsError(f"Run directory '{run_dir}' already exists. Use --resume {run_dir}.")
        argv = [args.recipe, *(f"--set={o}" for o in args.overrides), "--run-dir", str(run_dir)]
        return train_and_watch(argv + (["--resume", str(run_dir)] if args.resume else []), run_dir, console)
    progress = RichProgress(Console(stderr=True))
    result = run_recipe(
        recipe, args.resume or args.run_dir, resume=bool(args.resume),
        callbacks=[progress], on_event=progress.on_event,
    )
    table = Table(title=f"{recipe.name}: test accuracy", min_width=44)
    table.add_column("model")
    table.add_column("accuracy", justify="right")
    # Members are tickets, unless a ticket stands for several (MC dropout's passes).
    unit = "ticket" if len(result.tickets) == len(result.member_accuracy) else "member"
    for index, accuracy in enumerate(result.member_accuracy):
        table.add_row(f"{unit} {index}", f"{accuracy:.4f}")
    if result.ensemble:
        e = result.ensemble
        table.add_row("[bold]ensemble[/]", f"[bold]{e['accuracy']:.4f}[/]")
        table.caption = f"ensemble NLL {e['nll']:.4f}, ECE {e['ece']:.4f}"
    console.print(table)
    if result.counts:
        console.print(f"Each ticket: {result.counts}")
    if result.file_sizes:
        console.print("Sizes on disk:\n" + "\n".join(f"  {line}" for line in result.file_sizes.describe()))
    console.print(f"Run directory: {result.run_dir}")
    return 0


def _interrupt_on_sigterm() -> None:
    """Makes SIGTERM (what job schedulers send) stop a run like Ctrl-C.

    The run then ends with a `run_end` event of status `interrupted`, and its
    last checkpoint is there to `--resume` from.
    """

    def interrupt(signum, frame):
        raise KeyboardInterrupt(f"stopped by {signal.Signals(signum).name}")

    signal.signal(signal.SIGTERM, interrupt)
