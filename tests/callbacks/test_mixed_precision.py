"""DynamicSparsity under the `mixed_float16` policy (LossScaleOptimizer, float16 compute)."""

import keras
import numpy as np
import pytest

import ftk
from ftk.sparse.optimizer_slots import slot_variables
from tests.callbacks.test_dynamic_sparsity import BATCH, make_data, make_model


@pytest.fixture
def mixed_precision():
    keras.mixed_precision.set_global_policy("mixed_float16")
    yield
    keras.mixed_precision.set_global_policy("float32")


def test_updates_keep_invariants_under_mixed_precision(mixed_precision):
    keras.utils.set_random_seed(0)
    inputs = keras.Input((6, 6, 2))
    x = keras.layers.Conv2D(8, 3, activation="relu")(inputs)
    x = keras.layers.Dense(32, activation="relu")(keras.layers.Flatten()(x))
    model = ftk.sparsify(keras.Model(inputs, keras.layers.Dense(4, dtype="float32")(x)), 0.3, "uniform")
    model.compile(optimizer=keras.optimizers.SGD(0.05, momentum=0.9),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True), jit_compile=False)
    assert isinstance(model.optimizer, keras.optimizers.LossScaleOptimizer)
    counts = {w.name: w.active_count() for w in ftk.sparse_weights(model)}
    dst = ftk.DynamicSparsity(update_frequency=2, growth="gradient")
    x, y = make_data()
    model.fit(x, y, batch_size=BATCH, epochs=2, shuffle=False, callbacks=[dst], verbose=0)
    assert len(dst.updates) == 4 and all(u.grown > 0 for u in dst.updates)
    for w in ftk.sparse_weights(model):
        assert w.active_count() == counts[w.name]
        assert np.all(w.variable.numpy()[w.mask.numpy() == 0] == 0)
        assert len(slot_variables(model.optimizer, w.variable)) == 1  # found through the wrapper


@pytest.fixture
def bfloat16():
    keras.mixed_precision.set_global_policy("mixed_bfloat16")
    yield
    keras.mixed_precision.set_global_policy("float32")


class CountsAfterEveryBatch(keras.callbacks.Callback):
    def on_train_begin(self, logs=None):
        self.counts = []

    def on_train_batch_end(self, batch, logs=None):
        self.counts.append({w.name: w.active_count() for w in ftk.sparse_weights(self.model)})


@pytest.mark.parametrize("growth", ["gradient", "momentum", "random"])
def test_loss_scale_overflows_never_change_counts(mixed_precision, growth):
    """Overflowed steps are not steps: no update uses their inf/NaN gradients."""
    model = make_model(optimizer=keras.optimizers.LossScaleOptimizer(
        keras.optimizers.SGD(0.1, momentum=0.9), initial_scale=2.0**40))
    counts = {w.name: w.active_count() for w in ftk.sparse_weights(model)}
    dst = ftk.DynamicSparsity(update_frequency=1, death_rate_schedule="constant", growth=growth)
    probe = CountsAfterEveryBatch()
    x, y = make_data(n=BATCH * 40)
    model.fit(x * 50, y, batch_size=BATCH, epochs=1, shuffle=False, callbacks=[dst, probe], verbose=0)
    applied = int(model.optimizer.iterations.numpy())
    assert 0 < applied < 40, "some steps must overflow and some must apply"
    assert float(model.optimizer.dynamic_scale.numpy()) < 2.0**40
    assert [u.step for u in dst.updates] == list(range(1, applied + 1))  # each step once
    assert all(u.skipped is None and u.grown == u.pruned > 0 for u in dst.updates)
    assert all(after == counts for after in probe.counts)
    for weight in ftk.sparse_weights(model):
        assert np.all(weight.variable.numpy()[weight.mask.numpy() == 0] == 0)
    assert all(np.all(np.isfinite(g)) for g in dst.dense_gradients().values())


def _recorded_and_reference(model):
    from tests.callbacks.test_dynamic_sparsity import train_to_one_rigl_update

    dst, _, reference = train_to_one_rigl_update(model, update_step=3)
    return dst.dense_gradients(), reference


def _assert_same_gradient(recorded, reference, tolerance):
    assert set(recorded) == {"conv/kernel", "fc/kernel"}
    for name, gradient in recorded.items():
        expected = reference[name]
        norm = np.linalg.norm(expected)
        assert abs(np.linalg.norm(gradient) / norm - 1) < tolerance, name  # not times the loss scale
        assert np.linalg.norm(gradient - expected) / norm < tolerance, name


@pytest.mark.parametrize("scaling", ["automatic", "explicit"])
def test_recorded_gradient_is_unscaled_under_float16(mixed_precision, scaling):
    optimizer = keras.optimizers.SGD(0.05)
    if scaling == "explicit":
        optimizer = keras.optimizers.LossScaleOptimizer(optimizer, initial_scale=2.0**10)
    model = make_model(optimizer=optimizer)
    assert isinstance(model.optimizer, keras.optimizers.LossScaleOptimizer)
    _assert_same_gradient(*_recorded_and_reference(model), tolerance=0.02)


def test_bfloat16_records_the_gradient_and_keeps_counts(bfloat16):
    model = make_model(optimizer=keras.optimizers.SGD(0.05))
    counts = {w.name: w.active_count() for w in ftk.sparse_weights(model)}
    recorded, reference = _recorded_and_reference(model)
    _assert_same_gradient(recorded, reference, tolerance=0.05)
    assert {w.name: w.active_count() for w in ftk.sparse_weights(model)} == counts
