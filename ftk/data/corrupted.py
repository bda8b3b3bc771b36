"""Corrupted test sets: any `load_data` dataset corrupted on the fly, and CIFAR-10-C / CIFAR-100-C.

`corrupted_test` corrupts the clean test split with `ftk.data.corruptions`
(seeded per example, so results do not depend on `batch_size`);
`cifar_c_test` reads the published, precomputed CIFAR-10-C (TFDS
`cifar10_corrupted/<corruption>_<severity>`) or CIFAR-100-C (a local folder
of the original `.npy` files). Both yield batches normalised like
`load_data`'s test split.
"""

from __future__ import annotations

import pathlib
from collections.abc import Callable

import numpy as np
import tensorflow as tf

from ftk.data.augment import resize_center_crop
from ftk.data.corruptions import check_corruption, check_severity, corrupt
from ftk.data.spec import ALL_NAMES, FILE_NAMES, PRESETS, TFDS_NAMES, DatasetInfo
from ftk.data.pipeline import load_arrays, normalisation
from ftk.data.tfds_source import TEST_SPLITS, load_split

CIFAR_C_NAMES: tuple[str, ...] = ("cifar10_corrupted", "cifar100_corrupted")
CIFAR_C_CORRUPTIONS: tuple[str, ...] = (
    "gaussian_noise", "shot_noise", "impulse_noise", "speckle_noise", "defocus_blur",
    "frosted_glass_blur", "motion_blur", "zoom_blur", "gaussian_blur", "snow", "frost", "fog",
    "spatter", "brightness", "contrast", "saturate", "elastic", "pixelate", "jpeg_compression",
)  # TFDS spelling; the original files are glass_blur.npy and elastic_transform.npy
_ALIASES = {"glass_blur": "frosted_glass_blur", "elastic_transform": "elastic"}
_NPY_STEMS = {"frosted_glass_blur": "glass_blur", "elastic": "elastic_transform"}
_Stats = tuple[tuple[float, ...], tuple[float, ...]]


def _clean_test(
    name: str, path: str | None, data_dir: str | None, limit: int | None
) -> tuple[tf.data.Dataset, _Stats]:
    """Unbatched raw `(image, label)` test examples and the mean/std `load_data` would use."""
    if name in TFDS_NAMES:  # every TFDS dataset has published statistics
        split = TEST_SPLITS.get(name, "test") + ("" if limit is None else f"[:{limit}]")
        test = load_split(name, split, data_dir).take(-1 if limit is None else limit)
        return test, (PRESETS[name].mean or (), PRESETS[name].std or ())
    (x_train, y_train), (x_test, y_test) = load_arrays(name, path, data_dir)
    _, stats = normalisation(name, x_train, int(max(y_train.max(), y_test.max())) + 1)
    return tf.data.Dataset.from_tensor_slices((x_test[:limit], y_test[:limit])), stats


def _normalised_batches(
    examples: tf.data.Dataset,
    stats: _Stats,
    batch_size: int,
    transform: Callable[[tf.Tensor, tf.Tensor], tf.Tensor] | None = None,
) -> tf.data.Dataset:
    """Scales to `[0, 1]`, applies `transform(image, index)`, normalises and batches."""
    mean, std = tf.constant(stats[0], tf.float32), tf.constant(stats[1], tf.float32)

    def prepare(index: tf.Tensor, example: tuple[tf.Tensor, tf.Tensor]) -> tuple[tf.Tensor, ...]:
        image, label = example
        unit = tf.cast(image, tf.float32) / (255.0 if image.dtype == tf.uint8 else 1.0)
        unit = transform(unit, index) if transform is not None else unit
        return (unit - mean) / std, tf.cast(label, tf.int32)

    batches = examples.enumerate().map(prepare, num_parallel_calls=tf.data.AUTOTUNE)
    return batches.batch(batch_size).prefetch(tf.data.AUTOTUNE)


