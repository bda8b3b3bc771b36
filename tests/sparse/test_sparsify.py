"""`ftk.sparsify` and `ftk.strip` on Sequential, functional, nested and applications models."""

import subprocess
import sys
import warnings

import keras
import numpy as np
import pytest

import ftk
from ftk.sparse import density_distributions
from ftk.sparse.prunable import Prunable
from ftk.sparse.sparse_weight import iter_layers


def small_cnn(seed=0):
    keras.utils.set_random_seed(seed)
    inputs = keras.Input((8, 8, 3))
    x = keras.layers.Conv2D(8, 3, name="conv1")(inputs)
    x = keras.layers.BatchNormalization(name="bn1")(x)
    x = keras.layers.SeparableConv2D(16, 3, name="sep")(x)
    x = keras.layers.GlobalAveragePooling2D()(x)
    x = keras.layers.Dense(32, activation="relu", name="fc1")(x)
    return keras.Model(inputs, keras.layers.Dense(10, name="logits")(x), name="small_cnn")


def layer_names(model):
    return [l.name for l in model.layers if not isinstance(l, keras.layers.InputLayer)]


def assert_exact_sparsity(model, expected_densities):
    for weight in ftk.sparse_weights(model):
        kernel, mask = weight.variable.numpy(), weight.mask.numpy()
        assert set(np.unique(mask)) <= {0.0, 1.0}
        assert np.count_nonzero(mask) == round(expected_densities[weight.name] * weight.size), weight.name
        assert np.all(kernel[mask == 0] == 0.0), weight.name


def test_exact_counts_zero_kernels_and_erk_densities():
    base = small_cnn()
    model = ftk.sparsify(base, density=0.3, distribution="erk", seed=1)
    shapes = {w.name: w.shape for w in ftk.sparse_weights(model)}
    expected = density_distributions.target_densities(shapes, 0.3, "erk")
    assert_exact_sparsity(model, expected)
    total = sum(w.size for w in ftk.sparse_weights(model))
    assert abs(ftk.density(model) * total - 0.3 * total) <= len(shapes)
    assert list(ftk.layer_densities(model)) == [
        "conv1/kernel", "sep/depthwise_kernel", "sep/pointwise_kernel", "fc1/kernel", "logits/kernel"
    ]


def test_keeps_names_structure_and_active_weights():
    base = small_cnn()
    model = ftk.sparsify(base, density=0.5, distribution="uniform")
    assert layer_names(model) == layer_names(base)
    assert type(model.get_layer("conv1")) is ftk.layers.MaskedConv2D
    assert type(model.get_layer("bn1")) is keras.layers.BatchNormalization
    for old, new in zip(base.layers, model.layers):
        for w_old, w_new in zip(old.weights, [w for w in new.weights if "mask" not in w.name]):
            mask = getattr(new, w_new.name + "_mask", None) if isinstance(new, Prunable) else None
            expected = w_old.numpy() * (mask.numpy() if mask is not None else 1.0)
            np.testing.assert_array_equal(w_new.numpy(), expected)
    # The base model is not modified.
    assert not any(isinstance(l, Prunable) for l in base.layers)


def test_layers_that_end_dense_are_untouched():
    base = small_cnn()
    model = ftk.sparsify(base, density=0.6, distribution="erk")
    densities = ftk.layer_densities(model)
    # The separable kernels have the largest ERK shares (0.875, 0.859 at d=0.5).
    assert [name for name, d in densities.items() if d == 1.0] == [
        "sep/depthwise_kernel", "sep/pointwise_kernel"
    ]
    for name in ("depthwise_kernel", "pointwise_kernel"):
        np.testing.assert_array_equal(
            getattr(model.get_layer("sep"), name).numpy(), getattr(base.get_layer("sep"), name).numpy()
        )


def test_same_seed_same_masks_different_seed_different():
    base = small_cnn()
    masks = lambda m: [w.mask.numpy() for w in ftk.sparse_weights(m)]
    a, b, c = (masks(ftk.sparsify(base, 0.3, "uniform", seed=s)) for s in (7, 7, 8))
    assert all(np.array_equal(x, y) for x, y in zip(a, b))
    assert not all(np.array_equal(x, y) for x, y in zip(a, c))


def test_sequential_and_nested_models():
    inner = keras.Sequential([keras.Input((6,)), keras.layers.Dense(12, name="inner_fc")], name="inner")
    inputs = keras.Input((6,))
    outputs = keras.layers.Dense(3, name="head")(inner(inputs))
    nested = keras.Model(inputs, outputs)
    model = ftk.sparsify(nested, density=0.5, distribution="uniform")
    assert set(ftk.layer_densities(model)) == {"inner/inner_fc/kernel", "head/kernel"}
    assert ftk.density(model) == pytest.approx(0.5, abs=1e-2)
    seq = ftk.sparsify(keras.Sequential([keras.Input((4,)), keras.layers.Dense(8), keras.layers.Dense(2)]), 0.25, "uniform")
    assert [round(d, 3) for d in ftk.layer_densities(seq).values()] == [0.25, 0.25]
    x = np.ones((2, 6), "float32")
    assert model.predict(x, verbose=0).shape == (2, 3)


