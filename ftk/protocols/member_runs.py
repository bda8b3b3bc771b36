"""Members trained on their own (`ftk run --member/--parallel`) and their ensemble's summary."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Sequence
from pathlib import Path

import keras
import tensorflow as tf

from ftk.protocols import get_protocol, run_directory
from ftk.protocols.run_loop import RunLoop
from ftk.protocols.run_result import RunResult
from ftk.recipes import Recipe
from ftk.run_dir import STATE, RunDirectoryError, RunState, load_keras_file, ticket_path
from ftk.run_dir.commands import resume_command
from ftk.run_dir.paths import member_home
from ftk.run_dir.state import committed_ticket_paths, file_problem
from ftk.sparse.counts import Counts


def check_members(recipe: Recipe, members: Sequence[int]) -> None:
    """Checks that `members` can be trained on their own; before anything is created.

    Raises:
        ValueError: for a protocol whose tickets all come from one run (EDST),
            or a member index out of range.
    """
    protocol = get_protocol(recipe.protocol)
    if protocol.single_run:
        raise ValueError(
            f"Protocol {recipe.protocol!r} ({protocol.title}) makes all its tickets in one run, "
            "so its members cannot be trained on their own: drop --member/--parallel."
        )
    count = len(protocol.member_runs(recipe))
    wrong = [m for m in members if not 0 <= m < count]
    if wrong:
        raise ValueError(
            f"No member {', '.join(map(str, wrong))}: the recipe has {count} member run"
            f"{'s' if count != 1 else ''} (--member 0 to {count - 1})."
        )


def run_members(
    recipe: Recipe,
    members: Sequence[int],
    run_dir: str | os.PathLike | None = None,
    *,
    resume: bool = False,
    callbacks: Sequence[keras.callbacks.Callback] = (),
    on_event: Callable[[dict], None] | None = None,
) -> RunResult:
    """Trains the member runs `members` of `recipe`, one after the other, into a shared folder.

    Each member keeps its events, state and checkpoint in `members/member_<i>/`
    and writes only its own ticket `tickets/ticket_<i>.keras`, so other
    processes may train the other members into the same folder at once. The
    first creates the folder; the others accept it when it holds the same
    recipe. A member trains exactly as in a sequential run (same seed, same
    ticket). With `resume=True` each member continues from its checkpoint; a
    member whose ticket is committed is left alone (`finished_before`).

    Raises:
        ValueError: for EDST, a member out of range, or another recipe in the folder.
        FileExistsError: without `resume`, for a member already started.
    """
    check_members(recipe, members)
    if resume:
        if run_dir is None:
            raise ValueError("Resuming a member needs its run folder.")
        path, recipe, changed = run_directory.reopen(run_dir, recipe)
        if (path / STATE).is_file():
            raise ValueError(
                f"'{path}' holds a run trained without --member (it has {STATE}); continue it "
                f"with `{resume_command(path)}`, without --member."
            )
    else:
        path, changed = run_directory.join(recipe, run_dir), []
        for index in members:
            if member_home(path, index).exists():
                raise FileExistsError(
                    f"Member {index} of '{path}' was already started. Continue it with "
                    f"`{resume_command(path, members=[index])}`."
                )
    if recipe.run.deterministic:
        tf.config.experimental.enable_op_determinism()
    result, data, done = None, None, []
    for index in dict.fromkeys(members):  # each once, in the order given
        home = member_home(path, index)
        state = RunState.read(home) if resume and (home / STATE).is_file() else RunState(member=index)
        if resume and _committed(path, index, state):
            done.append(index)
            continue
        runner = RunLoop(recipe, path, list(callbacks), on_event, home=home, only=index, data=data)
        try:
            result = runner.run(state, resume and (home / STATE).is_file(), changed)
        except Exception:
            if not runner.committed:
                run_directory.discard_member(path, index)
            raise
        data = runner.data
    if result is None:  # every member was finished already
        tickets = committed_ticket_paths(path)
        return RunResult(path, tickets, [], {}, finished_before=tuple(done))
    return dataclasses.replace(result, finished_before=tuple(done))


def _committed(path: Path, index: int, state: RunState) -> bool:
    """Whether member `index`'s ticket is committed and intact."""
    record = state.tickets.get(index)
    return record is not None and file_problem(ticket_path(path, index), record) is None


def summarize_run(recipe: Recipe, run_dir: str | os.PathLike,
                  on_event: Callable[[dict], None] | None = None) -> RunResult:
    """The ensemble summary of a run trained member by member, once all are done.

    Evaluates every committed ticket and the ensemble on the test split, as
    the end of a sequential run does, and appends the `run_end` event with
    the summary to the run's `events.jsonl`.

    Raises:
        RunDirectoryError: if a member's ticket is not committed, or a
            committed ticket is missing or changed.
    """
    path = Path(run_dir)
    protocol = get_protocol(recipe.protocol)
    count = protocol.ticket_count(recipe)
    tickets = committed_ticket_paths(path)
    missing = sorted(set(range(count)) - {int(p.stem.split("_")[-1]) for p in tickets})
    if missing:
        raise RunDirectoryError(
            f"Run '{path}': member{'s' if len(missing) > 1 else ''} {', '.join(map(str, missing))} "
            f"{'have' if len(missing) > 1 else 'has'} no committed ticket yet."
        )
    runner = RunLoop(recipe, path, [], on_event)
    runner.load_data()
    models = []
    for ticket_file in tickets:
        index = int(ticket_file.stem.split("_")[-1])
        ticket = load_keras_file(ticket_file, f"ticket {index}")
        runner.board.add(index, ticket, runner.ensemble_members([ticket]))
        models.append(ticket)
    runner.counts = Counts.of(models[-1])
    return runner.finish(tickets)
