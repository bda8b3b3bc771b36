"""`EventLog`: the run's events as JSON lines, for `ftk-tui` and `ftk eval`."""

from __future__ import annotations

import json
import math
import os
import time
from pathlib import Path

import keras
import numpy as np

from ftk.callbacks import registry
from ftk.callbacks.dynamic_sparsity import DynamicSparsity
from ftk.callbacks.edst import EDST, PhaseStart, TicketSaved
from ftk.callbacks.prune_finetune import PruneAndFinetune
from ftk.distribution import is_chief
from ftk.sparse.sparse_weight import current_density
from ftk.sparse.topology import TopologyUpdate

SCHEMA_VERSION = 1


class EventLog(keras.callbacks.Callback):
    """Appends training events to `events.jsonl`, one flushed line per event.

    Writes `epoch_end` itself and, through their listeners, the
    `topology_update` events of `DynamicSparsity`, the `phase_start` and
    `ticket_saved` events of `EDST` and `PruneAndFinetune` in the same `fit`.
    `emit()` writes any other event (`run_start`, `checkpoint`, `run_end`).
    Only the chief process writes. The format is `docs/run_directory.md`;
    every line is strict JSON (a non-finite number is written as `null`).

    Args:
        run_dir: the run folder; events go to `run_dir/events.jsonl`.
        member: index of the member run, recorded in each event. Defaults to `0`.
        epoch_offset: epochs done before this `fit` in earlier member runs, for
            `global_epoch`. Defaults to `0`.

    Example:

    ```python
    log = ftk.callbacks.EventLog("runs/mine")
    model.fit(train_ds, epochs=10, callbacks=[dst, log])
    ```
    """

    def __init__(self, run_dir: str | os.PathLike, member: int = 0, epoch_offset: int = 0):
        super().__init__()
        self.run_dir = Path(run_dir)
        self.path = self.run_dir / "events.jsonl"
        self.member = member
        self.epoch_offset = epoch_offset
        self._subscribed: set[int] = set()
        self._epoch = 0

    def emit(self, type: str, **fields) -> None:
        """Appends one event of `type` with `fields`."""
        if self.model is not None and not is_chief(self.model.distribute_strategy):
            return
        event = {"schema": SCHEMA_VERSION, "t": time.time(), "type": type, **fields}
        self.path.parent.mkdir(parents=True, exist_ok=True)
        line = json.dumps(_strict(event), default=_plain, allow_nan=False) + "\n"
        with open(self.path, "a+b") as file:
            if file.tell() and (file.seek(-1, os.SEEK_END), file.read(1))[1] != b"\n":
                line = "\n" + line  # end the partial line a killed writer left
            file.write(line.encode("utf-8"))
            file.flush()

    def relative(self, path: str | os.PathLike) -> str:
        """`path` relative to the run folder (as events record it)."""
        path = Path(path)
        return str(path.relative_to(self.run_dir)) if path.is_relative_to(self.run_dir) else str(path)

    # Keras hooks.

    def on_train_begin(self, logs=None):
        for cls, listener in (
            (DynamicSparsity, self._on_topology_update),
            (EDST, self._on_phase_event),
            (PruneAndFinetune, self._on_phase_event),
        ):
            callback = registry.find(self.model, cls)
            if callback is not None and id(callback) not in self._subscribed:
                callback.add_listener(listener)
                self._subscribed.add(id(callback))

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

    # Listeners.

    def _on_topology_update(self, update: TopologyUpdate) -> None:
        self.emit("topology_update", member=self.member, epoch=self._epoch, **update.as_dict())

    def _on_phase_event(self, event: PhaseStart | TicketSaved) -> None:
        if isinstance(event, PhaseStart):
            self.emit("phase_start", member=self.member, phase=event.phase, index=event.index,
                      of=event.of, epoch=event.epoch, step=event.step)
        else:
            self.emit("ticket_saved", index=event.index, member=self.member, epoch=event.epoch,
                      path=self.relative(event.path), val_accuracy=event.val_accuracy,
                      test_accuracy=self.evaluate_ticket(event), density=current_density(self.model))

    def evaluate_ticket(self, event: TicketSaved) -> float | None:
        """Returns the test accuracy of a new ticket for its event; `None` here."""
        return None

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
