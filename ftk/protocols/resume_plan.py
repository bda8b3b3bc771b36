"""What is left to train: the member runs (and first epochs) a run still needs."""

from __future__ import annotations

import warnings
from pathlib import Path

from ftk.protocols.base import MemberRun, Protocol
from ftk.run_dir import CHECKPOINT, STATE, RunDirectoryError, RunState, file_record, ticket_path
from ftk.run_dir.commands import rerun_command
from ftk.run_dir.state import describe_problems


def verified_state(protocol: Protocol, recipe, path: Path, state: RunState,
                   home: Path | None = None) -> RunState:
    """Checks a resumed run's state against its files; forgets tickets to train again.

    A committed ticket that is gone or changed is named and its member
    trained again; a protocol whose tickets all come from one run refuses
    instead, as does a missing or changed checkpoint.

    Args:
        home: where the state and checkpoint are: the run folder `path`
            (default), or `members/member_<i>` of a member trained on its own.

    Raises:
        RunDirectoryError: naming the file and what to do.
    """
    home = path if home is None else home
    runs = protocol.member_runs(recipe)
    if not state.ledger:  # a run of an older ftk: its ticket files are the record
        done = len(runs) if protocol.single_run else state.member
        state.tickets = {i: file_record(ticket_path(path, i))
                         for i in range(protocol.ticket_count(recipe))
                         if (i < done or protocol.single_run) and ticket_path(path, i).is_file()}
    problem = state.checkpoint_problem(home)
    if problem:
        raise RunDirectoryError(
            f"'{home / CHECKPOINT}' {problem}, but {home / STATE} resumes from it "
            f"(member {state.member}, epoch {state.epoch}). Restore the checkpoint, or start "
            f"the run again in a new folder (`{rerun_command(path)}`)."
        )
    problems = state.ticket_problems(path)
    if problems and protocol.single_run:
        raise RunDirectoryError(
            f"{describe_problems(problems)}. {protocol.title} makes all its tickets in one "
            "run, so a lost ticket can only be re-made by training again: start a new run "
            f"(`{rerun_command(path)}`)."
        )
    for index, problem in problems.items():
        warnings.warn(f"{describe_problems({index: problem})}: member {index} is trained again.",
                      stacklevel=2)
        del state.tickets[index]
    return state


def pending_runs(protocol: Protocol, runs: list[MemberRun], state: RunState) -> list[tuple[MemberRun, int]]:
    """The `(member run, first epoch)` still to train, the checkpointed one first."""
    if protocol.single_run:
        return [] if state.member >= len(runs) else [(runs[0], state.epoch)]
    pending = [run for run in runs if run.index not in state.tickets]
    # The member with a checkpoint first: training another would replace it.
    pending.sort(key=lambda run: (run.index != state.member, run.index))
    return [(run, state.epoch if run.index == state.member else 0) for run in pending]


def next_member(runs: list[MemberRun], state: RunState) -> int:
    """The first member run without a committed ticket (`len(runs)` when none)."""
    return min((run.index for run in runs if run.index not in state.tickets), default=len(runs))
