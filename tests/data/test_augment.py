"""Tests for the augmentation ops and their use in training pipelines."""

import os

os.environ.setdefault("KERAS_BACKEND", "tensorflow")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

from ftk.data import augment, load_data  # noqa: E402
from ftk.data.embedded import load_synthetic_arrays  # noqa: E402


def _images(n=16, shape=(12, 12, 3)):
    return tf.constant(np.random.default_rng(0).uniform(0.1, 1.0, (n, *shape)), tf.float32)


def _seed(i):
    return tf.constant([i, 7], tf.int64)


def test_pad_crop_flip_keeps_shape_and_changes_images():
    images = _images()
    out = [augment.pad_crop_flip(images[i], _seed(i), padding=2) for i in range(16)]
    assert all(o.shape == (12, 12, 3) and o.dtype == tf.float32 for o in out)
    changed = [not np.array_equal(o.numpy(), images[i].numpy()) for i, o in enumerate(out)]
    assert sum(changed) >= 8
    # Zero padding shows up as black pixels in shifted crops.
    assert any((o.numpy() == 0.0).all(axis=-1).any() for o in out)
    again = augment.pad_crop_flip(images[3], _seed(3), padding=2)
    np.testing.assert_array_equal(again.numpy(), out[3].numpy())


def test_flip_only_mirrors_some_images():
    images = _images()
    flipped = 0
    for i in range(16):
        out = augment.pad_crop_flip(images[i], _seed(i), padding=0, flip=True).numpy()
        if np.array_equal(out, images[i].numpy()[:, ::-1]):
            flipped += 1
        else:
            np.testing.assert_array_equal(out, images[i].numpy())
    assert 0 < flipped < 16


def test_no_padding_no_flip_is_identity():
    image = _images()[0]
    out = augment.pad_crop_flip(image, _seed(0), padding=0, flip=False)
    np.testing.assert_array_equal(out.numpy(), image.numpy())


def test_imagenet_transforms_shapes():
    image = tf.random.uniform((37, 50, 3))
    out = augment.random_resized_crop(image, _seed(1))
    assert out.shape == (224, 224, 3) and out.dtype == tf.float32
    center = augment.resize_center_crop(image)
    assert center.shape == (224, 224, 3)
    np.testing.assert_array_equal(center.numpy(), augment.resize_center_crop(image).numpy())


def test_pipeline_augments_train_but_not_test():
    kwargs = dict(batch_size=32, shuffle_buffer=1000)
    plain = load_data("synthetic", augment=False, **kwargs)
    augmented = load_data("synthetic", augment=True, **kwargs)
    x_plain, y_plain = next(iter(plain.train))
    x_aug, y_aug = next(iter(augmented.train))
    assert x_aug.shape == x_plain.shape and x_aug.dtype == tf.float32
    np.testing.assert_array_equal(y_aug.numpy(), y_plain.numpy())  # same order
    differs = [not np.allclose(a, p) for a, p in zip(x_aug.numpy(), x_plain.numpy())]
    assert sum(differs) >= 16

    # Without augmentation, training images are exactly the normalised raw images.
    (x_train, _), (x_test, _) = load_synthetic_arrays()
    mean, std = np.array(plain.info.mean), np.array(plain.info.std)
    raw = {img.tobytes() for img in ((x_train / 255.0 - mean) / std).astype(np.float32).round(4)}
    assert all(img.round(4).tobytes() in raw for img in x_plain.numpy())

    # Test images are never augmented.
    x_test_batch, _ = next(iter(augmented.test))
    expected = (x_test[:32] / 255.0 - mean) / std
    np.testing.assert_allclose(x_test_batch.numpy(), expected, rtol=1e-4, atol=1e-5)
