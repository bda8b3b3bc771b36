"""Reading TensorFlow Datasets (TFDS) datasets: small ones into memory, ImageNet as a stream.

Download behaviour: with `data_dir=None`, TFDS's default folder
(`~/tensorflow_datasets`, or `$TFDS_DATA_DIR`) is used and a missing dataset
is downloaded and prepared there, as `keras.datasets` would; a quick connection
test first (`ftk.data.tfds_download`) turns a machine without internet access
into a `DatasetNotPreparedError` instead of minutes of download retries. With
an explicit `data_dir`, nothing is downloaded: the dataset must already be
prepared there, for example with `tfds build cifar10 --data_dir DIR`. ImageNet
is never downloaded (it needs the manually downloaded archives, `--manual_dir`).
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np
import tensorflow as tf

from ftk.data.local_files import ArrayPair, ArraySplits
from ftk.data.tfds_download import (
    MANUAL_DOWNLOAD,
    DatasetNotPreparedError,
    ensure_available,
    not_prepared_message,
)

#: The split each dataset evaluates on, when it is not `"test"`.
TEST_SPLITS = {"imagenet2012": "validation"}
Stream = tuple[tf.data.Dataset, int]
#: `open_train(seed)`: the training examples, files read in an order seeded by
#: `seed` (an int or a `tf.int64` scalar); and their number.
TrainStream = tuple[Callable[[Any], tf.data.Dataset], int]
_READ_BATCH = 8192


def load_split(name: str, split: str, data_dir: str | None, **kwargs: Any) -> tf.data.Dataset:
    """Returns one split of a TFDS dataset as `(image, label)` pairs.

    Downloads only when no `data_dir` is given (never ImageNet), and only after
    `ensure_available` found the download servers reachable.

    Raises:
        DatasetNotPreparedError: when the dataset is not prepared and cannot be
            downloaded now; the message says how to prepare it.
    """
    import tensorflow_datasets as tfds

    ensure_available(name, data_dir)
    download = data_dir is None and name.split("/")[0] not in MANUAL_DOWNLOAD
    try:
        return tfds.load(
            name,
            split=split,
            data_dir=data_dir,
            as_supervised=True,
            download=download,
            **kwargs,
        )
    except AssertionError as error:  # TFDS's own check, should `ensure_available` miss a case
        if "could not find data" not in str(error) and "manual" not in str(error):
            raise
        version_dir = tfds.builder(name, data_dir=data_dir).data_dir
        raise DatasetNotPreparedError(
            not_prepared_message(name, data_dir, version_dir, f"TFDS cannot read it ({error})")
        ) from error


def _to_arrays(dataset: tf.data.Dataset) -> ArrayPair:
    images, labels = [], []
    for x, y in dataset.batch(_READ_BATCH).as_numpy_iterator():
        images.append(x)
        labels.append(y)
    return np.concatenate(images), np.concatenate(labels).astype(np.int32)


def load_tfds_arrays(name: str, data_dir: str | None = None) -> ArraySplits:
    """Reads the train and test splits of a small TFDS image dataset into memory.

    Args:
        name: A TFDS name such as `"cifar10"`, `"cifar100"`, `"svhn_cropped"`,
            `"mnist"` or `"fashion_mnist"`.
        data_dir: Folder where the dataset is prepared. Defaults to `None`
            (TFDS's default folder, downloading if needed).

    Returns:
        `((x_train, y_train), (x_test, y_test))` with uint8 NHWC images and int32 labels.

    Raises:
        DatasetNotPreparedError: (a `FileNotFoundError`) if the dataset is not
            prepared in `data_dir` and cannot be downloaded now.

    Example:

    ```python
    (x_train, y_train), (x_test, y_test) = load_tfds_arrays("cifar10", "/data/tfds")
    ```
    """
    train = _to_arrays(load_split(name, "train", data_dir))
    test = _to_arrays(load_split(name, TEST_SPLITS.get(name, "test"), data_dir))
    return train, test


def _split_size(name: str, split: str, data_dir: str | None) -> int | None:
    import tensorflow_datasets as tfds

    splits = tfds.builder(name, data_dir=data_dir).info.splits
    return splits[split].num_examples if split in splits else None


def _train_opener(
    name: str, split: str, data_dir: str | None, count: int
) -> Callable[[Any], tf.data.Dataset]:
    """`open_train(seed)`: `split`, files shuffled by `tfds.ReadConfig(shuffle_seed=seed)`."""
    import tensorflow_datasets as tfds

    def open_train(seed: int | tf.Tensor) -> tf.data.Dataset:
        read_config = tfds.ReadConfig(shuffle_seed=seed)
        train = load_split(name, split, data_dir, shuffle_files=True, read_config=read_config)
        return train.take(count)

    return open_train


def load_tfds_streams(
    name: str,
    data_dir: str | None = None,
    *,
    validation_split: float = 0.0,
    limit: int | None = None,
) -> tuple[TrainStream, Stream | None, Stream]:
    """Opens a large TFDS dataset (ImageNet) as unbatched `(image, label)` streams.

    The validation set is the *last* `validation_split` fraction of the TFDS
    `train` split (TFDS split slicing); the test set is the `validation`
    split. The training split comes as `open_train(seed)`, which reads the
    training files in a shuffled order seeded by `seed` (an int, or a
    `tf.int64` scalar such as a seed derived from a member and an epoch).

    Args:
        name: TFDS name, e.g. `"imagenet2012"`.
        data_dir: Folder where the dataset is prepared. Defaults to `None`.
        validation_split: Fraction of `train` held out. Defaults to `0.0`.
        limit: Maximum number of examples per split. Defaults to `None`.

    Returns:
        `((open_train, num_train), (val, num_val) or None, (test, num_test))`.

    Raises:
        DatasetNotPreparedError: (a `FileNotFoundError`) if the dataset is not prepared.
        ValueError: if split sizes are unknown and `limit` is not given.

    Example:

    ```python
    (open_train, n), _, (test, m) = load_tfds_streams("imagenet2012", "/data/tfds")
    train = open_train(seed=0)
    ```
    """
    ensure_available(name, data_dir)  # unprepared, the split sizes would be unknown
    test_split = TEST_SPLITS.get(name, "test")
    total_train = _split_size(name, "train", data_dir)
    total_test = _split_size(name, test_split, data_dir)
    if None in (total_train, total_test):
        if limit is None:
            raise ValueError(f"The split sizes of {name!r} are unknown; pass `limit=`.")
        total_train, total_test = total_train or limit, total_test or limit
    num_val = int(total_train * validation_split)
    num_fit = total_train - num_val
    cap = (lambda n: n) if limit is None else (lambda n: min(n, limit))
    open_train = _train_opener(name, f"train[:{cap(num_fit)}]", data_dir, cap(num_fit))
    result_train = (open_train, cap(num_fit))
    result_val = None
    if num_val > 0:
        val = load_split(name, f"train[{num_fit}:{num_fit + cap(num_val)}]", data_dir)
        result_val = (val.take(cap(num_val)), cap(num_val))
    test = load_split(name, f"{test_split}[:{cap(total_test)}]", data_dir)
    return result_train, result_val, (test.take(cap(total_test)), cap(total_test))
