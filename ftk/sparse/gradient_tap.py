"""Dense gradients of masked weights, recorded during a normal training step."""

from __future__ import annotations

import keras
import tensorflow as tf


class GradientTap:
    """Records the dense gradient dL/d(weight * mask) of one masked weight.

    The masked forward pass `weight * mask` sends `gradient * mask` to the
    weight, so the gradient at inactive positions is lost. A tap keeps the
    full gradient with respect to the effective weight, which RigL-style
    growth needs, but only in steps where `armed` is true: the training step
    then pays one buffer write, and nothing otherwise.

    Under a `tf.distribute` strategy the buffer is a sync-on-read variable
    summed over replicas. Keras scales each replica's loss by
    `1 / num_replicas`, so the sum is the gradient of the global batch, the
    same on every replica.

    With `decay > 0` the buffer is a momentum of the dense gradient instead,
    `buffer = decay * buffer + gradient`, for SNFS-style growth; it is then
    armed in every step.

    Args:
        shape: shape of the weight.
        armed: boolean variable shared by all taps; a step records only while
            it is true.
        decay: momentum of the recorded gradient; 0 keeps the last one.
            Defaults to `0.0`.
    """

    def __init__(self, shape, armed: tf.Variable, decay: float = 0.0):
        self.armed = armed
        self.decay = decay
        self.buffer = tf.Variable(
            tf.zeros(shape, tf.float32),
            trainable=False,
            synchronization=tf.VariableSynchronization.ON_READ,
            aggregation=tf.VariableAggregation.SUM,
            name="dense_gradient",
        )

    def record(self, gradient: tf.Tensor) -> None:
        """Writes `gradient` to the buffer if the tap is armed."""

        def write():
            value = tf.cast(gradient, tf.float32)
            if self.decay:
                value += self.decay * self.buffer
            self.buffer.assign(value)
            return tf.constant(True)

        tf.cond(self.armed, write, lambda: tf.constant(False))

    def read(self):
        """Returns the recorded gradient as a NumPy array (cross-replica)."""
        return self.buffer.read_value().numpy()

    def keep_only(self, mask) -> None:
        """Zeroes the buffer where `mask` is 0 (cross-replica)."""
        self.buffer.assign(self.buffer.read_value() * tf.cast(mask, tf.float32))


def masked_weight(weight, mask, tap: GradientTap | None = None):
    """Returns `weight * mask`, recording the dense gradient through `tap`.

    Args:
        weight: the weight variable or tensor.
        mask: the mask variable (same shape, 0 or 1).
        tap: optional `GradientTap`; the mask itself never gets a gradient.

    Returns:
        The effective weight as a tensor.
    """
    weight = keras.ops.convert_to_tensor(weight)
    mask = keras.ops.cast(keras.ops.convert_to_tensor(mask), weight.dtype)
    if tap is None:
        return weight * mask

    @tf.custom_gradient
    def apply_mask(w, m):
        def gradient(upstream):
            tap.record(upstream)
            return upstream * m, tf.zeros_like(m)

        return w * m, gradient

    return apply_mask(weight, mask)
