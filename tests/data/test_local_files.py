"""Tests for the local-file readers (`npz`, `cifar_pickle`, `mnist_idx`, `mnist_pkl`)."""

import gzip
import os
import pickle
import struct

os.environ.setdefault("KERAS_BACKEND", "tensorflow")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from ftk.data import load_data  # noqa: E402
from ftk.data.local_files import (  # noqa: E402
    load_cifar_pickle,
    load_mnist_idx,
    load_mnist_pkl,
    load_npz,
)


def _write_npz(path, n_train=40, n_test=12, shape=(6, 6, 3)):
    rng = np.random.default_rng(0)
    arrays = {
        "x_train": rng.integers(0, 256, (n_train, *shape), dtype=np.uint8),
        "y_train": np.arange(n_train) % 4,
        "x_test": rng.integers(0, 256, (n_test, *shape), dtype=np.uint8),
        "y_test": np.arange(n_test) % 4,
    }
    np.savez(path, **arrays)
    return arrays


def test_npz_round_trip(tmp_path):
    arrays = _write_npz(tmp_path / "d.npz")
    (x_train, y_train), (x_test, y_test) = load_npz(str(tmp_path / "d.npz"))
    np.testing.assert_array_equal(x_train, arrays["x_train"])
    np.testing.assert_array_equal(y_test, arrays["y_test"])
    assert y_train.dtype == np.int32 and x_test.shape == (12, 6, 6, 3)

    splits = load_data("npz", path=str(tmp_path / "d.npz"), batch_size=8)
    assert splits.info.num_classes == 4
    assert splits.info.input_shape == (6, 6, 3)
    # Statistics come from the training images.
    expected_mean = (arrays["x_train"] / 255.0).mean(axis=(0, 1, 2))
    np.testing.assert_allclose(splits.info.mean, expected_mean, rtol=1e-6)
    x, _ = next(iter(splits.test))
    expected = (arrays["x_test"][:8] / 255.0 - splits.info.mean) / splits.info.std
    np.testing.assert_allclose(x.numpy(), expected, rtol=1e-4, atol=1e-5)


def test_npz_grayscale_gets_channel_axis(tmp_path):
    np.savez(
        tmp_path / "g.npz",
        x_train=np.zeros((10, 5, 5), np.uint8), y_train=np.zeros(10),
        x_test=np.zeros((3, 5, 5), np.uint8), y_test=np.zeros(3),
    )
    (x_train, _), _ = load_npz(str(tmp_path / "g.npz"))
    assert x_train.shape == (10, 5, 5, 1)


def test_npz_missing_key_and_file(tmp_path):
    np.savez(tmp_path / "bad.npz", x_train=np.zeros((2, 4, 4)))
    with pytest.raises(FileNotFoundError, match="y_train"):
        load_npz(str(tmp_path / "bad.npz"))
    with pytest.raises(FileNotFoundError, match="does not exist"):
        load_data("npz", path=str(tmp_path / "nothing.npz"))
    with pytest.raises(FileNotFoundError, match="path="):
        load_data("npz")


def _cifar_batch(path, n, label_key, seed):
    rng = np.random.default_rng(seed)
    data = rng.integers(0, 256, (n, 3072), dtype=np.uint8)
    labels = list(rng.integers(0, 10, n))
    with open(path, "wb") as f:
        pickle.dump({b"data": data, label_key: labels}, f)
    return data, labels


def test_cifar10_pickle_folder(tmp_path):
    folder = tmp_path / "cifar-10-batches-py"
    folder.mkdir()
    batches = [_cifar_batch(folder / f"data_batch_{i}", 4, b"labels", i) for i in range(1, 6)]
    test_data, test_labels = _cifar_batch(folder / "test_batch", 6, b"labels", 9)
    # The parent folder works too.
    (x_train, y_train), (x_test, y_test) = load_cifar_pickle(str(tmp_path))
    assert x_train.shape == (20, 32, 32, 3) and x_test.shape == (6, 32, 32, 3)
    np.testing.assert_array_equal(y_train[4:8], batches[1][1])
    np.testing.assert_array_equal(y_test, test_labels)
    # Rows are channel-major: red plane, then green, then blue.
    np.testing.assert_array_equal(x_test[0, :, :, 1], test_data[0, 1024:2048].reshape(32, 32))

    splits = load_data("cifar_pickle", path=str(folder), batch_size=4)
    assert splits.info.mean == (0.4914, 0.4822, 0.4465)
    assert splits.steps_per_epoch == 5


