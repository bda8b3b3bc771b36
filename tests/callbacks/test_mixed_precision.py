"""DynamicSparsity under the `mixed_float16` policy (LossScaleOptimizer, float16 compute)."""

import keras
import numpy as np
import pytest

import ftk
from ftk.sparse.optimizer_slots import slot_variables
from tests.callbacks.test_dynamic_sparsity import BATCH, make_data


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
