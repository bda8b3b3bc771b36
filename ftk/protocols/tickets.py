"""`TicketBoard`: test accuracy of each ticket and of the ensemble so far."""

from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf

from ftk.ensemble import metrics
from ftk.ensemble.ensemble import dataset_labels, point_metrics, probabilities


class TicketBoard:
    """Collects the test-set probabilities of tickets as they are saved.

    Tickets are kept by index, so adding a ticket again (a resumed run that
    re-makes it) replaces it instead of counting it twice.

    Args:
        test: the test split, `(images, labels)` batches.
    """

    def __init__(self, test: tf.data.Dataset):
        self.test = test
        self.labels = dataset_labels(test)
        self._probs: dict[int, np.ndarray] = {}

    @property
    def member_probs(self) -> list[np.ndarray]:
        """The tickets' test probabilities, in ticket order."""
        return [self._probs[i] for i in sorted(self._probs)]

    def add(self, index: int, model: keras.Model) -> dict:
        """Adds (or replaces) ticket `index`; returns the `ensemble_eval` fields of all so far."""
        self._probs[index] = probabilities(model, model.predict(self.test, verbose=0))
        return self.summary()

    def summary(self) -> dict:
        ensemble = point_metrics(metrics.ensemble_probabilities(np.stack(self.member_probs)), self.labels)
        return {
            "members": len(self.member_probs),
            **{key: ensemble[key] for key in ("accuracy", "nll", "ece")},
            "member_accuracy": self.member_accuracy(),
            "source": "run",
        }

    def accuracy(self, index: int) -> float:
        """The test accuracy of ticket `index`."""
        return metrics.accuracy(self._probs[index], self.labels)

    def member_accuracy(self) -> list[float]:
        return [metrics.accuracy(p, self.labels) for p in self.member_probs]
