"""`Ensemble`: the mean of its members' softmax probabilities."""

from __future__ import annotations

from collections.abc import Sequence

import keras
import numpy as np

from ftk.ensemble import metrics


class Ensemble:
    """An ensemble of Keras classifiers that predicts the mean of their probabilities.

    Members may output logits (all ftk models do) or probabilities (a final
    softmax, as in `keras.applications`); each is turned into probabilities
    before averaging. Loading a run directory's tickets is
    `ftk.evaluation.load_ensemble` (`ftk.Ensemble.load`).

    Args:
        members: the models, all with the same input and number of classes.

    Example:

    ```python
    ens = ftk.Ensemble([m1, m2, m3])               # or ftk.Ensemble.load("runs/edst_demo")
    probs = ens.predict(x)                         # (n, classes)
    report = ens.evaluate(test_ds)                 # members, mean, std and ensemble
    ens.to_keras().save("ensemble.keras")
    ```
    """

    def __init__(self, members: Sequence[keras.Model]):
        if not members:
            raise ValueError("`members` must hold at least one model. Received: []")
        self.members = list(members)

    def __len__(self) -> int:
        return len(self.members)

    def member_probabilities(self, x, batch_size: int | None = None) -> np.ndarray:
        """Returns each member's probabilities, shape (members, n, classes).

        Args:
            x: inputs: an array, or a `tf.data.Dataset` of `(x, y)` or `x` batches.
            batch_size: for array inputs. Defaults to Keras' 32.
        """
        return np.stack([probabilities(m, m.predict(x, batch_size=batch_size, verbose=0))
                         for m in self.members])

    def predict(self, x, batch_size: int | None = None) -> np.ndarray:
        """Returns the mean of the members' softmax probabilities, shape (n, classes)."""
        return metrics.ensemble_probabilities(self.member_probabilities(x, batch_size))

    def evaluate(self, dataset, labels: np.ndarray | None = None) -> dict:
        """Accuracy, NLL, ECE and Brier score of each member, their mean/std, and the ensemble.

        Args:
            dataset: a `tf.data.Dataset` of `(x, y)` batches, or an array of
                inputs together with `labels`.
            labels: integer labels when `dataset` is an array.

        Returns:
            `{"members": [...], "mean": {...}, "std": {...}, "ensemble": {...}}`,
            each entry a dict of metric name to float.
        """
        if labels is None:
            labels = dataset_labels(dataset)
        return summarize(self.member_probabilities(dataset), labels)

    def to_keras(self, name: str = "ensemble") -> keras.Model:
        """Returns one Keras model that outputs the mean of the members' probabilities.

        The members become nested models `ticket_0`, `ticket_1`, ...; the result
        saves as a `.keras` file and predicts the same as `predict`.
        """
        inputs = keras.Input(tuple(self.members[0].inputs[0].shape[1:]), name="image")
        outputs = []
        for index, member in enumerate(self.members):
            renamed = keras.Model(member.inputs[0], member.outputs[0], name=f"ticket_{index}")
            out = renamed(inputs)
            outputs.append(out if _outputs_probabilities(member) else keras.layers.Softmax()(out))
        mean = keras.layers.Average(name="mean_probability")(outputs) if len(outputs) > 1 else outputs[0]
        return keras.Model(inputs, mean, name=name)


def summarize(member_probs: np.ndarray, labels: np.ndarray) -> dict:
    """The `Ensemble.evaluate` report from member probabilities (members, n, classes)."""
    members = [point_metrics(p, labels) for p in member_probs]
    keys = members[0].keys()
    return {
        "members": members,
        "mean": {k: float(np.mean([m[k] for m in members])) for k in keys},
        "std": {k: float(np.std([m[k] for m in members])) for k in keys},
        "ensemble": point_metrics(metrics.ensemble_probabilities(member_probs), labels),
    }


def point_metrics(probs: np.ndarray, labels: np.ndarray) -> dict[str, float]:
    """Accuracy, NLL, ECE (15 bins) and Brier score of one set of probabilities."""
    return {
        "accuracy": metrics.accuracy(probs, labels),
        "nll": metrics.negative_log_likelihood(probs, labels),
        "ece": metrics.expected_calibration_error(probs, labels),
        "brier": metrics.brier_score(probs, labels),
    }


def probabilities(model: keras.Model, outputs) -> np.ndarray:
    """`outputs` of `model` as probabilities (softmax unless the model ends in one)."""
    outputs = np.asarray(outputs, dtype=np.float64)
    if _outputs_probabilities(model):
        return outputs
    shifted = outputs - outputs.max(axis=-1, keepdims=True)
    exp = np.exp(shifted)
    return exp / exp.sum(axis=-1, keepdims=True)


def dataset_labels(dataset) -> np.ndarray:
    """The integer labels of a `tf.data.Dataset` of `(x, y)` batches, in order."""
    return np.concatenate([np.asarray(y) for _, y in dataset]).astype(np.int64)


def _outputs_probabilities(model: keras.Model) -> bool:
    """Whether the last layer of `model` applies a softmax."""
    last = model.layers[-1]
    activation = getattr(last, "activation", None)
    return isinstance(last, keras.layers.Softmax) or activation is keras.activations.softmax
