"""`TicketBoard`: test accuracy of each ticket and of the ensemble so far."""

from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf

from ftk.ensemble import metrics
from ftk.ensemble.ensemble import dataset_labels, point_metrics, probabilities


class TicketBoard:
    """Collects the test-set probabilities of tickets as they are saved.

    Args:
        test: the test split, `(images, labels)` batches.
    """

    def __init__(self, test: tf.data.Dataset):
        self.test = test
        self.labels = dataset_labels(test)
        self.member_probs: list[np.ndarray] = []

    def add(self, model: keras.Model) -> dict:
        """Adds one ticket; returns the `ensemble_eval` fields of all so far."""
        self.member_probs.append(probabilities(model, model.predict(self.test, verbose=0)))
        return self.summary()

    def summary(self) -> dict:
        ensemble = point_metrics(metrics.ensemble_probabilities(np.stack(self.member_probs)), self.labels)
        return {
            "members": len(self.member_probs),
            **{key: ensemble[key] for key in ("accuracy", "nll", "ece")},
            "member_accuracy": self.member_accuracy(),
            "source": "run",
        }

    def member_accuracy(self) -> list[float]:
        return [metrics.accuracy(p, self.labels) for p in self.member_probs]
