"""`EDST`: one sparse run that explores, then refines M free tickets."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Literal

import keras

from ftk.callbacks.dynamic_sparsity import DynamicSparsity
from ftk.run_dir.events import PhaseStart, TicketSaved
from ftk.run_dir.paths import ticket_name
from ftk.run_dir.tickets import save_ticket
from ftk.training.lr_schedules import edst_schedule


class EDST(keras.callbacks.Callback):
    """Efficient dynamic sparse training ensemble: M tickets from one run.

    Training is split into an exploration phase of `explore_epochs` at
    `lr_explore`, then M refinement phases of equal length. A refinement
    phase runs at `lr_refine` for its first half and `lr_refine / 10` for its
    second half. Every refinement phase after the first starts with a large
    topology jump: `large_death_rate` of each sparse layer's active weights are
    pruned by magnitude and as many regrown, by `dst`, the `DynamicSparsity`
    callback of the same `fit`, which also keeps doing its regular updates.
    The model at the end of each refinement phase (or, with
    `ticket="best_val"`, its best epoch by validation accuracy) is saved as a
    ticket `ticket_<i>.keras` in `ticket_dir`.

    The learning rate is set at the start of every epoch from the epoch
    number, so compile with a float learning rate; a resumed `fit`
    (`initial_epoch=k`) continues the same schedule and keeps earlier tickets.

    Args:
        dst: the `ftk.DynamicSparsity` callback of the same `fit`.
        explore_epochs: epochs of exploration, >= 0.
        members: number of tickets M, >= 1. Defaults to `3`.
        large_death_rate: rate of the jump at refinement phases 2..M.
            Defaults to `0.8`.
        lr_explore: learning rate while exploring. Defaults to `0.1`.
        lr_refine: learning rate of the first half of each refinement phase.
            Defaults to `0.01`.
        ticket_dir: folder for the tickets. Defaults to `"tickets"`.
        ticket: `"final"` or `"best_val"`. Defaults to `"final"`.

    Example:

    ```python
    dst = ftk.DynamicSparsity(update_frequency=1000, death_rate=0.5, death_rate_schedule="constant")
    edst = ftk.EDST(dst, explore_epochs=150, members=3, ticket_dir="tickets/")
    model.fit(train_ds, epochs=edst.total_epochs(450), callbacks=[dst, edst])
    edst.tickets  # ['tickets/ticket_0.keras', 'tickets/ticket_1.keras', ...]
    ```
    """

    def __init__(
        self,
        dst: DynamicSparsity,
        explore_epochs: int,
        members: int = 3,
        large_death_rate: float = 0.8,
        lr_explore: float = 0.1,
        lr_refine: float = 0.01,
        ticket_dir: str | os.PathLike = "tickets",
        ticket: Literal["final", "best_val"] = "final",
    ):
        super().__init__()
        if not isinstance(dst, DynamicSparsity):
            raise TypeError(
                "`dst` must be the `ftk.DynamicSparsity` callback of the same `fit`, e.g. "
                f"`ftk.EDST(dst, explore_epochs=150)`. Received: dst={dst!r}"
            )
        if not isinstance(explore_epochs, int) or explore_epochs < 0:
            raise ValueError(f"`explore_epochs` must be an integer >= 0. Received: {explore_epochs!r}")
        if not isinstance(members, int) or members < 1:
            raise ValueError(f"`members` must be an integer >= 1. Received: members={members!r}")
        if not 0.0 < large_death_rate < 1.0:
            raise ValueError(f"`large_death_rate` must be in (0, 1). Received: {large_death_rate!r}")
        if ticket not in ("final", "best_val"):
            raise ValueError(f"`ticket` must be 'final' or 'best_val'. Received: {ticket!r}")
        self.dst = dst
        self.explore_epochs = explore_epochs
        self.members = members
        self.large_death_rate = large_death_rate
        self.lr_explore = lr_explore
        self.lr_refine = lr_refine
        self.ticket_dir = Path(ticket_dir)
        self.ticket = ticket
        self.refine_epochs: int | None = None
        self.tickets: list[str] = []
        self._listeners: list[Callable] = []
        self._best: float | None = None

    def total_epochs(self, epochs: int) -> int:
        """Checks that `epochs` splits into exploration + M equal phases; returns it.

        Args:
            epochs: epochs of the whole run, e.g. 450 = 150 + 3 x 100.

        Returns:
            `epochs`, to pass to `fit`.

        Raises:
            ValueError: if the refinement epochs do not split into M phases of
                at least 2 epochs.
        """
        refine = epochs - self.explore_epochs
        if refine < 2 * self.members or refine % self.members:
            raise ValueError(
                f"`epochs - explore_epochs` must split into {self.members} refinement phases of "
                f"at least 2 epochs each. Received: epochs={epochs}, explore_epochs="
                f"{self.explore_epochs}. Try epochs={self.explore_epochs + self.members * max(2, refine // self.members)}."
            )
        self.refine_epochs = refine // self.members
        return epochs

    def add_listener(self, listener: Callable[[PhaseStart | TicketSaved], None]) -> None:
        """Calls `listener(event)` for every `PhaseStart` and `TicketSaved`."""
        self._listeners.append(listener)

    def phase_of(self, epoch: int) -> tuple[str, int]:
        """Returns (`"exploration"`, 1) or (`"refinement"`, i) for 0-based `epoch`."""
        if epoch < self.explore_epochs:
            return "exploration", 1
        return "refinement", min((epoch - self.explore_epochs) // self.refine_epochs, self.members - 1) + 1

    # Keras hooks.

    def on_train_begin(self, logs=None):
        if self.refine_epochs is None:
            self.total_epochs(self.params["epochs"])
        self._schedule = edst_schedule(
            1, self.explore_epochs, self.refine_epochs, self.members, self.lr_explore, self.lr_refine
        )
        self._started = False

    def on_epoch_begin(self, epoch, logs=None):
        if not self._started:
            self._resume_at(epoch)
        self.model.optimizer.learning_rate = self._schedule.rate_at_epoch(epoch)
        phase, index = self.phase_of(epoch)
        starts_phase = epoch == (self._phase_start(index) if phase == "refinement" else 0)
        if starts_phase:
            self._best = None
            self._notify(PhaseStart(phase, index, self.members if phase == "refinement" else 1,
                                    epoch, int(self.model.optimizer.iterations.numpy())))
            if phase == "refinement" and index >= 2:
                self.dst.request_jump(self.large_death_rate)

    def on_epoch_end(self, epoch, logs=None):
        phase, index = self.phase_of(epoch)
        if phase != "refinement":
            return
        path = self.ticket_dir / ticket_name(index - 1)
        val = (logs or {}).get("val_accuracy")
        if self.ticket == "best_val":
            if val is None:
                raise ValueError("EDST(ticket='best_val') needs validation data in `fit`.")
            if self._best is None or val > self._best:
                self._best = float(val)
                save_ticket(self.model, path, {"epoch": epoch + 1, "val_accuracy": self._best})
        if epoch + 1 == self._phase_start(index) + self.refine_epochs:
            if self.ticket == "final":
                save_ticket(self.model, path, {"epoch": epoch + 1, "val_accuracy": val})
            meta = json.loads(path.with_suffix(".json").read_text())
            self.tickets.append(str(path))
            self._notify(TicketSaved(index - 1, meta["epoch"], str(path), meta["val_accuracy"]))

    # Helpers.

    def _phase_start(self, index: int) -> int:
        return self.explore_epochs + (index - 1) * self.refine_epochs

    def _resume_at(self, epoch: int) -> None:
        """Restores the tickets (and best score) of phases before `epoch`."""
        self._started = True
        phase, index = self.phase_of(epoch)
        done = index - 1 if phase == "refinement" else 0
        self.tickets = [str(self.ticket_dir / ticket_name(i)) for i in range(done)]
        current = (self.ticket_dir / ticket_name(index - 1)).with_suffix(".json")
        if phase == "refinement" and epoch > self._phase_start(index) and current.exists():
            self._best = json.loads(current.read_text()).get("val_accuracy")

    def _notify(self, event) -> None:
        for listener in self._listeners:
            listener(event)
