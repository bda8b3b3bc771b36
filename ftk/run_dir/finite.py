"""Never write a non-finite model: the check run before every checkpoint and ticket."""

from __future__ import annotations

import keras
import tensorflow as tf


class TrainingDiverged(RuntimeError):
    """Training produced a non-finite loss or weight."""


def non_finite_weights(model: keras.Model) -> list[str]:
    """Returns the paths of the floating-point weights of `model` that hold inf or NaN."""
    floats = [w for w in model.weights if "float" in str(w.dtype)]
    flags = [tf.reduce_all(tf.math.is_finite(keras.ops.convert_to_tensor(w))) for w in floats]
    finite = keras.ops.convert_to_numpy(tf.stack(flags)) if flags else []
    return [w.path for w, ok in zip(floats, finite) if not ok]


def require_finite_weights(model: keras.Model, what: str) -> None:
    """Raises `TrainingDiverged` instead of saving a model with non-finite weights.

    Args:
        model: the model about to be saved.
        what: the file, for the message (e.g. `"tickets/ticket_0.keras"`).
    """
    bad = non_finite_weights(model)
    if bad:
        raise TrainingDiverged(
            f"Refusing to write {what}: weights {', '.join(bad[:3])}{' and more' if len(bad) > 3 else ''} "
            "are not finite. Training diverged; lower the learning rate."
        )
