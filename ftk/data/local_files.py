"""Readers for datasets stored as local files: `.npz`, CIFAR pickles, MNIST idx and pickle.

Each reader returns `((x_train, y_train), (x_test, y_test))` like
`keras.datasets.*.load_data()`: NHWC images (uint8 in `[0, 255]` or float32
in `[0, 1]`) and int32 labels.
"""

from __future__ import annotations

import gzip
import pathlib
import pickle
import struct
from typing import Any

import numpy as np

ArrayPair = tuple[np.ndarray, np.ndarray]
ArraySplits = tuple[ArrayPair, ArrayPair]

_NPZ_KEYS = ("x_train", "y_train", "x_test", "y_test")
_MNIST_IDX_FILES = (
    "train-images-idx3-ubyte",
    "train-labels-idx1-ubyte",
    "t10k-images-idx3-ubyte",
    "t10k-labels-idx1-ubyte",
)
_IDX_DTYPES = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}


def _require_path(path: str | None, name: str, expected: str) -> pathlib.Path:
    if path is None:
        raise FileNotFoundError(f"load_data({name!r}) needs `path=`: {expected}.")
    resolved = pathlib.Path(path).expanduser()
    if not resolved.exists():
        raise FileNotFoundError(f"{name}: {resolved} does not exist. Expected {expected}.")
    return resolved


def _as_images(x: np.ndarray) -> np.ndarray:
    """Adds a channel axis to `(n, h, w)` arrays; floats become float32."""
    x = np.asarray(x)
    if x.ndim == 3:
        x = x[..., None]
    if x.ndim != 4:
        raise ValueError(f"Expected images of shape (n, h, w[, c]). Received: shape={x.shape}")
    if np.issubdtype(x.dtype, np.integer) and x.dtype != np.uint8:
        if x.size and (x.min() < 0 or x.max() > 255):
            raise ValueError("Integer images must lie in [0, 255].")
        x = x.astype(np.uint8)
    elif x.dtype != np.uint8:
        x = x.astype(np.float32)
        if x.size and (x.min() < 0.0 or x.max() > 1.0 + 1e-3):
            raise ValueError(
                "Float images must lie in [0, 1]; store [0, 255] pixels as uint8. "
                f"Received: range [{x.min()}, {x.max()}]"
            )
    return x


def _pair(x: np.ndarray, y: np.ndarray) -> ArrayPair:
    x = _as_images(x)
    y = np.asarray(y).reshape(-1).astype(np.int32)
    if len(x) != len(y):
        raise ValueError(f"Got {len(x)} images but {len(y)} labels.")
    return x, y


def load_npz(path: str | None) -> ArraySplits:
    """Reads an `.npz` file holding `x_train`, `y_train`, `x_test` and `y_test`.

    Args:
        path: The `.npz` file. Images are `(n, h, w)` or `(n, h, w, c)`, uint8
            in `[0, 255]` or floats in `[0, 1]`.

    Returns:
        `((x_train, y_train), (x_test, y_test))`.

    Raises:
        FileNotFoundError: if `path` is missing or lacks one of the four arrays.

    Example:

    ```python
    (x_train, y_train), (x_test, y_test) = load_npz("data/my_data.npz")
    ```
    """
    file = _require_path(path, "npz", "an .npz file with arrays " + ", ".join(_NPZ_KEYS))
    with np.load(file) as data:
        missing = [key for key in _NPZ_KEYS if key not in data.files]
        if missing:
            raise FileNotFoundError(
                f"{file} lacks arrays {missing}; expected {list(_NPZ_KEYS)}. "
                f"Found: {data.files}"
            )
        arrays = {key: data[key] for key in _NPZ_KEYS}
    return _pair(arrays["x_train"], arrays["y_train"]), _pair(arrays["x_test"], arrays["y_test"])


def _unpickle(file: pathlib.Path) -> dict[str, Any]:
    with open(file, "rb") as handle:
        raw = pickle.load(handle, encoding="bytes")
    return {(k.decode() if isinstance(k, bytes) else k): v for k, v in raw.items()}


def _cifar_batch(file: pathlib.Path) -> ArrayPair:
    batch = _unpickle(file)
    labels = batch["fine_labels"] if "fine_labels" in batch else batch["labels"]
    images = np.asarray(batch["data"], dtype=np.uint8).reshape(-1, 3, 32, 32)
    return images.transpose(0, 2, 3, 1), np.asarray(labels, dtype=np.int32)


