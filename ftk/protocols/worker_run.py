"""A non-chief worker of a multi-worker run: trains in lockstep, writes nothing into the run folder."""

from __future__ import annotations

import dataclasses
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from ftk.protocols.run_directory import run_folder
from ftk.run_dir.paths import CHECKPOINT, RECIPE, STATE, TICKETS

#: What a resumed worker copies from the chief's run folder.
_RESUME_FROM = (RECIPE, STATE, CHECKPOINT.parent, TICKETS)


def run_as_worker(run: Callable, recipe, run_dir: str | os.PathLike | None, *, resume: bool, callbacks):
    """Runs `run` (the chief's own training function) in a private folder, removed at the end.

    Every worker must make the same collective calls in the same order (the
    training steps, and the ticket board's and recorders' predictions), so a
    non-chief worker runs exactly the chief's code, only into a temporary
    folder: Keras' TensorBoard, checkpoints and tickets never touch the shared
    run folder, which only the chief writes. To resume, the worker first copies
    the chief's recipe, state, checkpoint and tickets, so every worker restores
    the same checkpoint: the run folder must be readable by all workers.

    Args:
        run: `run(recipe, folder, resume=..., callbacks=..., on_event=...)`,
            the single-process training of `ftk.protocols.runner`.
        recipe: the run's recipe.
        run_dir: the shared run folder (default: `<run.root>/<name>`).
        resume: continue the run from the chief's checkpoint.
        callbacks: extra Keras callbacks.

    Returns:
        The worker's `RunResult`, with the shared folder's paths.
    """
    shared = run_folder(recipe, run_dir)
    private = Path(tempfile.mkdtemp(prefix="ftk-worker-"))
    try:
        if resume:
            for name in _RESUME_FROM:
                source = shared / name
                if source.is_dir():
                    shutil.copytree(source, private / name, dirs_exist_ok=True)
                elif source.is_file():
                    (private / name).parent.mkdir(parents=True, exist_ok=True)
                    shutil.copy2(source, private / name)
        result = run(recipe, private, resume=resume, callbacks=callbacks, on_event=None)
        tickets = [shared / path.relative_to(private) for path in result.tickets]
        return dataclasses.replace(result, run_dir=shared, tickets=tickets)
    finally:
        shutil.rmtree(private, ignore_errors=True)
