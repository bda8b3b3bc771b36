"""Datasets that need no files: scikit-learn's bundled digits and synthetic images.

Each loader returns `((x_train, y_train), (x_test, y_test))` with NHWC images
(uint8, or float32 in `[0, 1]`) and int32 labels.
"""

from __future__ import annotations

import numpy as np

from ftk.data.local_files import ArraySplits

DIGITS_TEST_SIZE = 0.2
SYNTHETIC_SEED = 1234


def load_digits_arrays() -> ArraySplits:
    """Loads scikit-learn's 8x8 handwritten digits with a fixed stratified split.

    The 1,797 images (pixel values 0..16, scaled to `[0, 1]`) are split by
    `train_test_split(test_size=0.2, random_state=0, stratify=y)` into 1,437
    training and 360 test images, identical on every call.

    Returns:
        `((x_train, y_train), (x_test, y_test))` with float32 `(n, 8, 8, 1)` images.

    Example:

    ```python
    (x_train, y_train), (x_test, y_test) = load_digits_arrays()
    x_train.shape  # (1437, 8, 8, 1)
    ```
    """
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    digits = load_digits()
    images = (digits.images / 16.0).astype(np.float32)[..., None]
    labels = digits.target.astype(np.int32)
    x_train, x_test, y_train, y_test = train_test_split(
        images, labels, test_size=DIGITS_TEST_SIZE, random_state=0, stratify=labels
    )
    return (x_train, y_train), (x_test, y_test)


def load_synthetic_arrays(
    num_train: int = 512,
    num_test: int = 128,
    input_shape: tuple[int, int, int] = (32, 32, 3),
    num_classes: int = 10,
) -> ArraySplits:
    """Makes deterministic random uint8 images whose class sets their mean pattern.

    Each class has a random prototype image; an example is its class prototype
    plus Gaussian noise, so labels are learnable even by a linear model. The
    data are the same on every call (fixed seed), whatever `load_data`'s `seed`.

    Args:
        num_train: Number of training images. Defaults to `512`.
        num_test: Number of test images. Defaults to `128`.
        input_shape: Image shape `(height, width, channels)`. Defaults to `(32, 32, 3)`.
        num_classes: Number of classes. Defaults to `10`.

    Returns:
        `((x_train, y_train), (x_test, y_test))` with uint8 images; labels cycle
        through all classes in a shuffled order.

    Example:

    ```python
    (x_train, y_train), _ = load_synthetic_arrays(num_train=64)
    x_train.shape  # (64, 32, 32, 3)
    ```
    """
    rng = np.random.default_rng(SYNTHETIC_SEED)
    prototypes = rng.uniform(0.15, 0.85, size=(num_classes, *input_shape))

    def make(count: int) -> tuple[np.ndarray, np.ndarray]:
        labels = rng.permutation(np.arange(count) % num_classes).astype(np.int32)
        noise = rng.normal(0.0, 0.15, size=(count, *input_shape))
        images = np.clip(prototypes[labels] + noise, 0.0, 1.0)
        return np.round(images * 255.0).astype(np.uint8), labels

    return make(num_train), make(num_test)