def load_cifar_pickle(path: str | None) -> ArraySplits:
    """Reads the CIFAR "python version" folder (CIFAR-10 or CIFAR-100).

    Args:
        path: `cifar-10-batches-py/` (`data_batch_1` .. `data_batch_5`,
            `test_batch`) or `cifar-100-python/` (`train`, `test`; fine labels),
            or a folder containing one of them.

    Returns:
        `((x_train, y_train), (x_test, y_test))` with uint8 `(n, 32, 32, 3)` images.

    Raises:
        FileNotFoundError: if neither set of files is found.

    Example:

    ```python
    (x_train, y_train), _ = load_cifar_pickle("data/cifar-10-batches-py")
    ```
    """
    expected = (
        "a folder with data_batch_1..data_batch_5 and test_batch (CIFAR-10) "
        "or train and test (CIFAR-100)"
    )
    folder = _require_path(path, "cifar_pickle", expected)
    for candidate in (folder, folder / "cifar-10-batches-py", folder / "cifar-100-python"):
        cifar10 = [candidate / f"data_batch_{i}" for i in range(1, 6)] + [candidate / "test_batch"]
        if all(file.is_file() for file in cifar10):
            train = [_cifar_batch(file) for file in cifar10[:5]]
            x_train = np.concatenate([x for x, _ in train])
            y_train = np.concatenate([y for _, y in train])
            return (x_train, y_train), _cifar_batch(cifar10[5])
        if (candidate / "train").is_file() and (candidate / "test").is_file():
            return _cifar_batch(candidate / "train"), _cifar_batch(candidate / "test")
    raise FileNotFoundError(f"cifar_pickle: no CIFAR files in {folder}. Expected {expected}.")


def _read_idx(file: pathlib.Path) -> np.ndarray:
    opener = gzip.open if file.suffix == ".gz" else open
    with opener(file, "rb") as handle:
        data = handle.read()
    zeros, dtype_code, ndim = struct.unpack(">HBB", data[:4])
    if zeros != 0 or dtype_code not in _IDX_DTYPES:
        raise ValueError(f"{file} is not an idx file (bad magic number).")
    shape = struct.unpack(f">{ndim}I", data[4 : 4 + 4 * ndim])
    array = np.frombuffer(data, dtype=_IDX_DTYPES[dtype_code], offset=4 + 4 * ndim)
    return array.reshape(shape).astype(np.dtype(_IDX_DTYPES[dtype_code]).newbyteorder("="))


def load_mnist_idx(path: str | None) -> ArraySplits:
    """Reads MNIST (or Fashion-MNIST) idx files from a folder.

    Args:
        path: Folder with `train-images-idx3-ubyte`, `train-labels-idx1-ubyte`,
            `t10k-images-idx3-ubyte` and `t10k-labels-idx1-ubyte`, each
            optionally gzipped (`.gz`).

    Returns:
        `((x_train, y_train), (x_test, y_test))` with uint8 `(n, 28, 28, 1)` images.

    Raises:
        FileNotFoundError: if a file is missing.

    Example:

    ```python
    (x_train, y_train), _ = load_mnist_idx("data/mnist")
    ```
    """
    expected = "a folder with " + ", ".join(f"{f}[.gz]" for f in _MNIST_IDX_FILES)
    folder = _require_path(path, "mnist_idx", expected)
    files = []
    for stem in _MNIST_IDX_FILES:
        found = [folder / n for n in (stem, stem + ".gz") if (folder / n).is_file()]
        if not found:
            raise FileNotFoundError(
                f"mnist_idx: {stem}[.gz] not found in {folder}. Expected {expected}."
            )
        files.append(found[0])
    x_train, y_train, x_test, y_test = (_read_idx(file) for file in files)
    return _pair(x_train, y_train), _pair(x_test, y_test)


def load_mnist_pkl(path: str | None) -> ArraySplits:
    """Reads the classic deeplearning.net `mnist.pkl.gz`.

    The pickle holds `((x_train, y_train), (x_val, y_val), (x_test, y_test))`
    with 784-long float rows in `[0, 1]`. Its 50,000 training and 10,000
    validation images are, in that order, the standard 60,000 MNIST training
    images, so they are concatenated into one training set (use
    `validation_split` to hold some out).

    Args:
        path: `mnist.pkl.gz` (or `mnist.pkl`), or a folder containing it.

    Returns:
        `((x_train, y_train), (x_test, y_test))` with float32 `(n, 28, 28, 1)` images.

    Raises:
        FileNotFoundError: if the file is missing.

    Example:

    ```python
    (x_train, y_train), _ = load_mnist_pkl("data/mnist/mnist.pkl.gz")
    ```
    """
    file = _require_path(path, "mnist_pkl", "mnist.pkl.gz (see scripts/fetch_mnist.py)")
    if file.is_dir():
        candidates = [file / n for n in ("mnist.pkl.gz", "mnist.pkl") if (file / n).is_file()]
        if not candidates:
            raise FileNotFoundError(f"mnist_pkl: mnist.pkl.gz not found in {file}.")
        file = candidates[0]
    opener = gzip.open if file.suffix == ".gz" else open
    with opener(file, "rb") as handle:
        train, val, test = pickle.load(handle, encoding="latin1")
    (x_train, y_train), (x_val, y_val), (x_test, y_test) = train, val, test
    x_train = np.concatenate([x_train, x_val]).reshape(-1, 28, 28, 1)
    y_train = np.concatenate([y_train, y_val])
    return _pair(x_train, y_train), _pair(np.reshape(x_test, (-1, 28, 28, 1)), y_test)
