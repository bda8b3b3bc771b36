"""Tests for `ftk.data.corruptions` and `ftk.data.corrupted` (TFDS only through `mock_data`)."""

import io
import os

os.environ.setdefault("KERAS_BACKEND", "tensorflow")

import matplotlib.colors  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import tensorflow as tf  # noqa: E402
import tensorflow_datasets as tfds  # noqa: E402
from PIL import Image  # noqa: E402
from scipy import ndimage  # noqa: E402

from ftk.data import load_data  # noqa: E402
from ftk.data.corrupted import cifar_c_test, corrupted_test  # noqa: E402
from ftk.data.corruptions import CORRUPTIONS, SEVERITIES, corrupt  # noqa: E402

NAMES = sorted(CORRUPTIONS)
NOISES = ["gaussian_noise", "shot_noise", "impulse_noise", "speckle_noise"]
RANDOM = NOISES + ["glass_blur", "motion_blur", "snow", "frost", "fog", "elastic_transform"]
# CIFAR-10-C's elastic parameters shrink the affine jitter (2.6 -> 1 px) as the elastic
# field grows, and glass blur's sigma drops from severity 3 to 4: not monotone in pixels.
NOT_MONOTONE = {"elastic_transform"}
CIFAR10_MEAN, CIFAR10_STD = np.array((0.4914, 0.4822, 0.4465)), np.array((0.2470, 0.2435, 0.2616))


def _image(size: int = 32, channels: int = 3) -> np.ndarray:
    """A smooth colour gradient with sinusoidal texture and a few sharp edges, in [0.1, 0.9]."""
    yy, xx = np.mgrid[0:size, 0:size] / (size - 1)
    texture = 0.15 * np.sin(xx * 13) * np.cos(yy * 9) + 0.1 * ((xx * 4).astype(int) % 2)
    rgb = np.stack([0.2 + 0.5 * xx, 0.2 + 0.5 * yy, 0.45 + 0.2 * xx * yy], -1) + texture[..., None]
    return np.clip(rgb[..., :channels], 0.1, 0.9).astype(np.float32)


@pytest.mark.parametrize("name", NAMES)
def test_shape_dtype_range(name):
    for channels in (1, 3):
        batch = np.stack([_image(16, channels), 1.0 - _image(16, channels)])
        for images in (batch, batch[0]):
            out = corrupt(tf.constant(images), name, 5, seed=3)
            assert out.shape == images.shape and out.dtype == tf.float32
            assert 0.0 <= float(tf.reduce_min(out)) and float(tf.reduce_max(out)) <= 1.0
            assert CORRUPTIONS[name](images, 5, 3).shape == images.shape
    assert corrupt(tf.zeros((8, 8, 3), tf.float16), name, 1).dtype == tf.float16


@pytest.mark.parametrize("name", NAMES)
def test_severity_5_differs_more_than_1(name):
    for channels in (3, 1):
        if (name == "saturate" and channels == 1) or name in NOT_MONOTONE:
            continue  # grayscale images have no saturation
        clean = _image(32, channels)
        diff = [np.abs(corrupt(clean, name, s, seed=7).numpy() - clean).mean() for s in (1, 5)]
        assert diff[1] > diff[0] > 0.0, (channels, diff)


def test_saturate_leaves_grayscale_unchanged():
    np.testing.assert_array_equal(corrupt(_image(8, 1), "saturate", 5).numpy(), _image(8, 1))


@pytest.mark.parametrize("name", NAMES)
def test_seed_determinism(name):
    images = np.stack([_image(16), _image(16)[::-1]])
    first, again = corrupt(images, name, 3, seed=1), corrupt(images, name, 3, seed=[1, 0])
    other = corrupt(images, name, 3, seed=tf.constant([2, 5]))
    np.testing.assert_array_equal(first.numpy(), again.numpy())
    assert (np.abs(first.numpy() - other.numpy()).max() > 0) == (name in RANDOM)
    # An unbatched image gets the same draws as a batch of one.
    single = corrupt(images[0], name, 3, seed=[4, 2])
    np.testing.assert_allclose(single.numpy(), corrupt(images[:1], name, 3, [4, 2])[0], atol=1e-6)


