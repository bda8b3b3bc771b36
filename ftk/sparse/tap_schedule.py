"""`TapSchedule`: in which training steps the gradient taps record."""

from __future__ import annotations

import keras
import tensorflow as tf

from ftk.sparse.update_window import UpdateWindow


class TapSchedule:
    """Selects, inside the training step, the steps whose dense gradient is recorded.

    The decision is made on the device from `optimizer.iterations` (optimizer
    steps actually applied), so the taps record exactly in the step that
    ends on a topology update, whatever `steps_per_execution`, gradient
    accumulation or loss-scale overflows do to the number of batches: the
    micro-batches of an accumulated step all record (and add up), and a step
    the optimizer skips is recorded again when it is retried.

    It also knows how to turn the upstream gradient into the gradient of the
    optimizer step: divided by the loss scale of a `LossScaleOptimizer`, and
    by the number of accumulated micro-batches.

    Args:
        optimizer: the optimizer that trains the model.
        every_step: record in every step (the dense-gradient momentum of
            SNFS). Defaults to `False`.
    """

    def __init__(self, optimizer: keras.optimizers.Optimizer, every_step: bool = False):
        self.optimizer = optimizer
        inner = getattr(optimizer, "inner_optimizer", optimizer)
        #: Micro-batches per optimizer step (a Python int, fixed at trace time).
        self.accumulation_steps = accumulation_steps(optimizer)
        # Keras counts micro-batches in `_iterations`; `iterations` divides it.
        self._micro_batches = inner._iterations
        self.active = tf.Variable(False, trainable=False, name="ftk_taps_active")
        self.every_step = tf.Variable(every_step, trainable=False, name="ftk_taps_every_step")
        self.forced = tf.Variable(False, trainable=False, name="ftk_taps_forced")
        self.frequency = tf.Variable(tf.constant(1, tf.int64), trainable=False, name="ftk_update_frequency")
        self.start = tf.Variable(tf.constant(0, tf.int64), trainable=False, name="ftk_update_start")
        self.end = tf.Variable(tf.constant(-1, tf.int64), trainable=False, name="ftk_update_end")

    # Host side (cross-replica).

    def configure(self, window: UpdateWindow) -> None:
        """Records in the steps that end on an update of `window`, from now on."""
        self.frequency.assign(window.frequency)
        self.start.assign(window.start)
        self.end.assign(-1 if window.end is None else window.end)
        self.active.assign(True)

    def force(self, forced: bool) -> None:
        """Records in every step while `forced` (e.g. before an EDST jump)."""
        self.forced.assign(forced)

    def stop(self) -> None:
        """Records nothing until the next `configure`."""
        self.active.assign(False)
        self.forced.assign(False)

    # Device side (inside the training step).

    def next_step(self) -> tf.Tensor:
        """The optimizer step that the running training step will be."""
        return tf.cast(keras.ops.convert_to_tensor(self.optimizer.iterations), tf.int64) + 1

    def recording(self) -> tf.Tensor:
        """Whether the taps record in the running training step."""
        step = self.next_step()
        due = tf.logical_and(
            tf.equal(step % self.frequency, 0),
            tf.logical_and(step >= self.start, tf.logical_or(self.end < 0, step < self.end)),
        )
        wanted = tf.logical_or(tf.logical_or(self.every_step, self.forced), due)
        return tf.logical_and(self.active, wanted)

    def starts_step(self) -> tf.Tensor:
        """Whether the running micro-batch is the first of its optimizer step."""
        micro = tf.cast(keras.ops.convert_to_tensor(self._micro_batches), tf.int64)
        return tf.equal(micro % self.accumulation_steps, 0)

    def gradient_scale(self) -> tf.Tensor:
        """The factor from an upstream gradient to the optimizer step's gradient."""
        scale = tf.constant(1.0 / self.accumulation_steps, tf.float32)
        if isinstance(self.optimizer, keras.optimizers.LossScaleOptimizer):
            loss_scale = self.optimizer.dynamic_scale if self.optimizer.built else self.optimizer.initial_scale
            scale /= tf.cast(keras.ops.convert_to_tensor(loss_scale), tf.float32)
        return scale


def accumulation_steps(optimizer: keras.optimizers.Optimizer) -> int:
    """Returns the micro-batches per step of `optimizer` (1 without accumulation)."""
    inner = getattr(optimizer, "inner_optimizer", optimizer)
    return int(getattr(inner, "gradient_accumulation_steps", None) or 1)
