"""`ftk export RUN_DIR`: the run's ensemble as one Keras model (and a SavedModel)."""

from __future__ import annotations

import argparse


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser(
        "export", help="write a run's ensemble as one servable Keras model (and a SavedModel)",
        description="Writes the run's tickets as one Keras model whose output is the members' "
                    "mean probability. 'plain' storage (default) has standard Keras layers only "
                    "and loads without ftk; 'packed' is about density times smaller but needs "
                    "`import ftk` to load.",
    )
    parser.add_argument("run_dir", help="a run directory written by `ftk run`")
    parser.add_argument("--out", help="the .keras file (default: RUN_DIR/ensemble.keras)")
    parser.add_argument("--storage", choices=("plain", "packed"), default="plain",
                        help="plain: loads with Keras alone (default); packed: as small as the tickets")
    parser.add_argument("--saved-model", metavar="DIR",
                        help="also export a TensorFlow SavedModel to DIR, for TF Serving")
    parser.set_defaults(handler=command)


def command(args: argparse.Namespace) -> int:
    from rich.console import Console

    from ftk.ensemble.file_sizes import format_bytes
    from ftk.evaluation.export import export_ensemble

    result = export_ensemble(args.run_dir, args.out, storage=args.storage, saved_model=args.saved_model)
    console = Console()
    loads = "keras.saving.load_model, no ftk needed" if result.storage == "plain" else "needs `import ftk`"
    console.print(f"Wrote {result.keras_file} ({format_bytes(result.keras_bytes)}, "
                  f"{result.members} members, {result.storage}: {loads})")
    if result.saved_model is not None:
        console.print(f"Wrote SavedModel {result.saved_model} ({format_bytes(result.saved_model_bytes)}): "
                      "served = tf.saved_model.load(path); served.serve(images)")
    return 0
