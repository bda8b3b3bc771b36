"""Learning-rate schedules counted in epochs: step decay, EDST phases, warm-up."""

from __future__ import annotations

import math
from collections.abc import Sequence

import keras

_register = keras.saving.register_keras_serializable(package="ftk")


@_register
class EpochSchedule(keras.optimizers.schedules.LearningRateSchedule):
    """Piecewise-constant learning rate over epochs, with optional linear warm-up.

    The rate of optimizer step `s` depends on its epoch `e = s // steps_per_epoch`:
    `values[i]` for `boundaries[i-1] <= e < boundaries[i]`. During the first
    `warmup_epochs` the rate rises linearly, step by step, from
    `values[0] / (warmup steps)` to `values[0]`. Because it reads
    `optimizer.iterations`, a resumed run gets the same rates.

    Args:
        steps_per_epoch: optimizer steps in one epoch.
        boundaries: epochs at which the rate changes, increasing.
        values: `len(boundaries) + 1` rates.
        warmup_epochs: epochs of linear warm-up. Defaults to `0`.

    Example:

    ```python
    # lr 0.1, x0.1 at 50% and 75% of 200 epochs
    schedule = EpochSchedule(390, boundaries=[100, 150], values=[0.1, 0.01, 0.001])
    ```
    """

    def __init__(
        self,
        steps_per_epoch: int,
        boundaries: Sequence[int],
        values: Sequence[float],
        warmup_epochs: int = 0,
    ):
        if len(values) != len(boundaries) + 1:
            raise ValueError(
                "`values` must have one more entry than `boundaries`. Received: "
                f"{len(values)} values and {len(boundaries)} boundaries."
            )
        if list(boundaries) != sorted(boundaries):
            raise ValueError(f"`boundaries` must be increasing. Received: {list(boundaries)}")
        self.steps_per_epoch = int(steps_per_epoch)
        self.boundaries = [int(b) for b in boundaries]
        self.values = [float(v) for v in values]
        self.warmup_epochs = int(warmup_epochs)

    def __call__(self, step):
        step = keras.ops.cast(step, "float32")
        epoch = keras.ops.floor(step / self.steps_per_epoch)
        rate = keras.ops.convert_to_tensor(self.values[0], "float32")
        for boundary, value in zip(self.boundaries, self.values[1:]):
            rate = keras.ops.where(epoch >= boundary, value, rate)
        if self.warmup_epochs:
            warmup_steps = float(self.warmup_epochs * self.steps_per_epoch)
            rate = rate * keras.ops.minimum(1.0, (step + 1.0) / warmup_steps)
        return rate

    def rate_at_epoch(self, epoch: int) -> float:
        """The rate after warm-up in `epoch` (plain Python, for tests and logs)."""
        index = sum(epoch >= b for b in self.boundaries)
        return self.values[index]

    def get_config(self) -> dict:
        return {
            "steps_per_epoch": self.steps_per_epoch,
            "boundaries": self.boundaries,
            "values": self.values,
            "warmup_epochs": self.warmup_epochs,
        }


def step_decay(
    steps_per_epoch: int,
    epochs: int,
    lr: float,
    milestones: Sequence[float] = (0.5, 0.75),
    gamma: float = 0.1,
    warmup_epochs: int = 0,
) -> EpochSchedule:
    """Multiplies `lr` by `gamma` at each milestone (fractions of `epochs`).

    Milestone epochs are truncated, `int(m * epochs)`, as the official
    FreeTickets code computes them: 125 and 187 for 250 epochs (not 188).
    """
    boundaries = [int(m * epochs) for m in milestones]
    values = [lr * gamma**i for i in range(len(boundaries) + 1)]
    return EpochSchedule(steps_per_epoch, boundaries, values, warmup_epochs)


def edst_schedule(
    steps_per_epoch: int,
    explore_epochs: int,
    refine_epochs: int,
    members: int,
    lr_explore: float = 0.1,
    lr_refine: float = 0.01,
) -> EpochSchedule:
    """EDST's rates: `lr_explore` while exploring, then per refinement phase
    `lr_refine` for its first half and `lr_refine / 10` for its second half.

    The drop comes `ceil(refine_epochs / 2)` epochs into each phase, as in the
    official FreeTickets code: after 50 epochs of a 100-epoch phase, after 3 of
    a 5-epoch phase.
    """
    boundaries, values = [], [lr_explore]
    for phase in range(members):
        start = explore_epochs + phase * refine_epochs
        boundaries += [start, start + math.ceil(refine_epochs / 2)]
        values += [lr_refine, lr_refine / 10]
    if explore_epochs == 0:
        boundaries, values = boundaries[1:], values[1:]
    return EpochSchedule(steps_per_epoch, boundaries, values)
