"""Dense gradients of masked weights, recorded during a normal training step."""

from __future__ import annotations

import keras
import tensorflow as tf

from ftk.sparse.tap_schedule import TapSchedule


class GradientTap:
    """Records the dense gradient dL/d(weight * mask) of one masked weight.

    The masked forward pass `weight * mask` sends `gradient * mask` to the
    weight, so the gradient at inactive positions is lost. A tap keeps the
    full gradient with respect to the effective weight, which RigL-style
    growth needs, in the steps its `TapSchedule` selects: the step then
    pays one buffer write, and other steps nothing.

    What lands in the buffer is the gradient of the optimizer step: divided
    by the loss scale under `mixed_float16`, averaged over the micro-batches
    of a step under gradient accumulation, and never a non-finite value (a
    step whose gradient overflows leaves the buffer as it was).

    Under a `tf.distribute` strategy the buffer is a sync-on-read variable
    summed over replicas. Keras scales each replica's loss by
    `1 / num_replicas`, so the sum is the gradient of the global batch, the
    same on every replica.

    With `decay > 0` the buffer is a momentum of the dense gradient instead,
    `buffer = decay * buffer + gradient`, for SNFS-style growth; the schedule
    then selects every step.

    Args:
        shape: shape of the weight.
        schedule: the `TapSchedule` shared by the model's taps.
        decay: momentum of the recorded gradient; 0 keeps the last one.
            Defaults to `0.0`.
    """

    def __init__(self, shape, schedule: TapSchedule, decay: float = 0.0):
        self.schedule = schedule
        self.decay = decay
        on_read = dict(trainable=False, synchronization=tf.VariableSynchronization.ON_READ)
        self.buffer = tf.Variable(
            tf.zeros(shape, tf.float32), aggregation=tf.VariableAggregation.SUM,
            name="dense_gradient", **on_read,
        )
        #: Optimizer step of the last write: an update checks that its
        #: scores come from its own step.
        self.recorded_step = tf.Variable(
            tf.constant(-1, tf.int64), aggregation=tf.VariableAggregation.ONLY_FIRST_REPLICA,
            name="dense_gradient_step", **on_read,
        )

    def watch(self, effective_weight):
        """Returns `effective_weight` unchanged; its gradient is recorded.

        Args:
            effective_weight: the tensor `weight * mask` of the forward pass.

        Returns:
            The same value, through an identity whose gradient function
            records the upstream gradient when the schedule says so.
        """

        @tf.custom_gradient
        def identity(value):
            def gradient(upstream):
                self._record(upstream)
                return upstream

            return tf.identity(value), gradient

        return identity(effective_weight)

    def _record(self, gradient: tf.Tensor) -> None:
        schedule = self.schedule

        def write():
            value = tf.cast(gradient, tf.float32) * schedule.gradient_scale()
            if schedule.accumulation_steps == 1:
                start = self.buffer * self.decay if self.decay else 0.0
            else:
                # The micro-batches of one accumulated step add up; the
                # first one starts from the carried momentum (or zero).
                previous = self.buffer.read_value()
                carried = previous * self.decay if self.decay else tf.zeros_like(previous)
                start = tf.where(schedule.starts_step(), carried, previous)
            self.buffer.assign(start + value)
            self.recorded_step.assign(schedule.next_step())
            return tf.constant(True)

        def write_if_finite():
            finite = tf.reduce_all(tf.math.is_finite(gradient))
            return tf.cond(finite, write, lambda: tf.constant(False))

        tf.cond(schedule.recording(), write_if_finite, lambda: tf.constant(False))

    def read(self):
        """Returns the recorded gradient as a NumPy array (cross-replica)."""
        return self.buffer.read_value().numpy()

    def read_step(self) -> int:
        """Returns the optimizer step of the last recording, -1 if none."""
        return int(self.recorded_step.read_value().numpy())

    def keep_only(self, mask) -> None:
        """Zeroes the buffer where `mask` is 0 (cross-replica)."""
        self.buffer.assign(self.buffer.read_value() * tf.cast(mask, tf.float32))


def masked_weight(weight, mask, tap: GradientTap | None = None):
    """Returns `weight * mask`, recording the dense gradient through `tap`.

    Works in every execution mode: graph (`fit`, `predict`), XLA, eager calls
    and custom `tf.GradientTape` loops. The mask never gets a gradient.

    Args:
        weight: the weight variable or tensor.
        mask: the mask variable (same shape, 0 or 1).
        tap: optional `GradientTap`.

    Returns:
        The effective weight as a tensor.
    """
    weight = keras.ops.convert_to_tensor(weight)
    mask = tf.stop_gradient(keras.ops.cast(keras.ops.convert_to_tensor(mask), weight.dtype))
    effective = weight * mask
    return effective if tap is None else tap.watch(effective)
