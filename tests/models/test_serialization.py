"""The models are plain Keras: they save, load and clone like any Keras model."""

import keras
import numpy as np
import pytest

from ftk.models import lenet5, mlp, resnet18_cifar, vgg16_bn, wide_resnet

TINY_MODELS = [
    (
        lambda: wide_resnet(depth=10, width=1, input_shape=(16, 16, 3), dropout=0.1, seed=0),
        (2, 16, 16, 3),
    ),
    (lambda: resnet18_cifar(num_classes=3, input_shape=(16, 16, 3), seed=0), (2, 16, 16, 3)),
    (lambda: vgg16_bn(num_classes=3, seed=0), (2, 32, 32, 3)),
    (lambda: lenet5(seed=0), (2, 28, 28, 1)),
    (lambda: mlp(hidden=(8,), input_shape=(5,), dropout=0.2, seed=0), (2, 5)),
]


@pytest.mark.parametrize("build, batch_shape", TINY_MODELS)
def test_only_builtin_keras_layers(build, batch_shape):
    model = build()
    for layer in model.layers:
        assert type(layer).__module__.startswith("keras."), layer.name
        assert getattr(layer, "kernel_regularizer", None) is None, layer.name


@pytest.mark.parametrize("build, batch_shape", TINY_MODELS[::2])
def test_save_and_load(build, batch_shape, tmp_path):
    model = build()
    x = np.random.default_rng(0).normal(size=batch_shape).astype("float32")
    path = tmp_path / "model.keras"
    model.save(path)
    restored = keras.saving.load_model(path)
    assert [layer.name for layer in restored.layers] == [layer.name for layer in model.layers]
    np.testing.assert_allclose(
        keras.ops.convert_to_numpy(restored(x, training=False)),
        keras.ops.convert_to_numpy(model(x, training=False)),
        rtol=1e-5,
        atol=1e-5,
    )


def test_clone_reproduces_seeded_weights():
    # Per-layer integer seeds are part of each layer's config, so a clone
    # re-initialised from the config gets the same weights, layer by layer.
    model = wide_resnet(depth=10, width=1, seed=0)
    clone = keras.models.clone_model(model)
    for a, b in zip(model.weights, clone.weights, strict=True):
        np.testing.assert_array_equal(keras.ops.convert_to_numpy(a), keras.ops.convert_to_numpy(b))