def test_errors():
    image = _image(8)
    with pytest.raises(ValueError, match="Unknown corruption 'spatter'.*gaussian_noise.*pixelate"):
        corrupt(image, "spatter", 1)
    with pytest.raises(ValueError, match="severity table"):
        corrupt(image, "contrast", 1, table="mnist")
    for severity in (0, 6, 2.5, True, "3"):
        with pytest.raises(ValueError, match="severity.*1..5"):
            corrupt(image, "contrast", severity)
    with pytest.raises(ValueError, match="float"):
        corrupt(tf.zeros((8, 8, 3), tf.uint8), "contrast", 1)
    for shape in ((8, 8), (8, 8, 2), (1, 2, 8, 8, 3)):
        with pytest.raises(ValueError, match="C = 1 or 3"):
            corrupt(tf.zeros(shape), "contrast", 1)
    with pytest.raises(ValueError, match="seed"):
        corrupt(image, "gaussian_noise", 1, seed=[1, 2, 3])
    with pytest.raises(ValueError, match="Unknown dataset"):
        corrupted_test("nope", "contrast", 1)
    with pytest.raises(ValueError, match="Unknown corruption"):
        corrupted_test("digits", "spatter", 1)
    with pytest.raises(ValueError, match="Unknown corruption 'blur'.*frosted_glass_blur"):
        cifar_c_test("cifar10_corrupted", "blur", 1)
    with pytest.raises(ValueError, match="Unknown CIFAR-C set"):
        cifar_c_test("cifar10", "fog", 1)
    with pytest.raises(ValueError, match="severity"):
        cifar_c_test("cifar10_corrupted", "fog", 0)


def test_matches_reference_formulas():
    clean = _image(32)
    names = ("contrast", "gaussian_blur", "jpeg_compression", "pixelate")
    c, sigma, quality, factor = (SEVERITIES[name][2] for name in names)
    means = clean.mean(axis=(0, 1), keepdims=True)
    expected = (clean - means) * c + means
    np.testing.assert_allclose(corrupt(clean, "contrast", 3), expected, atol=1e-6)
    blurred = ndimage.gaussian_filter(clean, sigma=(sigma, sigma, 0), mode="nearest", truncate=4.0)
    np.testing.assert_allclose(corrupt(clean, "gaussian_blur", 3), blurred, atol=1e-5)
    hsv = matplotlib.colors.rgb_to_hsv(clean)
    hsv[..., 2] = np.clip(hsv[..., 2] + SEVERITIES["brightness"][2], 0, 1)
    np.testing.assert_allclose(
        corrupt(clean, "brightness", 3), np.clip(matplotlib.colors.hsv_to_rgb(hsv), 0, 1), atol=1e-4
    )
    pil = Image.fromarray(np.round(clean * 255).astype(np.uint8))
    small = pil.resize((int(32 * factor),) * 2, Image.BOX).resize((32, 32), Image.BOX)
    quantised = np.round(clean * 255) / 255
    pixelated = corrupt(quantised, "pixelate", 3).numpy()
    assert np.abs(pixelated - np.asarray(small) / 255.0).max() < 1 / 255 + 1e-6  # PIL rounds
    buffer = io.BytesIO()
    pil.save(buffer, "JPEG", quality=quality)
    jpeg = np.asarray(Image.open(buffer)) / 255.0  # the same libjpeg settings as PIL: exact
    np.testing.assert_allclose(corrupt(quantised, "jpeg_compression", 3), jpeg, atol=1e-6)
    # Defocus blur: the reference disk(radius, alias_blur) kernel, mirrored edges (cv2 default).
    radius, alias = SEVERITIES["defocus_blur"][4]
    grid = np.arange(-8, 9)
    disk = (grid[None] ** 2 + grid[:, None] ** 2 <= radius**2).astype(np.float64)
    gauss = np.exp(-np.arange(-1, 2) ** 2 / (2 * alias**2))
    kernel = ndimage.correlate(disk / disk.sum(), np.outer(gauss, gauss) / gauss.sum() ** 2)
    expected = np.stack(
        [ndimage.correlate(clean[..., k], kernel, mode="mirror") for k in range(3)], -1
    )
    np.testing.assert_allclose(corrupt(clean, "defocus_blur", 5), expected, atol=1e-5)