def test_filters_keep_chosen_layers_dense():
    base = small_cnn()
    model = ftk.sparsify(base, 0.5, "uniform", dense_first_layer=True, dense_last_layer=True, exclude=["sep"])
    assert list(ftk.layer_densities(model)) == ["fc1/kernel"]
    assert type(model.get_layer("conv1")) is keras.layers.Conv2D


def test_custom_densities_by_layer_name():
    model = ftk.sparsify(small_cnn(), distribution="custom",
                         densities={"conv1": 0.5, "sep": 0.25, "fc1": 0.1, "logits": 1.0})
    d = ftk.layer_densities(model)
    assert d["conv1/kernel"] == pytest.approx(0.5, abs=1 / 216)
    assert d["sep/pointwise_kernel"] == pytest.approx(0.25, abs=1 / 128)
    with pytest.raises(ValueError, match="Missing: .*logits"):
        ftk.sparsify(small_cnn(), distribution="custom", densities={"conv1": 0.5, "sep": 0.2, "fc1": 0.1})


@pytest.mark.parametrize("bad", [0.0, -0.1, 1.5, float("nan"), "0.2"])
def test_bad_density_is_a_clear_error(bad):
    with pytest.raises(ValueError, match=r"`density` must be in \(0, 1\]. Received: density="):
        ftk.sparsify(small_cnn(), density=bad)


def test_unknown_distribution_names_the_allowed_values():
    with pytest.raises(ValueError, match="distribution.*erk"):
        ftk.sparsify(small_cnn(), density=0.2, distribution="erdos")


def test_unsupported_layers_stay_dense_with_a_warning():
    inputs = keras.Input((5, 3))
    x = keras.layers.LSTM(4, name="lstm")(inputs)
    model = keras.Model(inputs, keras.layers.Dense(2, name="out")(x))
    with pytest.warns(UserWarning, match=r"lstm \(LSTM\)"):
        sparse = ftk.sparsify(model, 0.5, "uniform")
    assert type(sparse.get_layer("lstm")) is keras.layers.LSTM
    assert list(ftk.layer_densities(sparse)) == ["out/kernel"]


def test_unbuilt_model_is_a_clear_error():
    with pytest.raises(ValueError, match="not built.*keras.Input"):
        ftk.sparsify(keras.Sequential([keras.layers.Dense(3)]), 0.5)


def test_subclassed_model_is_a_clear_error():
    class Net(keras.Model):
        def __init__(self):
            super().__init__()
            self.fc = keras.layers.Dense(2)

        def call(self, x):
            return self.fc(x)

    net = Net()
    net(np.ones((1, 3)))
    with pytest.raises(TypeError, match="subclassed"):
        ftk.sparsify(net, 0.5)


def test_round_trip_and_strip(tmp_path):
    model = ftk.sparsify(small_cnn(), density=0.3, seed=4)
    x = np.random.default_rng(0).normal(size=(4, 8, 8, 3)).astype("float32")
    expected = model.predict(x, verbose=0)
    model.save(tmp_path / "m.keras")
    loaded = keras.saving.load_model(tmp_path / "m.keras")
    np.testing.assert_allclose(loaded.predict(x, verbose=0), expected, atol=1e-6)
    for a, b in zip(ftk.sparse_weights(model), ftk.sparse_weights(loaded)):
        np.testing.assert_array_equal(a.mask.numpy(), b.mask.numpy())

    plain = ftk.strip(model)
    assert not any(isinstance(l, Prunable) for l in iter_layers(plain))
    assert all("mask" not in w.name for w in plain.weights)
    np.testing.assert_allclose(plain.predict(x, verbose=0), expected, atol=1e-6)
    plain.save(tmp_path / "plain.keras")
    np.save(tmp_path / "x.npy", x)
    np.save(tmp_path / "y.npy", expected)
    code = (
        "import numpy as np, keras, sys;"
        f"m = keras.saving.load_model(r'{tmp_path / 'plain.keras'}');"
        f"y = m.predict(np.load(r'{tmp_path / 'x.npy'}'), verbose=0);"
        f"np.testing.assert_allclose(y, np.load(r'{tmp_path / 'y.npy'}'), atol=1e-6);"
        "assert 'ftk' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True, env={"KERAS_BACKEND": "tensorflow", "PATH": ""})


@pytest.mark.parametrize("name", ["MobileNetV2", "ResNet50", "EfficientNetB0"])
def test_keras_applications(name):
    app = getattr(keras.applications, name)
    base = app(weights=None, input_shape=(32, 32, 3), classes=10)
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)  # every layer with a kernel is supported
        model = ftk.sparsify(base, density=0.2, distribution="erk", seed=0)
    assert layer_names(model) == layer_names(base)
    assert ftk.density(model) == pytest.approx(0.2, abs=1e-3)
    shapes = {w.name: w.shape for w in ftk.sparse_weights(model)}
    assert_exact_sparsity(model, density_distributions.target_densities(shapes, 0.2, "erk"))
    x = np.zeros((1, 32, 32, 3), "float32")
    assert model.predict(x, verbose=0).shape == (1, 10)
