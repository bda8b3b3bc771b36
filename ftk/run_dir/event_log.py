"""`EventLog`: the run's events as JSON lines, for `ftk-tui` and `ftk eval`."""

from __future__ import annotations

import json
import math
import os
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import keras
import numpy as np

from ftk.run_dir import events
from ftk.run_dir.chief import is_chief
from ftk.run_dir.events import SCHEMA_VERSION, PhaseStart, TicketSaved
from ftk.run_dir.paths import EVENTS
from ftk.sparse.sparse_weight import current_density
from ftk.sparse.topology import TopologyUpdate


class EventLog(keras.callbacks.Callback):
    """Appends training events to `events.jsonl`, one flushed line per event.

    Writes `epoch_end` itself, and whatever its `sources` announce: the
    `topology_update` events of `DynamicSparsity`, the `phase_start` and
    `ticket_saved` events of `EDST` and `PruneAndFinetune` (any object with
    `add_listener(listener)` can be a source). `emit()` writes any other
    event (`run_start`, `checkpoint`, `run_end`). Only the chief process
    writes. The format is `docs/run_directory.md`; every line is strict
    JSON (a non-finite number is written as `null`).

    Args:
        run_dir: the run folder; events go to `run_dir/events.jsonl`.
        sources: callbacks whose announcements to log, e.g. `[dst, edst]`.
        member: index of the member run, recorded in each event. Defaults to `0`.
        epoch_offset: epochs done before this `fit` in earlier member runs, for
            `global_epoch`. Defaults to `0`.
        on_event: called with every event written (e.g. a progress display).
        events: the events file. Defaults to `run_dir/events.jsonl`; a member
            run trained on its own writes `members/member_<i>/events.jsonl`.
        phase_label: `phase_label(phase, index, of)`, the `label` of each
            `phase_start` event: the protocol's own (`Protocol.phase_label`).
            Defaults to `ftk.run_dir.events.phase_label` (`"refinement 2/3"`).

    Example:

    ```python
    log = ftk.callbacks.EventLog("runs/mine", sources=[dst])
    model.fit(train_ds, epochs=10, callbacks=[dst, log])
    ```
    """

    def __init__(
        self,
        run_dir: str | os.PathLike,
        sources: Sequence = (),
        member: int = 0,
        epoch_offset: int = 0,
        on_event: Callable[[dict], None] | None = None,
        events: str | os.PathLike | None = None,
        phase_label: Callable[[str, int, int], str] = events.phase_label,
    ):
        super().__init__()
        self.run_dir = Path(run_dir)
        self.path = Path(events) if events is not None else self.run_dir / EVENTS
        self.member = member
        self.epoch_offset = epoch_offset
        self.on_event = on_event
        self.phase_label = phase_label
        self._epoch = 0
        for source in sources:
            source.add_listener(self._on_announcement)

    def emit(self, type: str, **fields) -> None:
        """Appends one event of `type` with `fields`."""
        self.write({"type": type, **fields})

    def write(self, event: dict) -> None:
        """Appends `event` (a dict with its `type`), stamped with the schema and time."""
        if self.model is not None and not is_chief(self.model.distribute_strategy):
            return
        event = {"schema": SCHEMA_VERSION, "t": time.time(), **event}
        self.path.parent.mkdir(parents=True, exist_ok=True)
        line = json.dumps(_strict(event), default=_plain, allow_nan=False) + "\n"
        with open(self.path, "a+b") as file:
            if file.tell() and (file.seek(-1, os.SEEK_END), file.read(1))[1] != b"\n":
                line = "\n" + line  # end the partial line a killed writer left
            file.write(line.encode("utf-8"))
            file.flush()
        if self.on_event:
            self.on_event({key: value for key, value in event.items() if key not in ("schema", "t")})

    def relative(self, path: str | os.PathLike) -> str:
        """`path` relative to the run folder (as events record it)."""
        path = Path(path)
        return str(path.relative_to(self.run_dir)) if path.is_relative_to(self.run_dir) else str(path)

    # Keras hooks.

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch, self._started = epoch, time.perf_counter()
        # The rate of the epoch's first step: a schedule read at the epoch's end
        # would already give the next epoch's rate.
        self._lr = float(keras.ops.convert_to_numpy(self.model.optimizer.learning_rate))

    def on_epoch_end(self, epoch, logs=None):
        self.emit(
            "epoch_end",
            member=self.member,
            epoch=epoch + 1,
            global_epoch=self.epoch_offset + epoch + 1,
            step=self._step(),
            lr=self._lr,
            density=current_density(self.model),
            metrics={k: float(v) for k, v in (logs or {}).items() if _is_number(v)},
            seconds=time.perf_counter() - self._started,
        )

    # Announcements of the sources.

    def _on_announcement(self, announcement) -> None:
        if isinstance(announcement, TopologyUpdate):
            self.write(events.topology_update(announcement, self.member, self._epoch))
        elif isinstance(announcement, PhaseStart):
            a = announcement
            self.write(events.phase_start(a, self.member, self.phase_label(a.phase, a.index, a.of)))
        elif isinstance(announcement, TicketSaved):
            self.write(events.ticket_saved(announcement, self.member, self.relative(announcement.path),
                                           current_density(self.model)))
            if announcement.ensemble is not None:
                self.write(events.ensemble_eval(**announcement.ensemble))

    def _step(self) -> int:
        return int(self.model.optimizer.iterations.numpy())


def _is_number(value) -> bool:
    try:
        float(value)
        return True
    except (TypeError, ValueError):
        return False


def _strict(value):
    """`value` with NumPy scalars made plain and non-finite floats made `null` (strict JSON)."""
    if isinstance(value, dict):
        return {key: _strict(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_strict(item) for item in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _plain(value):
    """JSON fallback for NumPy scalars and paths."""
    if hasattr(value, "item"):
        return value.item()
    return str(value)