def corrupted_test(
    name: str,
    corruption: str,
    severity: int,
    *,
    batch_size: int = 128,
    data_dir: str | None = None,
    path: str | None = None,
    limit: int | None = None,
    seed: int = 0,
    info: DatasetInfo | None = None,
) -> tf.data.Dataset:
    """Loads a dataset's test split, corrupted on the fly, as normalised batches.

    Test images are read as `load_data` reads them, scaled to `[0, 1]`
    (ImageNet: resized to 256 and center-cropped to 224 first), corrupted
    with `ftk.data.corruptions.corrupt` (example `i` with the stateless seed
    `[seed, i]`), then normalised. Labels and order equal those of the clean
    `load_data(name).test`. Severity parameters follow the image size
    (`ftk.data.corruptions.tables.table_for_size`): CIFAR-10-C's below 48 px,
    Tiny-ImageNet-C's from 48 px, ImageNet-C's from 112 px (e.g. the 224 px
    ImageNet crops).

    Args:
        name: Dataset name, one of `ftk.data.DATASET_NAMES`.
        corruption: A key of `ftk.data.corruptions.CORRUPTIONS`.
        severity: Integer severity in 1..5.
        batch_size: Batch size; the last batch may be smaller. Defaults to `128`.
        data_dir: TFDS data folder. Defaults to `None`.
        path: File or folder of a local-file dataset. Defaults to `None`.
        limit: Keep at most this many test examples. Defaults to `None`.
        seed: Seed of the random corruptions. Defaults to `0`.
        info: The `DatasetInfo` of the `load_data` call the model was trained
            with, whose `mean`/`std` are used. Defaults to `None`: published
            statistics, else those of the whole training split (as with
            `validation_split=0`).

    Returns:
        A `tf.data.Dataset` of `(images, labels)`: float32 NHWC and int32.

    Raises:
        ValueError: for an unknown dataset or corruption, or a bad argument.
        FileNotFoundError: if local files are missing or a TFDS dataset is not prepared.

    Example:

    ```python
    splits = ftk.data.load_data("cifar10")
    noisy = corrupted_test("cifar10", "gaussian_noise", 3, info=splits.info)
    model.evaluate(noisy)
    ```
    """
    severity = check_corruption(corruption, severity)
    if name not in ALL_NAMES:
        raise ValueError(f"Unknown dataset {name!r}. Expected one of: {', '.join(ALL_NAMES)}.")
    if batch_size < 1 or (limit is not None and limit < 1):
        raise ValueError(f"`batch_size` and `limit` must be >= 1. Received: {batch_size}, {limit}")
    if path is not None and name not in FILE_NAMES:
        raise ValueError(f"`path` is only read by {', '.join(FILE_NAMES)}; TFDS uses `data_dir`.")
    examples, stats = _clean_test(name, path, data_dir, limit)
    stats = (info.mean, info.std) if info is not None else stats
    geometry = PRESETS.get(name) is not None and PRESETS[name].policy == "imagenet"

    def transform(image: tf.Tensor, index: tf.Tensor) -> tf.Tensor:
        image = resize_center_crop(image) if geometry else image
        return corrupt(image, corruption, severity, tf.stack([tf.cast(seed, tf.int64), index]))

    return _normalised_batches(examples, stats, batch_size, transform)


def _npy_test(path: str, corruption: str, severity: int, limit: int | None) -> tf.data.Dataset:
    """Reads one severity of `<corruption>.npy` + `labels.npy` (a folder, or one `.npz`)."""
    root, stem = pathlib.Path(path).expanduser(), _NPY_STEMS.get(corruption, corruption)
    expected = (
        f"a folder with {stem}.npy (uint8 (50000, 32, 32, 3): severities 1..5 of 10000 test "
        f"images each) and labels.npy, or an .npz with arrays {stem!r} and 'labels'"
    )
    if root.suffix == ".npz" and root.is_file():
        with np.load(root) as data:
            if stem not in data.files or "labels" not in data.files:
                raise FileNotFoundError(f"{root} lacks arrays; expected {expected}.")
            images, labels = data[stem], data["labels"]
    elif (root / f"{stem}.npy").is_file() and (root / "labels.npy").is_file():
        images, labels = np.load(root / f"{stem}.npy", mmap_mode="r"), np.load(root / "labels.npy")
    else:
        raise FileNotFoundError(f"No corrupted CIFAR data at {root}. Expected {expected}.")
    per_level = len(images) // 5
    if len(images) % 5 or len(labels) not in (len(images), per_level):
        raise ValueError(f"Expected 5 equal severity blocks; got {len(images)} images, "
                         f"{len(labels)} labels in {root}.")
    start = (severity - 1) * per_level
    count = per_level if limit is None else min(limit, per_level)
    x = np.asarray(images[start : start + count])
    y = labels[start : start + count] if len(labels) == len(images) else labels[:count]
    return tf.data.Dataset.from_tensor_slices((x, np.asarray(y).reshape(-1).astype(np.int32)))


