"""`run_recipe`: trains a recipe's protocol into a run directory, resumably."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence

import keras
import tensorflow as tf

from ftk.protocols import get_protocol, run_directory
from ftk.protocols.member_runs import check_members, run_members, summarize_run
from ftk.protocols.run_loop import RunLoop
from ftk.protocols.run_result import RunResult
from ftk.protocols.strategy import training_strategy
from ftk.protocols.worker_run import run_as_worker
from ftk.recipes import Recipe
from ftk.run_dir import STATE, RunState
from ftk.run_dir.chief import is_chief
from ftk.run_dir.commands import resume_command
from ftk.run_dir.paths import member_homes

__all__ = ["RunResult", "check_members", "run_members", "run_recipe", "summarize_run"]


def run_recipe(
    recipe: Recipe,
    run_dir: str | os.PathLike | None = None,
    *,
    resume: bool = False,
    callbacks: Sequence[keras.callbacks.Callback] = (),
    on_event: Callable[[dict], None] | None = None,
    members: Sequence[int] | None = None,
) -> RunResult:
    """Trains every member run of `recipe` (or the given `members`) and saves its tickets.

    Writes the run directory of `docs/run_directory.md`: the resolved recipe,
    `events.jsonl`, a checkpoint every `run.checkpoint_every` epochs, the
    tickets and TensorBoard logs. With `resume=True` it continues from the
    last checkpoint and ends with the same weights, masks and tickets as an
    uninterrupted run (with `run.deterministic: true`).

    Args:
        recipe: a validated `Recipe`.
        run_dir: the run folder. Defaults to `<run.root>/<name>`; with
            `resume=True`, the folder to continue.
        resume: continue an existing run. Defaults to `False`.
        callbacks: extra Keras callbacks for every `fit` (e.g. progress bars).
        on_event: called with every event written to `events.jsonl`.
        members: train only these member runs, each into its own
            `members/member_<i>/` of the shared run folder, so several
            processes can train one ensemble at once (`ftk run --member`);
            see `run_members`. Defaults to `None`: every member, in turn.

    Returns:
        A `RunResult` with the tickets and test accuracies (for `members`:
        of every ticket committed so far, by any process).
    """
    if members is not None:
        return run_members(recipe, members, run_dir, resume=resume, callbacks=callbacks,
                           on_event=on_event)
    if recipe.run.strategy == "multi_worker" and not is_chief(training_strategy("multi_worker")):
        return run_as_worker(_run_in, recipe, run_dir, resume=resume, callbacks=callbacks)
    return _run_in(recipe, run_dir, resume=resume, callbacks=callbacks, on_event=on_event)


def _run_in(recipe: Recipe, run_dir, *, resume: bool, callbacks, on_event) -> RunResult:
    """`run_recipe` of every member run, in turn, into `run_dir` (one process, or a worker's copy)."""
    if resume:
        path, recipe, changed = run_directory.reopen(run_dir, recipe)
        if not (path / STATE).is_file() and member_homes(path):
            raise ValueError(
                f"'{path}' was trained member by member (it has members/member_<i>/): continue "
                f"it with `{resume_command(path, parallel=len(get_protocol(recipe.protocol).member_runs(recipe)))}`."
            )
        state = RunState.read(path)
    else:
        path, changed = run_directory.create(recipe, run_dir), []
        state = RunState()
    if recipe.run.deterministic:
        tf.config.experimental.enable_op_determinism()
    runner = RunLoop(recipe, path, list(callbacks), on_event)
    try:
        return runner.run(state, resume, changed)
    except Exception as error:
        if not resume and not runner.committed:
            run_directory.discard(path)
            if hasattr(error, "add_note"):  # Python 3.11+; `ftk` prints notes
                error.add_note(f"Nothing was trained, so the run folder '{path}' was removed; "
                               "the same command can run again.")
        raise