def test_noise_statistics():
    flat = np.full((64, 64, 3), 0.5, np.float32)
    noisy = corrupt(flat, "gaussian_noise", 5, seed=0, table="cifar").numpy()
    assert abs(noisy.std() - 0.10) < 0.005 and abs(noisy.mean() - 0.5) < 0.005
    shot = corrupt(flat, "shot_noise", 5, seed=0, table="cifar").numpy()  # Poisson(25) / 50
    assert abs(shot.mean() - 0.5) < 0.01 and abs(shot.std() - 0.1) < 0.01
    impulse = corrupt(flat, "impulse_noise", 5, seed=0, table="cifar").numpy()
    assert abs((impulse == 0).mean() - 0.035) < 0.01 and abs((impulse == 1).mean() - 0.035) < 0.01


def test_inside_tf_data_map():
    images = np.stack([_image(8)] * 4)
    ds = tf.data.Dataset.from_tensor_slices(images).enumerate()
    ds = ds.map(lambda i, x: corrupt(x, "shot_noise", 2, tf.stack([tf.constant(9, tf.int64), i])))
    out = np.stack(list(ds.as_numpy_iterator()))
    expected = [corrupt(images[i], "shot_noise", 2, [9, i]).numpy() for i in range(4)]
    np.testing.assert_array_equal(out, np.stack(expected))
    assert not np.array_equal(out[0], out[1])


def test_corrupted_digits():
    splits = load_data("digits", batch_size=32, eval_batch_size=50)
    clean_x = np.concatenate([x for x, _ in splits.test.as_numpy_iterator()])
    clean_y = np.concatenate([y for _, y in splits.test.as_numpy_iterator()])
    mean, std = np.array(splits.info.mean), np.array(splits.info.std)
    noisy = corrupted_test("digits", "gaussian_noise", 3, batch_size=50, seed=1)
    batches = list(noisy.as_numpy_iterator())
    assert [len(y) for _, y in batches] == [50] * 7 + [10]
    x = np.concatenate([b[0] for b in batches])
    y = np.concatenate([b[1] for b in batches])
    assert x.dtype == np.float32 and x.shape == clean_x.shape and y.dtype == np.int32
    np.testing.assert_array_equal(y, clean_y)
    raw = clean_x * std + mean
    noise = (x * std + mean) - raw
    assert 0.04 < noise[(raw > 0.2) & (raw < 0.8)].std() < 0.12  # sigma 0.08 in [0, 1] units
    assert np.all(x * std + mean >= -1e-5) and np.all(x * std + mean <= 1 + 1e-5)
    # Per-example seeds: the same data whatever the batch size; another seed differs.
    again = np.concatenate([b for b, _ in corrupted_test("digits", "gaussian_noise", 3,
                                                         batch_size=7, seed=1).as_numpy_iterator()])
    np.testing.assert_array_equal(x, again)
    other = next(iter(corrupted_test("digits", "gaussian_noise", 3, batch_size=50, seed=2)))[0]
    assert np.abs(other.numpy() - x[:50]).max() > 0.1
    # A deterministic corruption equals corrupt() of the clean images, normalised.
    dark = next(iter(corrupted_test("digits", "contrast", 5, batch_size=16, info=splits.info)))
    expected = (corrupt(np.clip(raw[:16], 0, 1), "contrast", 5).numpy() - mean) / std
    np.testing.assert_allclose(dark[0].numpy(), expected, atol=1e-4)
    assert len(list(corrupted_test("digits", "pixelate", 1, batch_size=4, limit=6))) == 2


