"""Distilling an ensemble of tickets into one sparse student network."""

from __future__ import annotations

import glob
import zlib
from collections.abc import Sequence

import keras
import numpy as np
import tensorflow as tf
from keras import ops

from ftk.ensemble.ensemble import Ensemble, _outputs_probabilities, dataset_labels, point_metrics, probabilities
from ftk.sparse import density as model_density
from ftk.sparse import sparse_weights, sparsify, strip
from ftk.sparse.sparse_weight import iter_layers


def student_like(ticket: keras.Model, *, density: float | None = None, seed: int = 0) -> keras.Model:
    """Returns a freshly initialised sparse model with the architecture of `ticket`.

    The ticket is stripped (`ftk.strip`), every layer is rebuilt with its
    initializers re-seeded from `seed` and the layer name (so no weight of the
    ticket is copied), then sparsified with an ERK distribution. Layers the
    ticket kept dense stay dense.

    Args:
        ticket: a (usually sparse) model, e.g. an ensemble member.
        density: density of the student. Defaults to `ftk.density(ticket)`,
            or `1.0` when the ticket has no masked layer.
        seed: seed of the initial weights and masks. Defaults to `0`.

    Returns:
        A new, uncompiled `keras.Model` with masked layers.

    Example:

    ```python
    student = student_like(ensemble.members[0], seed=1)
    ftk.density(student)  # the ticket's density
    ```
    """
    masked = {w.layer.name for w in sparse_weights(ticket)}
    if density is None:
        density = model_density(ticket) if masked else 1.0
    keep_dense = [glob.escape(l.name) for l in iter_layers(ticket) if masked and l.name not in masked]

    def fresh(layer: keras.layers.Layer) -> keras.layers.Layer:
        config = layer.get_config()
        for key, value in config.items():
            if key.endswith("_initializer") and isinstance(value, dict) and "seed" in value.get("config", {}):
                value["config"]["seed"] = zlib.crc32(f"{seed}:{layer.name}:{key}".encode()) % 2**31
        return type(layer).from_config(config)

    reinitialised = keras.models.clone_model(strip(ticket), clone_function=fresh, recursive=True)
    return sparsify(reinitialised, density=density, distribution="erk", exclude=keep_dense, seed=seed)


@keras.saving.register_keras_serializable(package="ftk")
class DistillationLoss(keras.losses.Loss):
    """`alpha * T^2 * KL(p_teacher^T || p_student^T) + (1 - alpha) * CE(labels, student)`.

    `y_pred` holds the student's logits; `y_true` is the concatenation
    `[one_hot(labels) | teacher_probs]` of shape `(batch, 2 * classes)`. An
    ensemble gives mean probabilities, not logits, so the teacher is softened
    as `p_teacher^T = softmax(log(teacher_probs) / T)` (probabilities are
    clipped at `1e-7` first), and `p_student^T = softmax(logits / T)`. The
    `T^2` factor keeps gradient magnitudes comparable across temperatures
    (Hinton et al., 2015). With `alpha=1` labels are ignored; with `alpha=0`
    it is the cross-entropy of labels and logits.

    Args:
        temperature: softening temperature `T > 0`. Defaults to `4.0`.
        alpha: weight of the distillation term, in [0, 1]. Defaults to `0.9`.

    Example:

    ```python
    loss = DistillationLoss(temperature=4.0, alpha=0.9)
    value = loss(np.concatenate([np.eye(10)[y], teacher_probs], -1), logits)
    ```
    """

    def __init__(self, temperature: float = 4.0, alpha: float = 0.9, **kwargs):
        kwargs.setdefault("name", "distillation_loss")
        super().__init__(**kwargs)
        if not temperature > 0:
            raise ValueError(f"`temperature` must be > 0. Received: temperature={temperature!r}")
        if not 0.0 <= alpha <= 1.0:
            raise ValueError(f"`alpha` must be in [0, 1]. Received: alpha={alpha!r}")
        self.temperature = float(temperature)
        self.alpha = float(alpha)

    def call(self, y_true, y_pred):
        classes = y_pred.shape[-1]
        logits = ops.cast(y_pred, "float32")
        labels, teacher = ops.cast(y_true[..., :classes], "float32"), ops.cast(y_true[..., classes:], "float32")
        t = self.temperature
        log_teacher = ops.log_softmax(ops.log(ops.clip(teacher, 1e-7, 1.0)) / t, axis=-1)
        log_student = ops.log_softmax(logits / t, axis=-1)
        kl = ops.sum(ops.exp(log_teacher) * (log_teacher - log_student), axis=-1)
        ce = -ops.sum(labels * ops.log_softmax(logits, axis=-1), axis=-1)
        return self.alpha * t * t * kl + (1.0 - self.alpha) * ce

    def get_config(self) -> dict:
        return {**super().get_config(), "temperature": self.temperature, "alpha": self.alpha}


