"""Dataset descriptions: `DatasetInfo`, `Splits`, presets of known datasets, and statistics."""

from __future__ import annotations

from collections.abc import Callable

from dataclasses import dataclass

import numpy as np
import tensorflow as tf

TFDS_NAMES: tuple[str, ...] = (
    "cifar10",
    "cifar100",
    "svhn_cropped",
    "mnist",
    "fashion_mnist",
    "imagenet2012",
)
FILE_NAMES: tuple[str, ...] = ("npz", "cifar_pickle", "mnist_idx", "mnist_pkl")
EMBEDDED_NAMES: tuple[str, ...] = ("digits", "synthetic")
ALL_NAMES: tuple[str, ...] = TFDS_NAMES + FILE_NAMES + EMBEDDED_NAMES


@dataclass(frozen=True)
class DatasetInfo:
    """What a model needs to know about a loaded dataset.

    Attributes:
        name: The `name` passed to `ftk.data.load_data`.
        num_classes: Number of label classes.
        input_shape: Shape of one preprocessed image, `(height, width, channels)`.
        num_train: Number of training examples (after `validation_split` and `limit`).
        num_test: Number of test examples (after `limit`).
        num_val: Number of validation examples (0 without `validation_split`).
        mean: Per-channel mean subtracted from images scaled to `[0, 1]`.
        std: Per-channel standard deviation images are divided by.
    """

    name: str
    num_classes: int
    input_shape: tuple[int, ...]
    num_train: int
    num_test: int
    num_val: int
    mean: tuple[float, ...]
    std: tuple[float, ...]


@dataclass(frozen=True)
class Splits:
    """Batched `tf.data` pipelines for one dataset, ready for `model.fit`.

    Attributes:
        train: Shuffled, augmented, normalised training batches `(images, labels)`;
            every batch holds exactly `batch_size` examples.
        test: Normalised test batches, in file order; the last may be smaller.
        val: Normalised validation batches, or `None` without `validation_split`.
        info: The `DatasetInfo` of the data.
        steps_per_epoch: `info.num_train // batch_size`.
        train_from: `train_from(epoch, order_seed=seed)` returns the endless
            training pipeline from `epoch` on, whose order and augmentation
            depend only on (order_seed, epoch): a run resumed at epoch k sees
            the same batches as an uninterrupted one, and ensemble members
            with different seeds see different orders. Pass
            `steps_per_epoch` to `fit` with it.
    """

    train: tf.data.Dataset
    test: tf.data.Dataset
    val: tf.data.Dataset | None
    info: DatasetInfo
    steps_per_epoch: int
    train_from: Callable[..., tf.data.Dataset]


@dataclass(frozen=True)
class Preset:
    """Fixed facts of a known dataset: normalisation and default augmentation.

    Attributes:
        num_classes: Number of classes, or 0 when read from the data.
        mean: Published per-channel mean of the training images in `[0, 1]`,
            or `None` to compute it from the training split.
        std: Published per-channel standard deviation, or `None` to compute it.
        augment: Whether training data is augmented when `augment=None`.
        policy: Augmentation policy: `"crop_flip"` (pad, random crop, random
            horizontal flip), `"crop"` (pad and random crop only), or
            `"imagenet"` (random-resized crop 224 and flip; resize 256 and
            center crop 224 for evaluation).
        padding: Padding in pixels before the random crop of `"crop"` policies;
            0 means `max(1, height // 8)`.
    """

    num_classes: int = 0
    mean: tuple[float, ...] | None = None
    std: tuple[float, ...] | None = None
    augment: bool = False
    policy: str = "crop_flip"
    padding: int = 0


_MNIST = Preset(10, (0.1307,), (0.3081,), False, "crop", 2)
_CIFAR10 = Preset(10, (0.4914, 0.4822, 0.4465), (0.2470, 0.2435, 0.2616), True, "crop_flip", 4)
_CIFAR100 = Preset(100, (0.5071, 0.4865, 0.4409), (0.2673, 0.2564, 0.2762), True, "crop_flip", 4)

# Sources of the published statistics:
# * CIFAR-10/100: the values used by the FreeTickets and torchvision CIFAR recipes.
# * SVHN (cropped digits, `train` split): (0.4377, 0.4438, 0.4728) / (0.1980, 0.2010, 0.1970).
#   Digits are not mirror-symmetric, so SVHN and the MNIST family never flip.
# * MNIST: 0.1307 / 0.3081; Fashion-MNIST: 0.2860 / 0.3530 (training-set statistics).
# * ImageNet: (0.485, 0.456, 0.406) / (0.229, 0.224, 0.225).
PRESETS: dict[str, Preset] = {
    "cifar10": _CIFAR10,
    "cifar100": _CIFAR100,
    "svhn_cropped": Preset(
        10, (0.4377, 0.4438, 0.4728), (0.1980, 0.2010, 0.1970), False, "crop", 4
    ),
    "mnist": _MNIST,
    "fashion_mnist": Preset(10, (0.2860,), (0.3530,), False, "crop", 2),
    "imagenet2012": Preset(
        1000, (0.485, 0.456, 0.406), (0.229, 0.224, 0.225), True, "imagenet", 0
    ),
    "npz": Preset(),
    "mnist_idx": Preset(0, None, None, False, "crop", 2),
    "mnist_pkl": _MNIST,
    "digits": Preset(10, None, None, False, "crop", 1),
    "synthetic": Preset(0, None, None, False, "crop_flip", 4),
}


def cifar_pickle_preset(num_classes: int) -> Preset:
    """Returns the CIFAR-10 or CIFAR-100 preset for a pickle folder with `num_classes`."""
    return _CIFAR100 if num_classes == 100 else _CIFAR10


def _unit_scale(x: np.ndarray) -> float:
    return 1.0 / 255.0 if x.dtype == np.uint8 else 1.0


def channel_stats(x: np.ndarray) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """Computes the per-channel mean and std of NHWC images scaled to `[0, 1]`.

    Used for datasets without published statistics. uint8 images are divided
    by 255; float images are taken as already in `[0, 1]`. Sums run in float64
    over chunks, so large arrays are never copied whole. A constant channel gets
    std 1.

    Args:
        x: Images of shape `(n, height, width, channels)`.

    Returns:
        `(mean, std)`, tuples with one float per channel.

    Example:

    ```python
    mean, std = channel_stats(np.zeros((4, 8, 8, 1), np.uint8))  # ((0.0,), (1.0,))
    ```
    """
    total = np.zeros(x.shape[-1])
    squares = np.zeros(x.shape[-1])
    for start in range(0, len(x), 4096):
        chunk = x[start : start + 4096].astype(np.float64) * _unit_scale(x)
        total += chunk.sum(axis=(0, 1, 2))
        squares += np.square(chunk).sum(axis=(0, 1, 2))
    count = len(x) * x.shape[1] * x.shape[2]
    mean = total / count
    std = np.sqrt(np.maximum(squares / count - mean**2, 0.0))
    std = np.where(std > 1e-6, std, 1.0)
    return tuple(float(m) for m in mean), tuple(float(s) for s in std)
