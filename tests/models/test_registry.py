"""Tests for `ftk.models.build_model`."""

import keras
import numpy as np
import pytest

import ftk.models
from ftk.models import MODEL_NAMES, build_model


def _weights(model: keras.Model) -> list[np.ndarray]:
    return [keras.ops.convert_to_numpy(w) for w in model.weights]


@pytest.mark.parametrize(
    "name, input_shape, model_name",
    [
        ("wrn-28-10", (32, 32, 3), "wrn_28_10"),
        ("resnet18", (32, 32, 3), "resnet18_cifar"),
        ("resnet34", (32, 32, 3), "resnet34_cifar"),
        ("resnet50", (32, 32, 3), "resnet50_cifar"),
        ("resnet50_imagenet", (64, 64, 3), "resnet50_imagenet"),
        ("vgg16_bn", (32, 32, 3), "vgg16_bn"),
        ("lenet5", (28, 28, 1), "lenet5"),
        ("lenet_300_100", (784,), "lenet_300_100"),
        ("mlp", (12,), "mlp"),
    ],
)
def test_every_model_name_builds(name, input_shape, model_name):
    model = build_model(name, num_classes=7, input_shape=input_shape, seed=0)
    assert model.name == model_name
    assert model.input_shape == (None, *input_shape)
    assert model.output_shape == (None, 7)


def test_model_names_are_covered():
    assert MODEL_NAMES == (
        "wrn-28-10",
        "resnet18",
        "resnet34",
        "resnet50",
        "resnet50_imagenet",
        "vgg16_bn",
        "lenet5",
        "lenet_300_100",
        "mlp",
    )


def test_any_wrn_and_kwargs_pass_through():
    model = build_model("WRN-10-2", num_classes=3, input_shape=(16, 16, 3), dropout=0.5, seed=0)
    assert model.name == "wrn_10_2"
    assert model.get_layer("stage3_block1_conv2").filters == 128
    assert model.get_layer("stage1_block1_dropout").rate == pytest.approx(0.5)
    model = build_model("mlp", num_classes=2, input_shape=(5,), hidden=(3,), seed=0)
    assert model.count_params() == (5 * 3 + 3) + (3 * 2 + 2)


def test_seed_is_forwarded():
    first, again, other = (
        _weights(build_model("lenet5", num_classes=10, input_shape=(28, 28, 1), seed=s))
        for s in (1, 1, 2)
    )
    assert all(np.array_equal(a, b) for a, b in zip(first, again, strict=True))
    assert not np.array_equal(first[0], other[0])


def test_keras_application():
    def build(seed):
        return build_model(
            "keras.applications.MobileNetV2",
            num_classes=6,
            input_shape=(32, 32, 3),
            seed=seed,
            alpha=0.35,
        )

    model = build(5)
    assert model.output_shape == (None, 6)
    assert model.input_shape == (None, 32, 32, 3)
    assert model.layers[-1].activation is keras.activations.linear
    assert all(
        np.array_equal(a, b) for a, b in zip(_weights(model), _weights(build(5)), strict=True)
    )


@pytest.mark.parametrize("name", ["resnet101", "wrn-28", "wrn-28-10-2", "", "keras.applications"])
def test_unknown_name(name):
    with pytest.raises(
        ValueError, match=r"Unknown model `name`.*'resnet18'.*'lenet_300_100'.*wrn-"
    ) as info:
        build_model(name, num_classes=10, input_shape=(32, 32, 3))
    assert f"Received: name={name!r}" in str(info.value)


@pytest.mark.parametrize("name", ["keras.applications.NotAModel", "keras.applications.resnet"])
def test_unknown_keras_application(name):
    with pytest.raises(ValueError, match=r"`name` must name .*MobileNetV2.*Received: name="):
        build_model(name, num_classes=10, input_shape=(32, 32, 3))


def test_invalid_wrn_depth_from_registry():
    with pytest.raises(ValueError, match="Received: depth=27"):
        build_model("wrn-27-10", num_classes=10, input_shape=(32, 32, 3))


@pytest.mark.parametrize("num_classes", [0, -1, 2.5])
def test_invalid_num_classes(num_classes):
    with pytest.raises(
        ValueError,
        match=rf"`num_classes` must be a positive integer. Received: num_classes={num_classes}",
    ):
        build_model("mlp", num_classes=num_classes, input_shape=(4,))


def test_package_exports():
    for name in (
        "build_model",
        "wide_resnet",
        "resnet18_cifar",
        "resnet50_imagenet",
        "vgg16_bn",
        "lenet5",
        "mlp",
    ):
        assert callable(getattr(ftk.models, name))
