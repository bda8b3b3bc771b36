"""Distilling an ensemble into a sparse student: `student_like`, the loss, `distill`, the report."""

import keras
import numpy as np
import pytest

import ftk
from ftk.data import load_data
from ftk.ensemble.distillation import (
    DistillationLoss,
    Distiller,
    distill,
    distillation_report,
    student_like,
)
from ftk.models import mlp


def sparse_mlp(density=0.3, seed=0, **kwargs):
    return ftk.sparsify(mlp(hidden=(32,), input_shape=(8, 8, 1), seed=seed), density=density, seed=seed, **kwargs)


def kernels(model):
    return {w.layer.name: w.variable.numpy() for w in ftk.sparse_weights(model)}


def active_counts(model):
    return {w.layer.name: int(w.mask.numpy().sum()) for w in ftk.sparse_weights(model)}


# student_like


def test_student_like_keeps_architecture_and_density():
    ticket = sparse_mlp(density=0.3, distribution="uniform")
    student = student_like(ticket, seed=1)
    assert [type(l) for l in student.layers] == [type(l) for l in ticket.layers]
    assert [tuple(w.shape) for w in student.weights] == [tuple(w.shape) for w in ticket.weights]
    weights = ftk.sparse_weights(student)
    target = ftk.density(ticket) * sum(w.size for w in weights)
    assert abs(sum(w.active_count() for w in weights) - target) <= len(weights)
    for w in weights:
        assert np.all(w.variable.numpy()[w.mask.numpy() == 0] == 0.0)


def test_student_like_draws_fresh_seeded_weights():
    ticket = sparse_mlp()
    a, b, c = student_like(ticket, seed=0), student_like(ticket, seed=0), student_like(ticket, seed=1)
    for name, kernel in kernels(ticket).items():
        assert not np.allclose(kernels(a)[name], kernel)
        np.testing.assert_array_equal(kernels(a)[name], kernels(b)[name])
        assert not np.allclose(kernels(a)[name], kernels(c)[name])


def test_student_like_keeps_dense_layers_and_takes_density():
    ticket = sparse_mlp(density=0.3, dense_first_layer=True)
    student = student_like(ticket)
    assert type(student.get_layer("dense1")) is keras.layers.Dense
    assert abs(ftk.density(student) - ftk.density(ticket)) < 1.0 / 320
    dense_ticket = mlp(hidden=(32,), input_shape=(8, 8, 1), seed=0)
    assert ftk.density(student_like(dense_ticket, density=0.5)) == pytest.approx(0.5, abs=2e-3)


# The loss


def reference_loss(labels, teacher_probs, logits, temperature, alpha):
    def log_softmax(z):
        z = z - z.max(-1, keepdims=True)
        return z - np.log(np.exp(z).sum(-1, keepdims=True))

    log_pt = log_softmax(np.log(teacher_probs) / temperature)
    kl = (np.exp(log_pt) * (log_pt - log_softmax(logits / temperature))).sum(-1)
    ce = -log_softmax(logits)[np.arange(len(labels)), labels]
    return float(np.mean(alpha * temperature**2 * kl + (1 - alpha) * ce))


@pytest.fixture
def batch():
    rng = np.random.default_rng(0)
    logits = rng.normal(size=(6, 5)).astype("float32") * 2
    teacher = rng.dirichlet(np.ones(5), size=6).astype("float32")
    return rng.integers(0, 5, 6), teacher, logits


def loss_value(labels, teacher, logits, **kwargs):
    y_true = np.concatenate([np.eye(logits.shape[-1], dtype="float32")[labels], teacher], -1)
    return float(DistillationLoss(**kwargs)(y_true, logits))


@pytest.mark.parametrize("temperature,alpha", [(4.0, 0.9), (1.0, 0.5), (2.5, 0.3)])
def test_loss_matches_numpy(batch, temperature, alpha):
    expected = reference_loss(*batch, temperature, alpha)
    assert loss_value(*batch, temperature=temperature, alpha=alpha) == pytest.approx(expected, rel=1e-5)