def _tfds_test(
    name: str, corruption: str, severity: int, data_dir: str | None, limit: int | None
) -> tf.data.Dataset:
    import tensorflow_datasets as tfds

    try:
        tfds.builder_cls(name)
    except tfds.core.registered.DatasetNotFoundError as error:
        raise FileNotFoundError(
            f"TFDS {tfds.__version__} has no {name!r} builder. Download the original "
            f"archive (CIFAR-100-C: https://zenodo.org/record/3555552), extract it and pass "
            f"`path=` to the folder holding <corruption>.npy and labels.npy, or to an .npz "
            f"with arrays '<corruption>' and 'labels'."
        ) from error
    split = "test" if limit is None else f"test[:{limit}]"
    test = load_split(f"{name}/{corruption}_{severity}", split, data_dir)
    return test if limit is None else test.take(limit)


def cifar_c_test(
    name: str,
    corruption: str,
    severity: int,
    *,
    data_dir: str | None = None,
    path: str | None = None,
    batch_size: int = 128,
    limit: int | None = None,
    info: DatasetInfo | None = None,
) -> tf.data.Dataset:
    """Loads the published CIFAR-10-C or CIFAR-100-C test set as normalised batches.

    Without `path`, reads TFDS `cifar10_corrupted/<corruption>_<severity>`
    (TFDS has no CIFAR-100-C builder, so CIFAR-100-C needs `path`). With
    `path`, reads the original release: `<corruption>.npy` holding severities
    1..5 of the 10,000 test images one after another, and `labels.npy`.

    Args:
        name: `"cifar10_corrupted"` or `"cifar100_corrupted"`.
        corruption: One of `CIFAR_C_CORRUPTIONS` (`glass_blur` and
            `elastic_transform` are accepted too).
        severity: Integer severity in 1..5.
        data_dir: TFDS data folder. Defaults to `None`.
        path: Folder of the original `.npy` files, or an `.npz`. Defaults to `None`.
        batch_size: Batch size; the last batch may be smaller. Defaults to `128`.
        limit: Keep at most this many examples. Defaults to `None`.
        info: `DatasetInfo` whose `mean`/`std` to use. Defaults to `None`:
            the CIFAR-10 (resp. CIFAR-100) statistics of `load_data`.

    Returns:
        A `tf.data.Dataset` of `(images, labels)`: float32 `(n, 32, 32, 3)` and int32.

    Raises:
        ValueError: for an unknown name or corruption, or a severity outside 1..5.
        FileNotFoundError: if the data are not prepared or not found at `path`.

    Example:

    ```python
    test = cifar_c_test("cifar100_corrupted", "fog", 5, path="data/CIFAR-100-C")
    ```
    """
    if name not in CIFAR_C_NAMES:
        raise ValueError(f"Unknown CIFAR-C set {name!r}. Expected one of: {CIFAR_C_NAMES}.")
    corruption = _ALIASES.get(corruption, corruption)
    if corruption not in CIFAR_C_CORRUPTIONS:
        raise ValueError(
            f"Unknown corruption {corruption!r}. Expected one of: {', '.join(CIFAR_C_CORRUPTIONS)}."
        )
    severity = check_severity(severity)
    if path is not None:
        examples = _npy_test(path, corruption, severity, limit)
    else:
        examples = _tfds_test(name, corruption, severity, data_dir, limit)
    preset = PRESETS[name.removesuffix("_corrupted")]
    stats = (info.mean, info.std) if info is not None else (preset.mean or (), preset.std or ())
    return _normalised_batches(examples, stats, batch_size)
