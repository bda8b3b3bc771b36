"""`load_data`: batched, augmented, normalised `tf.data` pipelines for a named dataset."""

from __future__ import annotations

from typing import Callable, NamedTuple

import numpy as np
import tensorflow as tf

from ftk.data.augment import IMAGENET_TRAIN_SIZE, Transform, image_transforms
from ftk.data.embedded import load_digits_arrays, load_synthetic_arrays
from ftk.data.epochs import TrainOpener, array_epochs, stream_epochs
from ftk.data.local_files import (
    ArraySplits,
    load_cifar_pickle,
    load_mnist_idx,
    load_mnist_pkl,
    load_npz,
)
from ftk.data.spec import (
    ALL_NAMES,
    FILE_NAMES,
    PRESETS,
    TFDS_NAMES,
    DatasetInfo,
    Preset,
    Splits,
    channel_stats,
    cifar_pickle_preset,
)
from ftk.data.tfds_source import load_tfds_arrays, load_tfds_streams

_FILE_LOADERS: dict[str, Callable[[str | None], ArraySplits]] = {
    "npz": load_npz,
    "cifar_pickle": load_cifar_pickle,
    "mnist_idx": load_mnist_idx,
    "mnist_pkl": load_mnist_pkl,
}
_STREAMED = ("imagenet2012",)


def _check(
    name: str,
    batch_sizes: tuple[int, int],
    validation_split: float,
    shuffle_buffer: int,
    limit: int | None,
    path: str | None,
) -> None:
    if name not in ALL_NAMES:
        raise ValueError(f"Unknown dataset {name!r}. Expected one of: {', '.join(ALL_NAMES)}.")
    if min(batch_sizes) < 1:
        raise ValueError(f"Batch sizes must be >= 1. Received: {batch_sizes}")
    if not 0.0 <= validation_split < 1.0:
        raise ValueError(f"`validation_split` must be in [0, 1). Received: {validation_split}")
    if shuffle_buffer < 1 or (limit is not None and limit < 1):
        raise ValueError(
            f"`shuffle_buffer` and `limit` must be >= 1. Received: {shuffle_buffer}, {limit}"
        )
    if path is not None and name not in FILE_NAMES:
        raise ValueError(f"`path` is only read by {', '.join(FILE_NAMES)}; TFDS uses `data_dir`.")


def load_arrays(name: str, path: str | None = None, data_dir: str | None = None) -> ArraySplits:
    """Returns `((x_train, y_train), (x_test, y_test))` of an in-memory dataset, images in [0, 1]."""
    if name in TFDS_NAMES:
        return load_tfds_arrays(name, data_dir)
    if name in _FILE_LOADERS:
        return _FILE_LOADERS[name](path)
    return (load_digits_arrays if name == "digits" else load_synthetic_arrays)()


def normalisation(
    name: str, x_train: np.ndarray, num_classes: int
) -> tuple[Preset, tuple[tuple[float, ...], tuple[float, ...]]]:
    """The preset of `name` and the per-channel (mean, std) `load_data` normalises with.

    Published statistics where the dataset has them, else those of `x_train`.
    """
    preset = cifar_pickle_preset(num_classes) if name == "cifar_pickle" else PRESETS[name]
    stats = (preset.mean, preset.std) if preset.mean and preset.std else channel_stats(x_train)
    return preset, stats