def test_alpha_one_ignores_labels_and_alpha_zero_is_cross_entropy(batch):
    labels, teacher, logits = batch
    other = (labels + 1) % 5
    assert loss_value(labels, teacher, logits, alpha=1.0) == pytest.approx(loss_value(other, teacher, logits, alpha=1.0))
    ce = keras.losses.SparseCategoricalCrossentropy(from_logits=True)(labels, logits)
    assert loss_value(labels, teacher, logits, alpha=0.0) == pytest.approx(float(ce), rel=1e-6)


def test_invalid_arguments_and_configs():
    with pytest.raises(ValueError, match="alpha"):
        DistillationLoss(alpha=1.5)
    with pytest.raises(ValueError, match="temperature"):
        DistillationLoss(temperature=0.0)
    loss = DistillationLoss.from_config(DistillationLoss(3.0, 0.7).get_config())
    assert (loss.temperature, loss.alpha) == (3.0, 0.7)
    student = sparse_mlp()
    distiller = Distiller(student, [sparse_mlp(seed=1), sparse_mlp(seed=2)], temperature=2.0)
    # The teacher is invisible to Keras: only the student's masks and variables.
    assert [w.name for w in ftk.sparse_weights(distiller)] == [w.name for w in ftk.sparse_weights(student)]
    assert len(distiller.trainable_variables) == len(student.trainable_variables)
    restored = Distiller.from_config(distiller.get_config())
    assert restored.teacher is None and restored.temperature == 2.0
    with pytest.raises(ValueError, match="no teacher"):
        restored.compute_loss(np.zeros((2, 8, 8, 1)), np.zeros(2), np.zeros((2, 10)))


# distill and the report


@pytest.fixture(scope="module")
def run():
    """Two sparse members trained briefly, then a student distilled with DynamicSparsity."""
    keras.utils.set_random_seed(0)
    splits = load_data("digits", batch_size=32, limit=256)
    members = []
    for seed in range(2):
        member = sparse_mlp(density=0.3, seed=seed)
        member.compile(keras.optimizers.Adam(1e-2), keras.losses.SparseCategoricalCrossentropy(from_logits=True))
        member.fit(splits.train_from(0, order_seed=seed), epochs=3, steps_per_epoch=splits.steps_per_epoch, verbose=0)
        members.append(member)
    teacher = ftk.Ensemble(members)
    teacher_weights = [w.numpy() for m in members for w in m.weights]
    student = student_like(members[0], seed=7)
    counts = active_counts(student)
    before = distillation_report(teacher, student, splits.test)
    dst = ftk.DynamicSparsity(update_frequency=4, growth="gradient", seed=0)
    trained = distill(teacher, student, splits.train_from(0, order_seed=5), epochs=4,
                      steps_per_epoch=splits.steps_per_epoch, callbacks=[dst])
    after = distillation_report(teacher, trained, splits.test, ticket=members[0], temperature=4.0)
    return dict(teacher=teacher, teacher_weights=teacher_weights, student=student, trained=trained,
                counts=counts, before=before, after=after, dst=dst)


def test_distill_returns_the_student_with_exact_density_and_topology_updates(run):
    trained = run["trained"]
    assert trained is run["student"] and not isinstance(trained, Distiller)
    assert len(run["dst"].updates) >= 3
    assert sum(u.grown for u in run["dst"].updates) > 0
    assert active_counts(trained) == run["counts"]
    for w in ftk.sparse_weights(trained):
        assert np.all(w.variable.numpy()[w.mask.numpy() == 0] == 0.0)


def test_distill_never_trains_the_teacher(run):
    now = [w.numpy() for m in run["teacher"].members for w in m.weights]
    for old, new in zip(run["teacher_weights"], now, strict=True):
        np.testing.assert_array_equal(old, new)


def test_student_agrees_more_with_teacher_after_distillation(run):
    assert run["after"]["agreement"] > run["before"]["agreement"] + 0.2
    assert run["after"]["student"]["accuracy"] > run["before"]["student"]["accuracy"]


def test_distillation_report_has_all_keys(run):
    report = run["after"]
    assert set(report) >= {"student", "ensemble", "ticket", "student_density", "temperature"}
    for key in ("student", "ensemble", "ticket"):
        assert set(report[key]) == {"accuracy", "nll", "ece", "brier"}
    assert report["student_density"] == pytest.approx(ftk.density(run["trained"]))
    assert report["temperature"] == 4.0 and run["before"]["ticket"] is None
