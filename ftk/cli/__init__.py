"""The `ftk` command line: a thin layer that parses arguments and calls the library.

`ftk --help`, usage errors and the commands that need no model import neither
TensorFlow nor Keras: each command module imports what it needs inside its
command function. TensorFlow's start-up banner is hidden unless `--debug`.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from ftk.cli import (
    eval_command,
    export_command,
    flops_command,
    quiet_tensorflow,
    recipes_command,
    run_command,
    validate_command,
)

COMMANDS = (run_command, eval_command, export_command, validate_command, recipes_command, flops_command)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ftk", description="FreeTickets for Keras: train and evaluate sparse ensembles."
    )
    parser.add_argument("--debug", action="store_true",
                        help="show full tracebacks on errors, and TensorFlow's start-up log")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for command in COMMANDS:
        command.add_parser(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Runs `ftk ARGS`; returns the exit status (0 ok, 1 error, 130 interrupted)."""
    args = build_parser().parse_args(argv)
    logging.getLogger("tensorflow").setLevel(logging.ERROR)  # retracing notices, not errors
    try:
        with quiet_tensorflow.start_up_noise_hidden(enabled=not args.debug):
            return args.handler(args) or 0
    except KeyboardInterrupt:
        from ftk.cli.wrapping import print_message

        hint = getattr(args, "interrupted_hint", None)  # set by commands that can be continued
        print_message(_console(), "Interrupted.", "yellow", hint() if hint else "")
        return 130
    except Exception as error:  # one readable message, not a traceback
        if args.debug:
            raise
        from ftk.cli.wrapping import print_message, print_wrapped

        console = _console()
        print_message(console, "error:", "bold red", f"{type(error).__name__}: {error}")
        print_wrapped(console, [str(note) for note in getattr(error, "__notes__", ())])
        console.print("[dim]Run with `ftk --debug ...` for the full traceback.[/]")
        return 1


def _console():
    from rich.console import Console

    return Console(stderr=True)


if __name__ == "__main__":
    sys.exit(main())