def _carve_validation(
    x: np.ndarray, y: np.ndarray, fraction: float, seed: int
) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Splits off a seeded random `fraction` of `(x, y)`; both parts keep file order."""
    num_val = int(len(x) * fraction)
    if fraction > 0 and num_val == 0:
        raise ValueError(f"`validation_split={fraction}` leaves no validation example.")
    order = np.random.default_rng(seed).permutation(len(x))
    fit, val = np.sort(order[num_val:]), np.sort(order[:num_val])
    return (x[fit], y[fit]), (x[val], y[val])


def _batched(ds: tf.data.Dataset, fn: Transform, batch_size: int) -> tf.data.Dataset:
    ds = ds.map(
        lambda x, y: (fn(x, None), tf.cast(y, tf.int32)), num_parallel_calls=tf.data.AUTOTUNE
    )
    return ds.batch(batch_size).prefetch(tf.data.AUTOTUNE)


class _Raw(NamedTuple):
    """Unbatched `(image, label)` datasets with what `load_data` needs to know about them."""

    train: tf.data.Dataset
    val: tf.data.Dataset | None
    test: tf.data.Dataset
    num_train: int
    num_val: int
    num_test: int
    num_classes: int
    shape: tuple[int, ...]
    mean: tuple[float, ...]
    std: tuple[float, ...]
    preset: Preset
    arrays: tuple[np.ndarray, np.ndarray] | None = None  # the training split, when in memory
    open_train: TrainOpener | None = None  # reopens the training split, when streamed


def _streamed(
    name: str, data_dir: str | None, validation_split: float, seed: int, limit: int | None
) -> _Raw:
    preset = PRESETS[name]
    (open_train, num_train), val_pair, (test, num_test) = load_tfds_streams(
        name, data_dir, validation_split=validation_split, limit=limit
    )
    val, num_val = val_pair or (None, 0)
    shape = (IMAGENET_TRAIN_SIZE, IMAGENET_TRAIN_SIZE, 3)
    mean, std = preset.mean or (), preset.std or ()
    return _Raw(
        open_train(seed), val, test, num_train, num_val, num_test, preset.num_classes, shape,
        mean, std, preset, open_train=open_train,
    )


def _in_memory(
    name: str,
    path: str | None,
    data_dir: str | None,
    validation_split: float,
    seed: int,
    limit: int | None,
) -> _Raw:
    (x_train, y_train), (x_test, y_test) = load_arrays(name, path, data_dir)
    num_classes = int(max(y_train.max(), y_test.max())) + 1
    (x_train, y_train), (x_val, y_val) = _carve_validation(x_train, y_train, validation_split, seed)
    preset, (mean, std) = normalisation(name, x_train, num_classes)
    shape = tuple(int(d) for d in x_train.shape[1:])
    x_train, y_train, x_val, y_val, x_test, y_test = (
        a[:limit] for a in (x_train, y_train, x_val, y_val, x_test, y_test)
    )
    val = tf.data.Dataset.from_tensor_slices((x_val, y_val)) if len(x_val) else None
    return _Raw(
        tf.data.Dataset.from_tensor_slices((x_train, y_train)),
        val,
        tf.data.Dataset.from_tensor_slices((x_test, y_test)),
        len(x_train), len(x_val), len(x_test),
        preset.num_classes or num_classes, shape, mean, std, preset, (x_train, y_train),
    )


def load_data(
    name: str,
    *,
    batch_size: int = 128,
    eval_batch_size: int | None = None,
    validation_split: float = 0.0,
    augment: bool | None = None,
    data_dir: str | None = None,
    path: str | None = None,
    seed: int = 0,
    shuffle_buffer: int = 10_000,
    limit: int | None = None,
) -> Splits:
    """Loads a dataset as batched `tf.data` pipelines ready for `model.fit`.

    Images come out float32 NHWC, normalised per channel with `info.mean` and
    `info.std`; labels are int32 class indices. Training batches are shuffled
    (seeded, reshuffled every epoch), augmented with TF ops inside the
    pipeline, and all exactly `batch_size` long (`drop_remainder=True`).

    Sources: TFDS (`cifar10`, `cifar100`, `svhn_cropped`, `mnist`,
    `fashion_mnist`, `imagenet2012`; see `ftk.data.tfds_source` for download
    behaviour), local files with `path=` (`npz`, `cifar_pickle`, `mnist_idx`,
    `mnist_pkl`), scikit-learn's `digits`, and `synthetic` smoke-test images.
    Known datasets use published mean/std; `npz`, `mnist_idx`, `digits` and
    `synthetic` use statistics of their training split.

    Args:
        name: Dataset name, one of `ftk.data.DATASET_NAMES`.
        batch_size: Training batch size. Defaults to `128`.
        eval_batch_size: Test and validation batch size. Defaults to `batch_size`.
        validation_split: Fraction in `[0, 1)` of the training set held out
            as `val`, chosen at random with `seed`. Defaults to `0.0`.
        augment: Whether to augment training images. `None` uses the
            dataset's default: on for CIFAR (pad 4, random crop, flip) and
            ImageNet (random-resized crop 224, flip), off otherwise. Defaults to `None`.
        data_dir: TFDS data folder. Defaults to `None`.
        path: File or folder of a local-file dataset. Defaults to `None`.
        seed: Seed of the validation split, shuffling and augmentation. Defaults to `0`.
        shuffle_buffer: Shuffle buffer size; a buffer at least as large as the
            training set shuffles fully. Defaults to `10_000`.
        limit: Keep at most this many examples in each split (for tests and
            demos). Defaults to `None`.

    Returns:
        A `Splits` with the `train`, `test` and `val` pipelines, `info` and
        `steps_per_epoch`.

    Raises:
        ValueError: for an unknown `name`, an argument out of range, or a
            training set smaller than one batch.
        FileNotFoundError: if local files are missing or a TFDS dataset is not prepared.

    Example:

    ```python
    splits = ftk.data.load_data("cifar10", batch_size=128, validation_split=0.1)
    model.fit(splits.train, validation_data=splits.val, epochs=200)
    ```
    """
    eval_batch_size = eval_batch_size or batch_size
    _check(name, (batch_size, eval_batch_size), validation_split, shuffle_buffer, limit, path)
    if name in _STREAMED:
        raw = _streamed(name, data_dir, validation_split, seed, limit)
    else:
        raw = _in_memory(name, path, data_dir, validation_split, seed, limit)
    train, val, test, num_train, num_val, num_test, num_classes, shape, mean, std, preset = raw[:11]
    if num_train < batch_size:
        raise ValueError(f"`batch_size={batch_size}` exceeds the {num_train} training examples.")
    augment = preset.augment if augment is None else augment
    padding = preset.padding or max(1, shape[0] // 8)
    train_fn, eval_fn = image_transforms(
        policy=preset.policy, padding=padding, augment=augment, mean=mean, std=std, shape=shape
    )
    train = train.shuffle(min(shuffle_buffer, num_train), seed=seed, reshuffle_each_iteration=True)
    seeds = tf.data.Dataset.random(seed=seed, rerandomize_each_iteration=True).batch(2)
    train = tf.data.Dataset.zip((train, seeds)).map(
        lambda xy, s: (train_fn(xy[0], s), tf.cast(xy[1], tf.int32)),
        num_parallel_calls=tf.data.AUTOTUNE,
    )

    def train_from(epoch: int, order_seed: int = seed) -> tf.data.Dataset:
        if raw.open_train is not None:  # streamed: files and buffer seeded per epoch
            return stream_epochs(
                raw.open_train, train_fn, epoch, order_seed, batch_size, num_train, shuffle_buffer
            )
        return array_epochs(raw.arrays, train_fn, epoch, order_seed, batch_size)

    info = DatasetInfo(
        name, num_classes, shape, num_train, num_test, num_val, tuple(mean), tuple(std)
    )
    return Splits(
        train=train.batch(batch_size, drop_remainder=True).prefetch(tf.data.AUTOTUNE),
        test=_batched(test, eval_fn, eval_batch_size),
        val=_batched(val, eval_fn, eval_batch_size) if val is not None else None,
        info=info,
        steps_per_epoch=num_train // batch_size,
        train_from=train_from,
    )
