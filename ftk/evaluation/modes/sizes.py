"""`sizes` mode: bytes on disk of the tickets and of the exported ensemble, next to a dense model's."""

from __future__ import annotations

from ftk.ensemble.file_sizes import measure_file_sizes
from ftk.evaluation.context import EvalContext
from ftk.run_dir import committed_ticket_paths, load_keras_file


def run(ctx: EvalContext) -> dict:
    """Returns `FileSizes.as_dict()` of the run's tickets and of `Ensemble.to_keras` in both storages."""
    paths = committed_ticket_paths(ctx.run_dir)
    ticket = load_keras_file(paths[0], "ticket 0")
    return measure_file_sizes(paths, ticket, ctx.ensemble).as_dict()
