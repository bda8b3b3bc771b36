"""Tests for the bundled `digits` and the `synthetic` datasets."""

import os

os.environ.setdefault("KERAS_BACKEND", "tensorflow")

import numpy as np  # noqa: E402

from ftk.data import load_data  # noqa: E402
from ftk.data.embedded import load_digits_arrays, load_synthetic_arrays  # noqa: E402


def test_digits_shapes_and_deterministic_stratified_split():
    (x_train, y_train), (x_test, y_test) = load_digits_arrays()
    assert x_train.shape == (1437, 8, 8, 1) and x_test.shape == (360, 8, 8, 1)
    assert x_train.dtype == np.float32 and 0.0 <= x_train.min() and x_train.max() == 1.0
    assert set(np.unique(y_test)) == set(range(10))
    # Stratified: every class has about 20% of its images in the test set.
    assert np.bincount(y_test).min() >= 35
    (x_again, _), (_, y_test_again) = load_digits_arrays()
    np.testing.assert_array_equal(x_again, x_train)
    np.testing.assert_array_equal(y_test_again, y_test)


def test_digits_normalised_by_train_statistics():
    splits = load_data("digits", batch_size=64, eval_batch_size=360)
    assert splits.info.num_classes == 10 and splits.info.input_shape == (8, 8, 1)
    assert (splits.info.num_train, splits.info.num_test) == (1437, 360)
    assert splits.steps_per_epoch == 1437 // 64
    (x_train, _), _ = load_digits_arrays()
    np.testing.assert_allclose(splits.info.mean, [x_train.mean()], rtol=1e-5)
    np.testing.assert_allclose(splits.info.std, [x_train.std()], rtol=1e-5)
    x, y = next(iter(splits.test))
    assert x.shape == (360, 8, 8, 1) and y.dtype.name == "int32"


def test_synthetic_defaults_and_class_dependent_means():
    (x_train, y_train), (x_test, y_test) = load_synthetic_arrays()
    assert x_train.shape == (512, 32, 32, 3) and x_test.shape == (128, 32, 32, 3)
    assert x_train.dtype == np.uint8 and set(np.unique(y_train)) == set(range(10))
    # Nearest class mean classifies the test set well: labels are learnable.
    means = np.stack([x_train[y_train == c].reshape(-1, 3072).mean(0) for c in range(10)])
    distances = ((x_test.reshape(-1, 1, 3072).astype(float) - means) ** 2).sum(-1)
    assert (distances.argmin(1) == y_test).mean() > 0.9
    (x_again, _), _ = load_synthetic_arrays()
    np.testing.assert_array_equal(x_again, x_train)