def _mock_cifar_c(seen):
    def as_dataset(self, split, *args, **kwargs):
        seen.append((self.name, self.builder_config.name, str(split)))
        images = (np.arange(5 * 32 * 32 * 3) % 256).reshape(5, 32, 32, 3).astype(np.uint8)
        return tf.data.Dataset.from_tensor_slices({"image": images, "label": np.arange(5) * 2})

    return as_dataset


def test_cifar10_c_mock():
    seen = []
    with tfds.testing.mock_data(as_dataset_fn=_mock_cifar_c(seen)):
        batches = list(cifar_c_test("cifar10_corrupted", "gaussian_noise", 3, batch_size=4))
        limited = list(cifar_c_test("cifar10_corrupted", "glass_blur", 5, limit=2))
    assert seen == [("cifar10_corrupted", "gaussian_noise_3", "test"),
                    ("cifar10_corrupted", "frosted_glass_blur_5", "test[:2]")]
    assert [tuple(x.shape) for x, _ in batches] == [(4, 32, 32, 3), (1, 32, 32, 3)]
    x = np.concatenate([b[0].numpy() for b in batches])
    raw = (np.arange(5 * 32 * 32 * 3) % 256).reshape(5, 32, 32, 3) / 255.0
    np.testing.assert_allclose(x, (raw - CIFAR10_MEAN) / CIFAR10_STD, rtol=1e-5, atol=1e-5)
    assert batches[0][1].dtype == tf.int32 and list(batches[1][1].numpy()) == [8]
    assert len(limited) == 1 and limited[0][0].shape[0] == 2


def test_corrupted_cifar10_clean_split_mock():
    with tfds.testing.mock_data(num_examples=6):
        splits = load_data("cifar10", batch_size=2, eval_batch_size=6)
        noisy = next(iter(corrupted_test("cifar10", "impulse_noise", 5, batch_size=6)))
    clean_x, clean_y = next(iter(splits.test))
    np.testing.assert_array_equal(noisy[1].numpy(), clean_y.numpy())
    changed = np.abs(noisy[0].numpy() - clean_x.numpy()) > 1e-4
    assert 0.03 < changed.mean() < 0.11  # about 7% of values become 0 or 1


def test_cifar100_c_folder(tmp_path):
    with pytest.raises(FileNotFoundError, match="no 'cifar100_corrupted' builder.*path="):
        cifar_c_test("cifar100_corrupted", "fog", 1)
    with pytest.raises(FileNotFoundError, match="fog.npy"):
        cifar_c_test("cifar100_corrupted", "fog", 1, path=str(tmp_path))
    images = np.repeat(np.arange(5, dtype=np.uint8) * 50, 4)  # severity s: value 50 * (s - 1)
    images = np.broadcast_to(images[:, None, None, None], (20, 32, 32, 3)).copy()
    np.save(tmp_path / "fog.npy", images)
    np.save(tmp_path / "labels.npy", np.tile(np.array([3, 97, 0, 42]), 5))
    mean, std = np.array((0.5071, 0.4865, 0.4409)), np.array((0.2673, 0.2564, 0.2762))
    x, y = next(iter(cifar_c_test("cifar100_corrupted", "fog", 4, path=str(tmp_path))))
    expected = np.broadcast_to((150 / 255 - mean) / std, (4, 3))
    np.testing.assert_allclose(x.numpy()[:, 0, 0], expected, rtol=1e-5)
    assert list(y.numpy()) == [3, 97, 0, 42]
    np.savez(tmp_path / "c.npz", glass_blur=images, labels=np.array([3, 97, 0, 42]))
    x, y = next(iter(cifar_c_test("cifar100_corrupted", "frosted_glass_blur", 2,
                                  path=str(tmp_path / "c.npz"), limit=3)))
    assert x.shape == (3, 32, 32, 3) and list(y.numpy()) == [3, 97, 0]
    np.testing.assert_allclose(x.numpy()[0, 0, 0], (50 / 255 - mean) / std, rtol=1e-5)
