"""The `ftk` command line: a thin layer that parses arguments and calls the library."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from rich.console import Console

from ftk.cli import (
    eval_command,
    flops_command,
    recipes_command,
    run_command,
    validate_command,
)

COMMANDS = (run_command, eval_command, validate_command, recipes_command, flops_command)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ftk", description="FreeTickets for Keras: train and evaluate sparse ensembles."
    )
    parser.add_argument("--debug", action="store_true", help="show full tracebacks on errors")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for command in COMMANDS:
        command.add_parser(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Runs `ftk ARGS`; returns the exit status (0 ok, 1 error, 130 interrupted)."""
    args = build_parser().parse_args(argv)
    logging.getLogger("tensorflow").setLevel(logging.ERROR)  # retracing notices, not errors
    console = Console(stderr=True)
    try:
        return args.handler(args) or 0
    except KeyboardInterrupt:
        console.print("[yellow]Interrupted.[/] Continue with `ftk run RECIPE --resume RUN_DIR`.")
        return 130
    except Exception as error:  # one readable message, not a traceback
        if args.debug:
            raise
        console.print(f"[bold red]error:[/] {type(error).__name__}: {error}", highlight=False)
        for note in getattr(error, "__notes__", ()):
            console.print(note, highlight=False)
        console.print("[dim]Run with `ftk --debug ...` for the full traceback.[/]")
        return 1


if __name__ == "__main__":
    sys.exit(main())
