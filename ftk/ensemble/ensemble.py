"""`Ensemble`: the mean of its members' softmax probabilities."""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import keras
import numpy as np

from ftk.ensemble import metrics
from ftk.sparse.cloning import clone_with
from ftk.sparse.conversion import strip


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
    ens.to_keras().save("ensemble.keras")         # loads without ftk
    ```
    """

    def __init__(self, members: Sequence[keras.Model]):
        if not members:
            raise ValueError("`members` must hold at least one model. Received: []")
        self.members = list(members)
        self._forward = None  # the members' outputs of one batch: one function, traced once

    def __len__(self) -> int:
        return len(self.members)

    def member_probabilities(self, x, batch_size: int | None = None) -> np.ndarray:
        """Returns each member's probabilities, shape (members, n, classes).

        All members run in one compiled function per ensemble, traced once
        for every batch size (the batch dimension is left open), so repeated
        calls neither retrace nor warn about retracing.

        Args:
            x: inputs: an array, or a `tf.data.Dataset` of `(x, y)` or `x` batches.
            batch_size: for array inputs. Defaults to Keras' 32.
        """
        outputs: list[list[np.ndarray]] = [[] for _ in self.members]
        for batch in _batches(x, batch_size or 32):
            for collected, output in zip(outputs, self._forward_function()(batch)):
                collected.append(np.asarray(output))
        if not outputs[0]:
            raise ValueError("`x` holds no examples to predict. Received an empty input.")
        return np.stack([probabilities(m, np.concatenate(o)) for m, o in zip(self.members, outputs)])

    def traces(self) -> int:
        """How many times the prediction function was traced (1 after any number of calls)."""
        return 0 if self._forward is None else self._forward.experimental_get_tracing_count()

    def _forward_function(self):
        """The members' outputs of one batch, compiled once: the batch dimension is left open."""
        if self._forward is None:
            import tensorflow as tf

            members = self.members
            inputs = getattr(members[0], "inputs", None)
            if inputs and len(inputs) == 1:
                spec = tf.TensorSpec([None, *inputs[0].shape[1:]], inputs[0].dtype)
                self._forward = tf.function(lambda x: [m(x, training=False) for m in members],
                                            input_signature=[spec])
            else:  # a model without a known single input: generalise shapes instead
                self._forward = tf.function(lambda x: [m(x, training=False) for m in members],
                                            reduce_retracing=True)
        return self._forward

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

    def to_keras(self, name: str = "ensemble", storage: str = "plain") -> keras.Model:
        """Returns one Keras model that outputs the mean of the members' probabilities.

        The members become nested models `member_0`, `member_1`, ...; members
        that output logits get a softmax; a `keras.layers.Average` named
        `mean_probability` is the output. The result predicts what `predict`
        does (to float32 rounding), saves as a `.keras` file and exports with
        `model.export(path, format="tf_saved_model")` for TF Serving.

        `storage` chooses between a file anyone can load and one as small as
        the tickets:

        - `"plain"` (default): each member is `ftk.strip`ped, its masks
          folded into its kernels, so the model has standard Keras layers only
          and loads with `keras.saving.load_model` in a process that never
          imports ftk. Its kernels are stored dense: the file is about M times
          one dense model.
        - `"packed"`: members keep ftk's masked layers, stored as a bit per
          weight plus the active values (`ftk.sparse.packed_storage`): about
          `density` times the plain file, but loading needs `import ftk`.

        Both compute with dense kernels; the SavedModel of either needs
        neither ftk nor Keras to serve.

        Args:
            name: the model's name. Defaults to `"ensemble"`.
            storage: `"plain"` or `"packed"`. Defaults to `"plain"`.

        Returns:
            A new, uncompiled `keras.Model` with its own copy of the weights.

        Raises:
            ValueError: for another `storage`, or members whose inputs differ.

        Example:

        ```python
        ens.to_keras().save("ensemble.keras")        # keras.saving.load_model, no ftk
        ens.to_keras(storage="packed").save("small.keras")  # needs `import ftk`
        ```
        """
        if storage not in STORAGES:
            raise ValueError(f"`storage` must be one of {STORAGES}. Received: storage={storage!r}")
        shapes = {tuple(m.inputs[0].shape[1:]) for m in self.members}
        if len(shapes) > 1:
            raise ValueError(f"The members take inputs of different shapes {sorted(shapes)}; "
                             "an ensemble model needs one input.")
        first = self.members[0].inputs[0]
        inputs = keras.Input(tuple(first.shape[1:]), dtype=first.dtype, name="image")
        outputs = []
        for index, member in enumerate(self.members):
            copy = strip(member) if storage == "plain" else clone_with(member, type)
            copy = keras.Model(copy.inputs[0], copy.outputs[0], name=f"member_{index}")
            out = copy(inputs)
            if not _outputs_probabilities(member):
                out = keras.layers.Softmax(dtype="float32", name=f"member_{index}_probability")(out)
            outputs.append(out)
        if len(outputs) == 1:
            mean = keras.layers.Identity(dtype="float32", name="mean_probability")(outputs[0])
        else:
            mean = keras.layers.Average(dtype="float32", name="mean_probability")(outputs)
        model = keras.Model(inputs, mean, name=name)
        if storage == "plain":
            _warn_unless_standard(model)
        return model


#: The storages of `Ensemble.to_keras`.
STORAGES = ("plain", "packed")


def _batches(x, batch_size: int):
    """The input batches of an array (`batch_size` rows each) or of a dataset of `x` or `(x, y)`."""
    import tensorflow as tf

    if isinstance(x, tf.data.Dataset):
        for batch in x:
            yield batch[0] if isinstance(batch, (tuple, list)) else batch
        return
    x = np.asarray(x)
    for start in range(0, len(x), batch_size):
        yield x[start : start + batch_size]


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


def _warn_unless_standard(model: keras.Model) -> None:
    """Warns when a plain export still holds layers that Keras alone cannot load."""
    own = sorted({
        f"{type(layer).__module__}.{type(layer).__name__}"
        for layer in _all_layers(model)
        if not type(layer).__module__.startswith("keras.")
    })
    if own:
        warnings.warn(
            f"The exported ensemble holds layers that are not Keras' own: {own}. Loading it "
            "needs the code that defines them (e.g. `import ftk` for MC dropout's "
            "AlwaysOnDropout); the SavedModel of `model.export` serves without it.",
            stacklevel=3,
        )


def _all_layers(model: keras.Model):
    for layer in model.layers:
        yield layer
        if isinstance(layer, keras.Model):
            yield from _all_layers(layer)


def _outputs_probabilities(model: keras.Model) -> bool:
    """Whether the last layer of `model` applies a softmax."""
    last = model.layers[-1]
    activation = getattr(last, "activation", None)
    return isinstance(last, keras.layers.Softmax) or activation is keras.activations.softmax
