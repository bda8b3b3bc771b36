"""`TicketBoard`: test accuracy of each ticket and of the ensemble so far."""

from __future__ import annotations

import dataclasses

import keras
import numpy as np
import tensorflow as tf

from ftk.ensemble import metrics


@dataclasses.dataclass
class TicketBoard:
    """Collects the test-set probabilities of tickets as they are saved.

    Args:
        test: the test split, `(images, labels)` batches.
    """

    test: tf.data.Dataset

    def __post_init__(self):
        self.labels = np.concatenate([y.numpy() for _, y in self.test])
        self.member_probs: list[np.ndarray] = []

    def add(self, model: keras.Model) -> dict:
        """Adds one ticket; returns the `ensemble_eval` fields of all so far."""
        logits = model.predict(self.test, verbose=0)
        self.member_probs.append(keras.ops.convert_to_numpy(keras.ops.softmax(logits, axis=-1)))
        return self.summary()

    def summary(self) -> dict:
        probs = metrics.ensemble_probabilities(np.stack(self.member_probs))
        return {
            "members": len(self.member_probs),
            "accuracy": metrics.accuracy(probs, self.labels),
            "nll": metrics.negative_log_likelihood(probs, self.labels),
            "ece": metrics.expected_calibration_error(probs, self.labels),
            "member_accuracy": self.member_accuracy(),
            "source": "run",
        }

    def member_accuracy(self) -> list[float]:
        return [metrics.accuracy(p, self.labels) for p in self.member_probs]