def teacher_probabilities(teacher: Ensemble, x) -> tf.Tensor:
    """The mean of the members' softmax probabilities on `x`, in inference mode, without gradient."""
    probs = []
    for member in teacher.members:
        out = ops.cast(member(x, training=False), "float32")
        probs.append(out if _outputs_probabilities(member) else ops.softmax(out, axis=-1))
    return ops.stop_gradient(ops.mean(ops.stack(probs), axis=0))


@keras.saving.register_keras_serializable(package="ftk")
class Distiller(keras.Model):
    """Trains `student` to match an ensemble `teacher` (the keras.io distillation pattern).

    `call` is the student; `compute_loss` runs the teacher (each member with
    `training=False`) on the same augmented batch and feeds
    `[one_hot(y) | teacher_probs]` to a `DistillationLoss`; compiled metrics
    see the integer labels. The teacher sits in a plain `Ensemble`, which
    Keras does not track: it is never trained, saved, nor seen by callbacks.
    The student is the only tracked sublayer, so `ftk.DynamicSparsity` finds
    exactly its masks (and the optimizer holds exactly its slots). Running
    the teacher in the train step, not in a `tf.data` map, keeps it on the
    accelerator; `DistillationLoss` also serves that other design.

    Args:
        student: the model to train; it outputs logits.
        teacher: an `Ensemble` (or a list of models). `None` after loading;
            set `distiller.teacher` before training again.
        temperature, alpha: see `DistillationLoss`. Defaults to `4.0`, `0.9`.

    Example:

    ```python
    distiller = Distiller(student, ensemble, temperature=4.0, alpha=0.9)
    distiller.compile(optimizer=keras.optimizers.SGD(0.1, momentum=0.9), metrics=["accuracy"])
    distiller.fit(train_ds, epochs=10, callbacks=[ftk.DynamicSparsity(update_frequency=100)])
    ```
    """

    def __init__(self, student: keras.Model, teacher: Ensemble | Sequence[keras.Model] | None = None,
                 temperature: float = 4.0, alpha: float = 0.9, **kwargs):
        super().__init__(**kwargs)
        self.student = student
        self.teacher = teacher if teacher is None or isinstance(teacher, Ensemble) else Ensemble(teacher)
        self.distillation_loss = DistillationLoss(temperature, alpha)
        self.temperature, self.alpha = float(temperature), float(alpha)

    def call(self, inputs, training=None):
        return self.student(inputs, training=training)

    def compile(self, optimizer="rmsprop", **kwargs):
        kwargs.setdefault("loss", self.distillation_loss)
        super().compile(optimizer=optimizer, **kwargs)

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        if self.teacher is None:
            raise ValueError("This Distiller has no teacher. Set `distiller.teacher = ftk.Ensemble([...])`.")
        labels = ops.one_hot(ops.cast(ops.reshape(y, (-1,)), "int32"), y_pred.shape[-1])
        targets = ops.concatenate([labels, teacher_probabilities(self.teacher, x)], axis=-1)
        return super().compute_loss(x, targets, y_pred, sample_weight, training=training)

    def get_config(self) -> dict:
        student = keras.saving.serialize_keras_object(self.student)
        return {"student": student, "temperature": self.temperature, "alpha": self.alpha, "name": self.name}

    @classmethod
    def from_config(cls, config: dict) -> Distiller:
        config = dict(config)
        return cls(keras.saving.deserialize_keras_object(config.pop("student")), None, **config)


