"""`TicketBoard`: test accuracy of each ticket and of the ensemble so far."""

from __future__ import annotations

from collections.abc import Sequence

import keras
import numpy as np
import tensorflow as tf

from ftk.ensemble import metrics
from ftk.ensemble.ensemble import dataset_labels, point_metrics, probabilities


class TicketBoard:
    """Collects the test-set probabilities of tickets as they are saved.

    Tickets are kept by index, so adding a ticket again (a resumed run that
    re-makes it) replaces it instead of counting it twice. A ticket may
    stand for several ensemble members (e.g. the stochastic passes of MC
    dropout).

    Args:
        test: the test split, `(images, labels)` batches.
    """

    def __init__(self, test: tf.data.Dataset):
        self.test = test
        self.labels = dataset_labels(test)
        self._ticket: dict[int, np.ndarray] = {}
        self._members: dict[int, list[np.ndarray]] = {}

    @property
    def indices(self) -> set[int]:
        """The indices of the tickets added so far."""
        return set(self._ticket)

    @property
    def member_probs(self) -> list[np.ndarray]:
        """The ensemble members' test probabilities, in ticket order."""
        return [p for i in sorted(self._members) for p in self._members[i]]

    def add(self, index: int, ticket: keras.Model, members: Sequence[keras.Model] | None = None) -> dict:
        """Adds (or replaces) ticket `index`; returns the `ensemble_eval` fields of all so far.

        Args:
            index: the ticket's index.
            ticket: the ticket's model.
            members: the ensemble members it stands for. Defaults to `[ticket]`.
        """
        self._ticket[index] = self._predict(ticket)
        members = [ticket] if members is None else list(members)
        self._members[index] = [self._ticket[index] if m is ticket else self._predict(m) for m in members]
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
        return metrics.accuracy(self._ticket[index], self.labels)

    def member_accuracy(self) -> list[float]:
        return [metrics.accuracy(p, self.labels) for p in self.member_probs]

    def _predict(self, model: keras.Model) -> np.ndarray:
        return probabilities(model, model.predict(self.test, verbose=0))
