"""Tests for VGG-16-BN, the LeNets and the MLP."""

from itertools import pairwise

import keras
import numpy as np
import pytest

from ftk.models import lenet5, lenet_300_100, mlp, vgg16_bn


def _dense_count(sizes: list[int]) -> int:
    return sum(a * b + b for a, b in pairwise(sizes))


def _weights(model: keras.Model) -> list[np.ndarray]:
    return [keras.ops.convert_to_numpy(w) for w in model.weights]


def test_vgg16_bn_parameter_count_and_layout():
    model = vgg16_bn(num_classes=10, seed=0)
    config = [64, 64, 128, 128, 256, 256, 256, 512, 512, 512, 512, 512, 512]
    channels, expected = 3, 0
    for filters in config:
        expected += 9 * channels * filters + 4 * filters  # bias-free conv + BN
        channels = filters
    expected += 512 * 10 + 10
    assert model.count_params() == expected
    convs = [layer for layer in model.layers if isinstance(layer, keras.layers.Conv2D)]
    assert len(convs) == 13 and not any(conv.use_bias for conv in convs)
    assert sum(isinstance(layer, keras.layers.MaxPooling2D) for layer in model.layers) == 5
    assert sum(isinstance(layer, keras.layers.Dense) for layer in model.layers) == 1
    assert model.get_layer("block5_conv3").output.shape[1:] == (2, 2, 512)
    assert model.name == "vgg16_bn"
    assert model(np.zeros((2, 32, 32, 3), "float32")).shape == (2, 10)


def test_lenet_300_100_parameter_count():
    model = lenet_300_100(num_classes=10, input_shape=(784,))
    assert model.count_params() == _dense_count([784, 300, 100, 10]) == 266_610
    assert lenet_300_100(input_shape=(28, 28, 1)).count_params() == 266_610
    assert model.name == "lenet_300_100"
    assert [layer.units for layer in model.layers if isinstance(layer, keras.layers.Dense)] == [
        300,
        100,
        10,
    ]


def test_lenet5_parameter_count_and_shape():
    model = lenet5(num_classes=10, input_shape=(28, 28, 1), seed=0)
    expected = (5 * 5 * 1 * 6 + 6) + (5 * 5 * 6 * 16 + 16) + _dense_count([16 * 5 * 5, 120, 84, 10])
    assert model.count_params() == expected == 61_706
    assert model.get_layer("flatten").output.shape[1:] == (400,)
    assert model(np.zeros((3, 28, 28, 1), "float32")).shape == (3, 10)
    # The last layer returns logits.
    assert model.get_layer("predictions").activation is keras.activations.linear


def test_mlp_shapes_and_dropout():
    model = mlp(hidden=(32, 16), num_classes=4, input_shape=(8, 3), dropout=0.25, seed=0)
    assert model.count_params() == _dense_count([24, 32, 16, 4])
    assert model.get_layer("dropout2").rate == pytest.approx(0.25)
    assert model(np.ones((5, 8, 3), "float32")).shape == (5, 4)
    assert not any(isinstance(layer, keras.layers.Dropout) for layer in mlp(hidden=(8,)).layers)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"hidden": (8, 0)}, r"`hidden` must be .*Received: hidden=\(8, 0\)"),
        ({"hidden": (8.5,)}, r"`hidden` must be .*Received: hidden=\(8.5,\)"),
        ({"dropout": -0.1}, r"`dropout` must be in \[0, 1\). Received: dropout=-0.1"),
    ],
)
def test_mlp_invalid_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        mlp(**kwargs)


@pytest.mark.parametrize(
    "builder, kwargs",
    [
        (mlp, {"hidden": (16, 16), "input_shape": (6,)}),
        (lenet5, {}),
        (lenet_300_100, {}),
        (vgg16_bn, {"num_classes": 3}),
    ],
)
def test_seed_reproducibility(builder, kwargs):
    first, again, other = (_weights(builder(seed=seed, **kwargs)) for seed in (7, 7, 8))
    assert all(np.array_equal(a, b) for a, b in zip(first, again, strict=True))
    kernels = [i for i, w in enumerate(first) if w.ndim >= 2]
    assert kernels and not any(np.array_equal(first[i], other[i]) for i in kernels)
    # Unseeded builds differ from each other.
    unseeded = _weights(builder(**kwargs)), _weights(builder(**kwargs))
    assert not np.array_equal(unseeded[0][kernels[0]], unseeded[1][kernels[0]])
