"""DynamicSparsity under `tf.distribute.MirroredStrategy` on two logical CPUs."""

import numpy as np
import pytest
import tensorflow as tf

import ftk
from tests.callbacks.test_dynamic_sparsity import BATCH, make_data, make_model, train_to_one_rigl_update

pytestmark = pytest.mark.skipif(
    len(tf.config.list_logical_devices("CPU")) < 2, reason="needs the two logical CPUs of conftest.py"
)


def make_strategy():
    return tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])


def replica_values(variable):
    """The per-replica values of a mirrored variable."""
    values = getattr(variable, "value", variable)
    if hasattr(values, "values"):
        return [v.numpy() for v in values.values]
    return [v.numpy() for v in variable._value.values]  # Keras variable around a MirroredVariable


@pytest.mark.parametrize("growth", ["gradient", "random", "momentum"])
def test_masks_and_kernels_identical_on_every_replica(growth):
    strategy = make_strategy()
    assert strategy.num_replicas_in_sync == 2
    model = make_model(strategy=strategy)
    counts = {w.name: w.active_count() for w in ftk.sparse_weights(model)}
    dst = ftk.DynamicSparsity(update_frequency=2, growth=growth, seed=0)
    checks = []

    def check(update):
        for weight in ftk.sparse_weights(model):
            masks, kernels = replica_values(weight.mask), replica_values(weight.variable)
            assert len(masks) == 2
            np.testing.assert_array_equal(masks[0], masks[1])
            np.testing.assert_array_equal(kernels[0], kernels[1])
            assert np.count_nonzero(masks[0]) == counts[weight.name]
            assert np.all(kernels[0][masks[0] == 0] == 0)
        checks.append(update.step)

    dst.add_listener(check)
    x, y = make_data()
    model.fit(x, y, batch_size=BATCH, epochs=2, shuffle=False, callbacks=[dst], verbose=0)
    assert checks == [2, 4, 6, 8]


def test_gradient_growth_uses_the_global_batch():
    strategy = make_strategy()
    model = make_model(strategy=strategy)
    dst, _, gradients = train_to_one_rigl_update(model, update_step=2)
    recorded = dst.dense_gradients()
    assert set(recorded) == {"conv/kernel", "fc/kernel"}  # logits ends dense: no tap
    for name, gradient in recorded.items():
        np.testing.assert_allclose(gradient, gradients[name], rtol=1e-4, atol=1e-6)
