"""`GradientRecorder`: the gradient taps of a model and the schedule that drives them."""

from __future__ import annotations

import keras
import numpy as np

from ftk.sparse.gradient_tap import GradientTap
from ftk.sparse.sparse_weight import SparseWeight, sparse_weights
from ftk.sparse.tap_schedule import TapSchedule
from ftk.sparse.update_window import UpdateWindow


class GradientRecorder:
    """Records the dense gradients of a model's sparse weights during training.

    Installs a `GradientTap` in every sparse (not dense) weight of `model`,
    all driven by one `TapSchedule` on `optimizer`'s steps. Any train
    function traced afterwards records; the model's cached `fit` train
    function is dropped so that the next `fit` traces again.

    Args:
        model: the sparse model.
        optimizer: the optimizer that trains it.
        momentum: 0 keeps the gradient of the scheduled step; a decay in
            (0, 1) keeps a momentum of the dense gradient, recorded in every
            step (SNFS). Defaults to `0.0`.
    """

    def __init__(self, model: keras.Model, optimizer, momentum: float = 0.0):
        self.model, self.optimizer, self.momentum = model, optimizer, momentum
        weights = [w for w in sparse_weights(model) if w.active_count() < w.size]
        with self._scope():
            self.schedule = TapSchedule(optimizer, every_step=momentum > 0)
            self.taps = {w.name: GradientTap(w.shape, self.schedule, momentum) for w in weights}
        for weight in weights:
            weight.layer.set_gradient_tap(weight.attr, self.taps[weight.name])
        model.train_function = None  # traced without the taps

    def drives(self, model: keras.Model, optimizer) -> bool:
        """Whether this recorder serves `model` trained by `optimizer`."""
        return self.model is model and self.optimizer is optimizer

    def configure(self, window: UpdateWindow, forced: bool = False) -> None:
        """Records in the steps that end on an update of `window` (every step if `forced`)."""
        with self._scope():
            self.schedule.configure(window)
            self.schedule.force(forced)

    def force(self, forced: bool) -> None:
        """Records in every step while `forced` (before a topology jump)."""
        with self._scope():
            self.schedule.force(forced)

    def stop(self) -> None:
        """Records nothing until the next `configure`."""
        with self._scope():
            self.schedule.stop()

    def read(self) -> dict[str, np.ndarray]:
        """Returns the recorded gradient (or momentum) per sparse weight."""
        with self._scope():
            return {name: tap.read() for name, tap in self.taps.items()}

    def scores(self, step: int) -> tuple[dict[str, np.ndarray] | None, str | None]:
        """Returns the growth scores of optimizer `step`, or why there are none.

        A gradient must come from `step` itself; a momentum from any step.

        Returns:
            `(scores, None)`, or `(None, reason)` if a tap did not record.
        """
        with self._scope():
            recorded = {name: tap.read_step() for name, tap in self.taps.items()}
        if self.momentum:
            stale = [name for name, at in recorded.items() if at < 0]
        else:
            stale = [name for name, at in recorded.items() if at != step]
        if stale:
            more = f" and {len(stale) - 1} more" if len(stale) > 1 else ""
            return None, (
                f"no dense gradient was recorded in step {step} for {stale[0]}{more} "
                "(was the train step traced before the taps were installed?)"
            )
        return self.read(), None

    def keep_only(self, weights: list[SparseWeight]) -> None:
        """Zeroes the recorded values outside each weight's mask."""
        with self._scope():
            for weight in weights:
                self.taps[weight.name].keep_only(weight.mask)

    def _scope(self):
        return self.model.distribute_strategy.scope()
