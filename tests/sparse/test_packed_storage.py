"""Packed storage: sparse models save as small as they are sparse, and load bit for bit."""

from __future__ import annotations

from pathlib import Path

import keras
import numpy as np
import pytest

import ftk
from ftk.models import lenet_300_100
from ftk.sparse.packed_storage import NEGATIVE_ZEROS, NONZERO, SHAPE, VALUES, PackingStore, UnpackingStore, pack, unpack
from ftk.training import SGD, Adam, AdamW

DATA = Path(__file__).parent / "data"


def _bits(array) -> np.ndarray:
    array = np.asarray(array)
    return array.view(f"u{array.dtype.itemsize}") if array.dtype.kind == "f" else array


def _assert_bit_identical(expected, actual, what):
    assert len(expected) == len(actual), what
    for e, a in zip(expected, actual):
        name = getattr(e, "path", "")
        e, a = np.asarray(keras.ops.convert_to_numpy(e)), np.asarray(keras.ops.convert_to_numpy(a))
        assert e.dtype == a.dtype and e.shape == a.shape, f"{what} {name}"
        np.testing.assert_array_equal(_bits(e), _bits(a), err_msg=f"{what} {name}")


def _trained(model, optimizer=None, steps=4):
    model.compile(optimizer or SGD(0.05, momentum=0.9, weight_decay=5e-4),
                  keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    rng = np.random.default_rng(0)
    shape = tuple(model.inputs[0].shape[1:])
    x = rng.random((16 * steps, *shape), dtype=np.float32)
    y = rng.integers(0, int(model.outputs[0].shape[-1]), 16 * steps)
    model.fit(x, y, batch_size=16, epochs=1, verbose=0)
    return model, x[:16]


# ----- the codec -----

@pytest.mark.parametrize("dtype", ["float32", "float16", "float64", "int32", "int8", "bool"])
@pytest.mark.parametrize("density", [0.0, 0.01, 0.2, 0.5])
def test_pack_round_trips_bit_for_bit(dtype, density):
    rng = np.random.default_rng(1)
    values = rng.normal(size=(64, 48)) * 100
    array = np.where(rng.random((64, 48)) < density, values, 0).astype(dtype)
    packed = pack(array)
    if packed is None:  # only where packing would not pay
        assert array.nbytes < 1024 or np.count_nonzero(array) * array.itemsize > 0.5 * array.nbytes
        return
    restored = unpack(packed[NONZERO], packed[VALUES], packed[SHAPE])
    assert restored.dtype == array.dtype and restored.shape == array.shape
    np.testing.assert_array_equal(_bits(restored), _bits(array))


def test_pack_keeps_negative_zero_nan_and_inf():
    array = np.zeros((32, 32), np.float32)
    array[0, :4] = [-0.0, np.nan, np.inf, -np.inf]
    array[5, 5] = 1e-45  # a subnormal
    packed = pack(array)
    restored = unpack(packed[NONZERO], packed[VALUES], packed[SHAPE], packed[NEGATIVE_ZEROS])
    np.testing.assert_array_equal(restored.view(np.uint32), array.view(np.uint32))


def test_a_mask_packs_to_a_bit_per_entry():
    mask = (np.random.default_rng(0).random((300, 100)) < 0.2).astype(np.float32)
    packed = pack(mask)
    assert packed[VALUES].tolist() == [1.0]
    assert sum(p.nbytes for p in packed.values()) <= mask.size / 8 + 64


def test_dense_and_small_arrays_are_not_packed():
    assert pack(np.random.default_rng(0).normal(size=(64, 64)).astype(np.float32)) is None
    assert pack(np.zeros((8, 8), np.float32)) is None  # 256 bytes: not worth three entries
    assert pack(np.array(["a", "b"] * 600)) is None


def test_unpack_names_a_damaged_entry():
    packed = pack(np.eye(64, dtype=np.float32) * 3.0 + np.diag(np.arange(64.0, dtype=np.float32)))
    with pytest.raises(ValueError, match="damaged"):
        unpack(packed[NONZERO], packed[VALUES][:-1], packed[SHAPE])


def test_stores_show_the_layer_its_own_keys():
    raw = {}
    store = PackingStore(raw)
    kernel = np.where(np.eye(40, dtype=bool), 2.0, 0.0).astype(np.float32)
    bias = np.arange(3, dtype=np.float32)
    store["0"], store["1"], store["kernel_mask"] = kernel, bias, (kernel != 0).astype(np.float32)
    assert sorted(raw) == ["0:nonzero", "0:shape", "0:values", "1",
                           "kernel_mask:nonzero", "kernel_mask:shape", "kernel_mask:values"]
    view = UnpackingStore(raw)
    assert view.keys() == ["1", "0", "kernel_mask"] and len(view) == 3 and "0" in view
    np.testing.assert_array_equal(view["0"], kernel)
    np.testing.assert_array_equal(view["1"], bias)
    assert UnpackingStore({"0": bias, "1": bias}).keys() == ["0", "1"]  # plain stores pass through


# ----- models -----

def _sequential():
    return keras.Sequential([keras.Input((20,)), keras.layers.Dense(64, activation="relu"),
                             keras.layers.Dense(64, activation="relu"), keras.layers.Dense(5)])


def _application():
    return keras.applications.MobileNetV2(input_shape=(32, 32, 3), alpha=0.35, weights=None,
                                          classes=10, classifier_activation=None)


@pytest.mark.parametrize("build", [_sequential, lambda: lenet_300_100(seed=0), _application],
                         ids=["sequential", "functional", "keras_applications"])
def test_sparse_model_round_trips_bit_for_bit(build, tmp_path):
    model, x = _trained(ftk.sparsify(build(), density=0.2, seed=0), steps=2)
    path = tmp_path / "model.keras"
    model.save(path)
    loaded = keras.saving.load_model(path)
    _assert_bit_identical(model.weights, loaded.weights, "weights and masks")
    _assert_bit_identical(model.optimizer.variables, loaded.optimizer.variables, "optimizer state")
    np.testing.assert_array_equal(loaded(x, training=False), model(x, training=False))


@pytest.mark.parametrize("optimizer", [None, "adam", "adamw"])
def test_density_02_file_is_at_most_035x_the_dense_file(optimizer, tmp_path):
    """LeNet-300-100 trained a few steps, optimizer state included, as `model.fit` users save it."""
    make = {None: lambda: None, "adam": lambda: Adam(1e-3), "adamw": lambda: AdamW(1e-3, weight_decay=0.01)}[optimizer]
    dense, _ = _trained(lenet_300_100(seed=0), make())
    sparse, _ = _trained(ftk.sparsify(lenet_300_100(seed=0), density=0.2, seed=0), make())
    dense.save(tmp_path / "dense.keras")
    sparse.save(tmp_path / "sparse.keras")
    ratio = (tmp_path / "sparse.keras").stat().st_size / (tmp_path / "dense.keras").stat().st_size
    assert ratio <= 0.35, ratio


def test_uncompiled_ticket_is_small_too(tmp_path):
    lenet_300_100(seed=0).save(tmp_path / "dense.keras")
    ftk.sparsify(lenet_300_100(seed=0), density=0.2, seed=0).save(tmp_path / "sparse.keras")
    ratio = (tmp_path / "sparse.keras").stat().st_size / (tmp_path / "dense.keras").stat().st_size
    assert ratio <= 0.35, ratio


@pytest.mark.parametrize("sharded", [False, True])
def test_weights_files_round_trip(sharded, tmp_path):
    model, _ = _trained(ftk.sparsify(lenet_300_100(seed=0), density=0.2, seed=0))
    if sharded:  # 200 kB shards: the packed parts of one kernel may land in different files
        path = tmp_path / "w.weights.json"
        model.save_weights(path, max_shard_size=0.0002)
        assert len(list(tmp_path.glob("w_*.weights.h5"))) > 1
    else:
        path = tmp_path / "w.weights.h5"
        model.save_weights(path)
    fresh = ftk.sparsify(lenet_300_100(seed=1), density=0.2, seed=1)
    fresh.load_weights(path)
    _assert_bit_identical(model.weights, fresh.weights, "weights and masks")


def test_files_of_ftk_0_1_still_load():
    """A dense kernel plus a float mask per layer, and dense optimizer slots (the old layout)."""
    expected = np.load(DATA / "ftk_0_1_sparse_model.npz")
    model = keras.saving.load_model(DATA / "ftk_0_1_sparse_model.keras")
    for variable in model.weights:
        np.testing.assert_array_equal(variable.numpy(), expected[f"weight:{variable.path}"], variable.path)
    for variable in model.optimizer.variables:
        np.testing.assert_array_equal(variable.numpy(), expected[f"slot:{variable.path}"], variable.path)
    np.testing.assert_allclose(model.predict(expected["inputs"], verbose=0), expected["outputs"], atol=1e-6)
    assert ftk.density(model) == pytest.approx(0.3, abs=0.01)


def test_negative_zeros_round_trip_and_sparsify_writes_none():
    array = np.where(np.eye(64, dtype=bool), 1.5, -0.0).astype(np.float32)
    packed = pack(array)
    assert NEGATIVE_ZEROS in packed
    restored = unpack(packed[NONZERO], packed[VALUES], packed[SHAPE], packed[NEGATIVE_ZEROS])
    np.testing.assert_array_equal(restored.view(np.uint32), array.view(np.uint32))
    view = UnpackingStore(_packed_into({}, "0", array))
    np.testing.assert_array_equal(view["0"].view(np.uint32), array.view(np.uint32))
    assert view.keys() == ["0"]
    for weight in ftk.sparse_weights(ftk.sparsify(lenet_300_100(seed=0), density=0.2, seed=0)):
        assert not np.signbit(weight.variable.numpy()[weight.mask.numpy() == 0]).any(), weight.name


def _packed_into(raw, key, array):
    PackingStore(raw)[key] = array
    return raw