def distill(teacher: Ensemble, student: keras.Model, train: tf.data.Dataset, *, epochs: int,
            steps_per_epoch: int, temperature: float = 4.0, alpha: float = 0.9, optimizer=None,
            callbacks: Sequence[keras.callbacks.Callback] = (), validation_data=None,
            verbose: int = 0) -> keras.Model:
    """Trains `student` on `train` to match `teacher` and returns it.

    A `Distiller` wraps the student for `fit`; callbacks such as
    `ftk.DynamicSparsity` act on the student's masks.

    Args:
        teacher: the ensemble to distill; never trained.
        student: e.g. from `student_like`; trained in place.
        train: batches `(x, integer labels)`, possibly endless.
        epochs, steps_per_epoch: as in `fit`.
        temperature, alpha: see `DistillationLoss`. Defaults to `4.0`, `0.9`.
        optimizer: defaults to SGD(momentum 0.9) with learning rate 0.1
            cosine-decayed to 0 over `epochs * steps_per_epoch` steps.
        callbacks, validation_data, verbose: passed to `fit`. Defaults to
            `()`, `None` and `0`; validation reports the distillation loss.

    Returns:
        The trained `student` (logits, masks, no teacher inside).

    Example:

    ```python
    student = distill(ensemble, student_like(ensemble.members[0]), splits.train_from(0),
                      epochs=10, steps_per_epoch=splits.steps_per_epoch,
                      callbacks=[ftk.DynamicSparsity(update_frequency=100)])
    ```
    """
    if optimizer is None:
        schedule = keras.optimizers.schedules.CosineDecay(0.1, max(1, epochs * steps_per_epoch))
        optimizer = keras.optimizers.SGD(schedule, momentum=0.9)
    distiller = Distiller(student, teacher, temperature=temperature, alpha=alpha)
    distiller.compile(optimizer=optimizer, metrics=[keras.metrics.SparseCategoricalAccuracy("accuracy")])
    distiller.fit(train, epochs=epochs, steps_per_epoch=steps_per_epoch, callbacks=list(callbacks), shuffle=False,
                  validation_data=validation_data, verbose=verbose)
    return student


def distillation_report(teacher: Ensemble, student: keras.Model, test: tf.data.Dataset,
                        ticket: keras.Model | None = None, *, temperature: float | None = None) -> dict:
    """Accuracy, NLL, ECE and Brier score of the student, the ensemble and a ticket.

    Args:
        teacher: the ensemble. student: the distilled student.
        test: finite batches `(x, integer labels)`.
        ticket: optional single ticket to compare with. Defaults to `None`.
        temperature: the distillation temperature, recorded as is. Defaults to `None`.

    Returns:
        `{"student", "ensemble", "ticket"}` metric dicts (`ticket` is `None`
        without one), `"agreement"` (fraction of test examples where the
        student's argmax equals the ensemble's), `"student_density"` and
        `"temperature"`.

    Example:

    ```python
    report = distillation_report(ensemble, student, splits.test, ensemble.members[0])
    report["student"]["accuracy"], report["ensemble"]["accuracy"]
    ```
    """
    labels = dataset_labels(test)
    student_probs = probabilities(student, student.predict(test, verbose=0))
    ensemble_probs = teacher.predict(test)
    ticket_metrics = None
    if ticket is not None:
        ticket_metrics = point_metrics(probabilities(ticket, ticket.predict(test, verbose=0)), labels)
    return {
        "student": point_metrics(student_probs, labels),
        "ensemble": point_metrics(ensemble_probs, labels),
        "ticket": ticket_metrics,
        "agreement": float(np.mean(student_probs.argmax(-1) == ensemble_probs.argmax(-1))),
        "student_density": model_density(student) if sparse_weights(student) else 1.0,
        "temperature": temperature,
    }
