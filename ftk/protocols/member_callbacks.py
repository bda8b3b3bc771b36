"""The callbacks of one member run: guard, protocol callbacks, event log, checkpoint, extras."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import keras
import numpy as np

from ftk.callbacks import DivergenceGuard, PredictionRecorder
from ftk.protocols.base import MemberRun
from ftk.protocols.ticket_committer import TicketCommitter
from ftk.run_dir import CHECKPOINT, EventLog, RunCheckpoint
from ftk.run_dir.commands import resume_command
from ftk.run_dir.paths import EVENTS, PREDICTIONS, TENSORBOARD, TICKETS, member_folder
from ftk.run_dir.tensorboard_summaries import SparsitySummaries


def member_callbacks(
    recipe,
    protocol,
    path: Path,
    run: MemberRun,
    epoch_offset: int,
    committer: TicketCommitter,
    state_fn: Callable[[int], dict],
    on_event: Callable[[dict], None] | None,
    record_inputs: Callable[[], np.ndarray],
    home: Path | None = None,
) -> list[keras.callbacks.Callback]:
    """Returns the callbacks of `run`'s `fit`.

    The divergence guard comes first, so no callback sees a diverged epoch;
    the protocol's callbacks announce phases, topology updates and tickets
    to the committer, which commits the tickets and passes everything on to
    the event log; the checkpoint writes the model and `state_fn(epochs)`.
    The events, checkpoint and state go to `home` (default: the run folder
    `path`; `members/member_<i>` for a member run trained on its own).
    """
    home = path if home is None else home
    optional = []
    if recipe.run.tensorboard:
        summaries = SparsitySummaries(path / TENSORBOARD, run.index)
        optional += [keras.callbacks.TensorBoard(member_folder(path / TENSORBOARD, run.index)), summaries]
        on_event = _both(summaries, on_event)
    protocol_callbacks = protocol.callbacks(recipe, run, path / TICKETS)
    committer.watch(protocol_callbacks)
    log = EventLog(path, sources=[committer], member=run.index, epoch_offset=epoch_offset,
                   on_event=on_event, events=home / EVENTS, phase_label=protocol.phase_label)
    checkpoint = RunCheckpoint(
        home / CHECKPOINT.parent, state_fn, every=recipe.run.checkpoint_every,
        on_saved=lambda state: log.emit("checkpoint", member=run.index, epoch=state["epoch"],
                                        path=log.relative(home / CHECKPOINT)),
    )
    guard = DivergenceGuard(
        where=f"member run {run.index}",
        hint=f"The last good checkpoint is kept: lower the learning rate and continue, e.g. with "
             f"`{resume_command(home, overrides=_lower_rates(recipe, protocol))}`.",
    )
    if recipe.run.record_every:
        optional.append(PredictionRecorder(
            record_inputs(), member_folder(path / PREDICTIONS, run.index).with_suffix(".npz"),
            every=recipe.run.record_every,
        ))
    return [guard, *protocol_callbacks, log, checkpoint, *optional]


def _lower_rates(recipe, protocol) -> list[str]:
    """`--set` overrides of the protocol's learning rates at a tenth of their value."""
    return [f"{field}={value / 10:.3g}" for field, value in protocol.learning_rate_fields(recipe).items()]


def _both(first: Callable[[dict], None], second: Callable[[dict], None] | None) -> Callable[[dict], None]:
    if second is None:
        return first

    def both(event: dict) -> None:
        first(event)
        second(event)

    return both
