"""`DenseScores`: the dense gradients a topology update scores with, and where they come from."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import keras
import numpy as np

from ftk.sparse.gradient_recorder import GradientRecorder
from ftk.sparse.sparse_weight import SparseWeight
from ftk.sparse.update_window import UpdateWindow


class DenseScores:
    """Dense gradients (or their momentum) for the rules that need them.

    Rules that `needs_dense_gradient` read dL/d(kernel * mask) of the update
    step; rules that `uses_momentum` read its momentum over every step
    (SNFS). The scores come from gradient taps installed in the sparse
    layers (a `GradientRecorder`), or from a custom training loop that hands
    them in. Without such rules, nothing is installed or recorded.

    Args:
        needed: whether any rule of the update needs a dense gradient.
        momentum: decay of the dense-gradient momentum when a rule uses
            momentum; `None` keeps the gradient of the update step.
            Defaults to `None`.

    Example:

    ```python
    scores = DenseScores(needed=True)
    scores.install(model, optimizer)  # before the train step is traced
    scores.configure(window)
    ...  # train up to an update step
    values, reason = scores.of_step(step, ftk.sparse_weights(model))
    ```
    """

    def __init__(self, needed: bool, momentum: float | None = None):
        self.needed = needed
        self.momentum = momentum
        self.recorder: GradientRecorder | None = None

    def install(self, model: keras.Model, optimizer: keras.optimizers.Optimizer) -> None:
        """Gives the sparse layers of `model` gradient taps driven by `optimizer`, once."""
        if not self.needed:
            return
        if self.recorder is None or not self.recorder.drives(model, optimizer):
            self.recorder = GradientRecorder(model, optimizer, self.momentum or 0.0)

    def configure(self, window: UpdateWindow, forced: bool = False) -> None:
        """Records in the steps that end on an update of `window` (every step if `forced`)."""
        if self.recorder is not None:
            self.recorder.configure(window, forced=forced)

    def force(self, forced: bool) -> None:
        """Records in every step while `forced` (before a topology jump)."""
        if self.recorder is not None:
            self.recorder.force(forced)

    def stop(self) -> None:
        """Records nothing until the next `configure`."""
        if self.recorder is not None:
            self.recorder.stop()

    def read(self) -> dict[str, np.ndarray]:
        """Returns the last recorded score per sparse weight; empty if nothing records."""
        return self.recorder.read() if self.recorder is not None else {}

    def of_step(
        self, step: int, weights: Sequence[SparseWeight], gradients: Mapping | None = None
    ) -> tuple[dict[str, np.ndarray] | None, str | None]:
        """Returns the scores of optimizer `step`, or the reason an update cannot use them.

        Args:
            step: the optimizer step of the update.
            weights: the sparse weights to update.
            gradients: scores handed in by a custom loop, by variable path,
                instead of the taps' records. Defaults to `None`.

        Returns:
            `(scores, None)`; `(None, None)` when nothing records; or
            `(None, reason)` when a tap did not record in `step`.

        Raises:
            ValueError: if `gradients` lacks a sparse weight.
        """
        if gradients is not None:
            missing = [w.name for w in weights if w.name not in gradients]
            if missing:
                raise ValueError(
                    f"`gradients` must hold a dense gradient for every sparse weight; "
                    f"missing: {missing}. Keys are variable paths, e.g. {weights[0].name!r}."
                )
            return {w.name: np.asarray(gradients[w.name]) for w in weights}, None
        if self.recorder is None:
            return None, None
        return self.recorder.scores(step)

    def after_update(self, weights: Sequence[SparseWeight]) -> None:
        """Zeroes the momentum outside the new masks (SNFS), after an update that ran."""
        if self.momentum is not None and self.recorder is not None:
            self.recorder.keep_only(weights)
