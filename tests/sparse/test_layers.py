"""Shared harness for every masked layer class."""

import numpy as np
import pytest
import keras

import ftk
from ftk.sparse import layers as masked

# (masked class, plain class, constructor kwargs, input shape)
CASES = [
    (masked.MaskedDense, keras.layers.Dense, dict(units=5), (3, 6)),
    (masked.MaskedEinsumDense, keras.layers.EinsumDense, dict(equation="ab,bc->ac", output_shape=5, bias_axes="c"), (3, 6)),
    (masked.MaskedConv1D, keras.layers.Conv1D, dict(filters=4, kernel_size=3), (2, 9, 3)),
    (masked.MaskedConv2D, keras.layers.Conv2D, dict(filters=4, kernel_size=3), (2, 7, 7, 3)),
    (masked.MaskedConv3D, keras.layers.Conv3D, dict(filters=2, kernel_size=2), (1, 4, 4, 4, 2)),
    (masked.MaskedConv2DTranspose, keras.layers.Conv2DTranspose, dict(filters=4, kernel_size=3), (2, 5, 5, 3)),
    (masked.MaskedDepthwiseConv2D, keras.layers.DepthwiseConv2D, dict(kernel_size=3), (2, 7, 7, 3)),
    (masked.MaskedSeparableConv2D, keras.layers.SeparableConv2D, dict(filters=4, kernel_size=3), (2, 7, 7, 3)),
    (masked.MaskedEmbedding, keras.layers.Embedding, dict(input_dim=10, output_dim=4), None),
]
IDS = [case[0].__name__ for case in CASES]


def _inputs(shape):
    if shape is None:
        return np.array([[1, 2, 3], [4, 5, 9]], dtype="int32")
    return np.random.default_rng(0).normal(size=shape).astype("float32")


def _random_masks(layer, seed=0):
    rng = np.random.default_rng(seed)
    for mask in layer.masks.values():
        mask.assign((rng.random(mask.shape) < 0.5).astype("float32"))


@pytest.mark.parametrize("cls, plain_cls, kwargs, shape", CASES, ids=IDS)
def test_masks_start_dense_and_match_plain_layer(cls, plain_cls, kwargs, shape):
    x = _inputs(shape)
    layer, plain = cls(**kwargs), plain_cls(**kwargs)
    layer(x), plain(x)
    for mask in layer.masks.values():
        np.testing.assert_array_equal(mask.numpy(), 1.0)
        assert not mask.trainable
    plain.set_weights([w.numpy() for w in layer.weights if "mask" not in w.name])
    np.testing.assert_allclose(layer(x), plain(x), rtol=1e-5, atol=1e-5)
    assert layer.get_config() == {**plain.get_config(), "name": layer.name}


@pytest.mark.parametrize("cls, plain_cls, kwargs, shape", CASES, ids=IDS)
def test_forward_uses_masked_weights(cls, plain_cls, kwargs, shape):
    x = _inputs(shape)
    layer, plain = cls(**kwargs), plain_cls(**kwargs)
    layer(x), plain(x)
    _random_masks(layer)
    values = []
    for w in layer.weights:
        if "mask" in w.name:
            continue
        value = w.numpy()
        for attr, mask in layer.masks.items():
            if layer.prunable_variable(attr) is w:
                value = value * mask.numpy()
        values.append(value)
    plain.set_weights(values)
    np.testing.assert_allclose(layer(x), plain(x), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("cls, plain_cls, kwargs, shape", CASES[:-1], ids=IDS[:-1])
def test_gradient_of_masked_entries_is_exactly_zero(cls, plain_cls, kwargs, shape):
    import tensorflow as tf

    x = _inputs(shape)
    layer = cls(**kwargs)
    layer(x)
    _random_masks(layer)
    variables = [layer.prunable_variable(attr) for attr in layer.prunable_weights]
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(tf.square(layer(x)))
    for variable, gradient, mask in zip(variables, tape.gradient(loss, variables), layer.masks.values()):
        gradient = gradient.numpy()
        assert np.all(gradient[mask.numpy() == 0] == 0.0)
        assert np.any(gradient[mask.numpy() == 1] != 0.0)


@pytest.mark.parametrize("cls, plain_cls, kwargs, shape", CASES, ids=IDS)
def test_keras_file_round_trip_keeps_masks(cls, plain_cls, kwargs, shape, tmp_path):
    x = _inputs(shape)
    inputs = keras.Input(x.shape[1:], dtype=x.dtype)
    layer = cls(**kwargs)
    model = keras.Model(inputs, layer(inputs))
    _random_masks(layer, seed=3)
    model.save(tmp_path / "m.keras")
    loaded = keras.saving.load_model(tmp_path / "m.keras")
    restored = loaded.layers[1]
    assert type(restored) is cls and restored.name == layer.name
    for attr in layer.prunable_weights:
        np.testing.assert_array_equal(restored.masks[attr].numpy(), layer.masks[attr].numpy())
    np.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0), atol=1e-6)


def test_call_keeps_the_training_argument():
    assert "training" in masked.MaskedDense(3).call_signature_parameters


@keras.saving.register_keras_serializable(package="tests")
class ScaledDense(ftk.Prunable, keras.layers.Layer):
    """A custom layer that opts in by declaring its prunable weight."""

    prunable_weights = ("kernel",)

    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.units = units

    def build(self, input_shape):
        self.kernel = self.add_weight(shape=(input_shape[-1], self.units), name="kernel")

    def call(self, x, training=None):
        return 2.0 * keras.ops.matmul(x, self.kernel)

    def get_config(self):
        return {**super().get_config(), "units": self.units}


def test_custom_layer_opts_in_and_round_trips(tmp_path):
    x = _inputs((4, 6))
    layer = ScaledDense(3)
    model = keras.Sequential([keras.Input((6,)), layer])
    _random_masks(layer)
    expected = 2.0 * x @ (layer.kernel.numpy() * layer.kernel_mask.numpy())
    np.testing.assert_allclose(model(x), expected, rtol=1e-5)
    assert "training" in layer.call_signature_parameters
    model.save(tmp_path / "c.keras")
    loaded = keras.saving.load_model(tmp_path / "c.keras")
    np.testing.assert_array_equal(loaded.layers[0].kernel_mask.numpy(), layer.kernel_mask.numpy())