def test_cifar100_pickle_folder(tmp_path):
    _cifar_batch(tmp_path / "train", 8, b"fine_labels", 0)
    _, labels = _cifar_batch(tmp_path / "test", 4, b"fine_labels", 1)
    _, (_, y_test) = load_cifar_pickle(str(tmp_path))
    np.testing.assert_array_equal(y_test, labels)


def test_cifar_pickle_missing(tmp_path):
    with pytest.raises(FileNotFoundError, match="data_batch_1"):
        load_cifar_pickle(str(tmp_path))


def _write_idx(path, array, gz):
    header = struct.pack(">HBB", 0, 0x08, array.ndim) + struct.pack(f">{array.ndim}I", *array.shape)
    opener = gzip.open if gz else open
    with opener(path, "wb") as f:
        f.write(header + array.astype(np.uint8).tobytes())


@pytest.mark.parametrize("gz", [False, True])
def test_mnist_idx(tmp_path, gz):
    rng = np.random.default_rng(0)
    x_train = rng.integers(0, 256, (12, 28, 28), dtype=np.uint8)
    y_train = np.arange(12) % 10
    suffix = ".gz" if gz else ""
    _write_idx(tmp_path / f"train-images-idx3-ubyte{suffix}", x_train, gz)
    _write_idx(tmp_path / f"train-labels-idx1-ubyte{suffix}", y_train, gz)
    _write_idx(tmp_path / f"t10k-images-idx3-ubyte{suffix}", x_train[:5], gz)
    _write_idx(tmp_path / f"t10k-labels-idx1-ubyte{suffix}", y_train[:5], gz)
    (xt, yt), (xs, ys) = load_mnist_idx(str(tmp_path))
    np.testing.assert_array_equal(xt[..., 0], x_train)
    np.testing.assert_array_equal(yt, y_train)
    assert xs.shape == (5, 28, 28, 1) and ys.dtype == np.int32


def test_mnist_idx_missing_names_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="train-images-idx3-ubyte"):
        load_data("mnist_idx", path=str(tmp_path))


def test_mnist_pkl(tmp_path):
    rng = np.random.default_rng(0)
    parts = [
        (rng.integers(0, 256, (n, 784)).astype(np.float32) / 256.0, np.arange(n) % 10)
        for n in (6, 3, 4)
    ]
    with gzip.open(tmp_path / "mnist.pkl.gz", "wb") as f:
        pickle.dump(tuple(parts), f)
    (x_train, y_train), (x_test, y_test) = load_mnist_pkl(str(tmp_path))  # folder works
    assert x_train.shape == (9, 28, 28, 1) and x_train.dtype == np.float32
    np.testing.assert_array_equal(x_train[6].reshape(-1), parts[1][0][0])
    np.testing.assert_array_equal(y_test, parts[2][1])

    splits = load_data("mnist_pkl", path=str(tmp_path / "mnist.pkl.gz"), batch_size=3)
    assert splits.info.mean == (0.1307,) and splits.info.num_train == 9
    x, _ = next(iter(splits.test))
    expected = (parts[2][0][:3].reshape(3, 28, 28, 1) - 0.1307) / 0.3081
    np.testing.assert_allclose(x.numpy(), expected, rtol=1e-5)


def test_mnist_pkl_missing(tmp_path):
    with pytest.raises(FileNotFoundError, match="mnist.pkl.gz"):
        load_mnist_pkl(str(tmp_path))
