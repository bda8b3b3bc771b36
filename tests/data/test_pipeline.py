"""Tests for `load_data`: validation split, batching, shuffling, limits and errors."""

import os

os.environ.setdefault("KERAS_BACKEND", "tensorflow")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
import tensorflow as tf  # noqa: E402

from ftk.data import DATASET_NAMES, DatasetInfo, Splits, load_data  # noqa: E402


@pytest.fixture
def ids_npz(tmp_path):
    """An `.npz` whose labels are example ids 0..99 (train) and 0..29 (test)."""
    path = tmp_path / "ids.npz"
    ids = np.arange(100, dtype=np.uint8).reshape(100, 1, 1, 1)
    np.savez(
        path,
        x_train=np.broadcast_to(ids, (100, 4, 4, 1)),
        y_train=np.arange(100),
        x_test=np.zeros((30, 4, 4, 1), np.uint8),
        y_test=np.arange(30),
    )
    return str(path)


def _labels(dataset):
    return np.concatenate([y.numpy() for _, y in dataset])


def test_returns_splits_with_info():
    splits = load_data("synthetic", batch_size=64)
    assert isinstance(splits, Splits) and isinstance(splits.info, DatasetInfo)
    assert splits.val is None and splits.info.num_val == 0
    assert splits.steps_per_epoch == 512 // 64
    assert splits.train.element_spec[0].shape.as_list() == [64, 32, 32, 3]
    assert splits.train.element_spec[1].dtype == tf.int32


def test_validation_split_sizes_and_disjoint(ids_npz):
    splits = load_data("npz", path=ids_npz, batch_size=10, validation_split=0.2)
    assert (splits.info.num_train, splits.info.num_val, splits.info.num_test) == (80, 20, 30)
    assert splits.steps_per_epoch == 8
    train, val = _labels(splits.train), _labels(splits.val)
    assert len(train) == 80 and len(val) == 20
    assert set(train).isdisjoint(val) and set(train) | set(val) == set(range(100))
    # The image of example i is filled with i: images and labels stay paired.
    x_val, y_val = next(iter(splits.val))
    mean, std = splits.info.mean[0], splits.info.std[0]
    pixels = x_val.numpy()[:, 0, 0, 0] * std + mean
    np.testing.assert_allclose(pixels, y_val.numpy() / 255.0, atol=1e-5)
    # Same seed, same split; another seed, another split.
    again = load_data("npz", path=ids_npz, batch_size=10, validation_split=0.2)
    assert set(_labels(again.val)) == set(val)
    other = load_data("npz", path=ids_npz, batch_size=10, validation_split=0.2, seed=1)
    assert set(_labels(other.val)) != set(val)


def test_train_batches_full_and_test_keeps_remainder(ids_npz):
    splits = load_data("npz", path=ids_npz, batch_size=32, eval_batch_size=16)
    assert [len(y) for _, y in splits.train] == [32, 32, 32]
    assert [len(y) for _, y in splits.test] == [16, 14]
    np.testing.assert_array_equal(_labels(splits.test), np.arange(30))  # test keeps file order


def test_shuffle_is_seeded_and_reshuffles_each_epoch(ids_npz):
    first = lambda s: next(iter(s.train))[1].numpy()  # noqa: E731
    a = load_data("npz", path=ids_npz, batch_size=20, seed=3)
    b = load_data("npz", path=ids_npz, batch_size=20, seed=3)
    c = load_data("npz", path=ids_npz, batch_size=20, seed=4)
    np.testing.assert_array_equal(first(a), first(b))
    assert not np.array_equal(first(a), first(c))
    assert not np.array_equal(first(a), np.arange(20))
    assert not np.array_equal(_labels(a.train), _labels(a.train))  # new order next epoch


def test_augmentation_is_seeded():
    a = next(iter(load_data("synthetic", batch_size=16, augment=True, seed=5).train))[0]
    b = next(iter(load_data("synthetic", batch_size=16, augment=True, seed=5).train))[0]
    np.testing.assert_array_equal(a.numpy(), b.numpy())


def test_limit_truncates_each_split(ids_npz):
    splits = load_data("npz", path=ids_npz, batch_size=5, validation_split=0.5, limit=12)
    assert (splits.info.num_train, splits.info.num_val, splits.info.num_test) == (12, 12, 12)
    assert len(_labels(splits.test)) == 12 and len(_labels(splits.val)) == 12
    assert splits.steps_per_epoch == 2


def test_unknown_name_lists_allowed_names():
    with pytest.raises(ValueError, match="cifar10.*mnist_pkl.*synthetic"):
        load_data("cifar11")
    assert "digits" in DATASET_NAMES


@pytest.mark.parametrize("fraction", [-0.1, 1.0, 1.5])
def test_validation_split_out_of_range(fraction):
    with pytest.raises(ValueError, match="validation_split"):
        load_data("synthetic", validation_split=fraction)


def test_other_argument_errors(tmp_path):
    with pytest.raises(ValueError, match="exceeds the 512 training examples"):
        load_data("synthetic", batch_size=1000)
    with pytest.raises(ValueError, match="data_dir"):
        load_data("cifar10", path=str(tmp_path))
    with pytest.raises(ValueError, match="limit"):
        load_data("synthetic", limit=0)


def test_train_from_resumes_with_the_same_batches():
    tf.random.set_seed(1)  # a global seed (as keras.utils.set_random_seed sets) must not matter
    splits = load_data("synthetic", batch_size=32, seed=3)
    steps = splits.steps_per_epoch
    full = [x.numpy() for x, _ in splits.train_from(0).take(3 * steps)]
    resumed = [x.numpy() for x, _ in splits.train_from(2).take(steps)]
    for a, b in zip(full[2 * steps :], resumed):
        np.testing.assert_array_equal(a, b)
    assert not np.array_equal(full[0], full[steps])  # epochs differ in order/augmentation
    other = next(iter(load_data("synthetic", batch_size=32, seed=4).train_from(0)))[0].numpy()
    assert not np.array_equal(full[0], other)
