"""Losses for integer labels with label smoothing."""

from __future__ import annotations

import keras


@keras.saving.register_keras_serializable(package="ftk")
class SparseCategoricalCrossentropy(keras.losses.Loss):
    """Cross-entropy of integer labels and logits, with optional label smoothing.

    `keras.losses.SparseCategoricalCrossentropy` has no `label_smoothing`;
    the ImageNet recipe needs 0.1. Labels are one-hot encoded and smoothed
    as in `keras.losses.CategoricalCrossentropy`.

    Args:
        label_smoothing: in [0, 1). Defaults to `0.0`.
        from_logits: whether predictions are logits. Defaults to `True`.
    """

    def __init__(self, label_smoothing: float = 0.0, from_logits: bool = True, **kwargs):
        kwargs.setdefault("name", "sparse_categorical_crossentropy")
        super().__init__(**kwargs)
        self.label_smoothing = label_smoothing
        self.from_logits = from_logits

    def call(self, y_true, y_pred):
        labels = keras.ops.one_hot(keras.ops.cast(keras.ops.reshape(y_true, (-1,)), "int32"), y_pred.shape[-1])
        return keras.losses.categorical_crossentropy(
            labels, y_pred, from_logits=self.from_logits, label_smoothing=self.label_smoothing
        )

    def get_config(self) -> dict:
        return {**super().get_config(), "label_smoothing": self.label_smoothing, "from_logits": self.from_logits}
