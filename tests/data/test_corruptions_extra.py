"""Tests for the NumPy corruptions (blurs, weather, elastic) and the per-size severity tables."""

import os

os.environ.setdefault("KERAS_BACKEND", "tensorflow")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
import tensorflow as tf  # noqa: E402
from scipy.ndimage import zoom as scizoom  # noqa: E402

from ftk.data.corruptions import BENCHMARK, CORRUPTIONS, TABLES, corrupt, table_for_size  # noqa: E402
from ftk.data.corruptions import _numpy_ops  # noqa: E402

NEW = ["glass_blur", "motion_blur", "zoom_blur", "snow", "frost", "fog", "elastic_transform"]


def _texture(size: int = 32) -> np.ndarray:
    """A sharp two-level pattern with colour, in [0.2, 0.8]."""
    grid = np.arange(size)
    pattern = np.sign(np.sin(grid[:, None] * 1.3) * np.cos(grid[None] * 0.9))
    gray = 0.5 + 0.3 * pattern
    return (gray[..., None] * np.array([1.0, 0.8, 0.6])).astype(np.float32)


def test_benchmark_has_the_15_corruptions():
    assert len(BENCHMARK) == 15 and set(BENCHMARK) <= set(CORRUPTIONS)
    assert set(NEW) <= set(BENCHMARK)
    for table in TABLES.values():
        assert set(table) == set(CORRUPTIONS)
        assert all(len(levels) == 5 for levels in table.values())


@pytest.mark.parametrize("name", NEW)
def test_new_corruptions_shape_range_determinism(name):
    images = np.stack([_texture(), _texture()[::-1]])
    first = corrupt(images, name, 4, seed=[3, 1]).numpy()
    assert first.shape == images.shape and first.dtype == np.float32
    assert first.min() >= 0.0 and first.max() <= 1.0
    np.testing.assert_array_equal(first, corrupt(images, name, 4, seed=[3, 1]).numpy())
    gray = corrupt(images[..., :1], name, 2, seed=0).numpy()
    assert gray.shape == (2, 32, 32, 1) and 0.0 <= gray.min() and gray.max() <= 1.0
    assert corrupt(tf.constant(images[0], tf.float16), name, 1).dtype == tf.float16


@pytest.mark.parametrize("name", [n for n in NEW if n != "elastic_transform"])
def test_new_corruptions_grow_with_severity(name):
    clean = _texture()
    diffs = [np.abs(corrupt(clean, name, s, seed=7).numpy() - clean).mean() for s in (1, 3, 5)]
    assert diffs[2] > diffs[0] > 0.0, diffs


def test_elastic_field_grows_with_severity_without_affine():
    clean = _texture()
    rng = np.random.default_rng(0)
    table = TABLES["cifar"]["elastic_transform"]
    diffs = []
    for level in (2, 5):
        alpha, sigma, _ = (v * 32 for v in table[level - 1])
        out = _numpy_ops.elastic_transform(clean[None], (alpha, sigma, 0.0), rng)[0]
        diffs.append(np.abs(out - clean).mean())
    assert diffs[1] > diffs[0] > 0.0
    # Zero jitter and zero field is the identity.
    same = _numpy_ops.elastic_transform(clean[None], (0.0, 0.0, 0.0), rng)[0]
    np.testing.assert_allclose(same, clean, atol=1e-5)


def test_clipped_zoom_matches_scipy():
    image = np.random.default_rng(1).random((32, 32, 3)).astype(np.float32)
    for zoom in (1.01, 1.06, 1.13, 1.25):
        crop = int(np.ceil(32 / zoom))
        top = (32 - crop) // 2
        expected = scizoom(image[top : top + crop, top : top + crop], (zoom, zoom, 1), order=1)
        trim = (expected.shape[0] - 32) // 2
        expected = expected[trim : trim + 32, trim : trim + 32]
        np.testing.assert_allclose(_numpy_ops.clipped_zoom(image[None], zoom)[0], expected,
                                   atol=1e-5)


def test_motion_blur_kernel_direction():
    line = np.zeros((1, 16, 16, 1), np.float32)
    line[0, 8, 8] = 1.0
    out = _numpy_ops._motion(line, 3, 1.0, np.array([0.0]))[0, ..., 0]
    assert np.isclose(out.sum(), 1.0) and np.count_nonzero(out[8]) == 7 and out[8, 8] > out[8, 7]
    assert np.count_nonzero(out) == np.count_nonzero(out[8])  # angle 0: along the row only


def test_plasma_and_frost_texture():
    rng = np.random.default_rng(0)
    plasma = _numpy_ops.plasma_fractal(3, 32, 2.0, rng)
    assert plasma.shape == (3, 32, 32) and plasma.min() == 0.0 and plasma.max() == 1.0
    frost = _numpy_ops.frost_texture(2, 32, 24, rng)
    assert frost.shape == (2, 32, 24, 3) and 0.0 <= frost.min() and frost.max() <= 1.0
    assert (frost[..., 2] >= frost[..., 0]).all() and 0.2 < frost.mean() < 0.7


def test_table_chosen_by_size():
    assert table_for_size(32, 32) == "cifar" and table_for_size(64, 64) == "tinyimagenet"
    assert table_for_size(224, 224) == "imagenet" and table_for_size(112, 300) == "imagenet"
    assert table_for_size(None, None) == "cifar"
    flat = np.full((128, 128, 3), 0.5, np.float32)
    noisy = corrupt(flat, "gaussian_noise", 5, seed=0).numpy()  # ImageNet: std .38 (clipped)
    assert noisy.std() > 0.25
    cifar = corrupt(flat, "gaussian_noise", 5, seed=0, table="cifar").numpy()
    assert abs(cifar.std() - 0.10) < 0.01
    small = corrupt(flat[:32, :32], "gaussian_noise", 5, seed=0).numpy()
    assert abs(small.std() - 0.10) < 0.02
    # Size-dependent kernels: ImageNet's defocus radius 10 blurs far more than CIFAR's 1.5.
    image = np.zeros((128, 128, 1), np.float32)
    image[64, 64] = 1.0
    wide = corrupt(image, "defocus_blur", 5).numpy()
    narrow = corrupt(image, "defocus_blur", 5, table="cifar").numpy()
    assert np.count_nonzero(wide > 1e-6) > 200 > np.count_nonzero(narrow > 1e-6)
    assert np.isclose(wide.sum(), 1.0, atol=1e-4)


@pytest.mark.parametrize("name", ["zoom_blur", "fog", "glass_blur", "elastic_transform"])
def test_imagenet_size_runs(name):
    image = np.random.default_rng(0).random((1, 112, 112, 3)).astype(np.float32)
    out = corrupt(image, name, 2, seed=1).numpy()
    assert out.shape == image.shape and 0 <= out.min() and out.max() <= 1


def test_numpy_corruption_inside_tf_data_map():
    images = np.stack([_texture(16)] * 3)
    ds = tf.data.Dataset.from_tensor_slices(images).enumerate()
    ds = ds.map(lambda i, x: corrupt(x, "snow", 3, tf.stack([tf.constant(9, tf.int64), i])))
    out = np.stack(list(ds.as_numpy_iterator()))
    assert out.shape == (3, 16, 16, 3)
    np.testing.assert_array_equal(out[1], corrupt(images[1], "snow", 3, [9, 1]).numpy())


def test_table_rule_at_32_64_224_and_thresholds():
    assert table_for_size(32, 32) == "cifar"
    assert table_for_size(64, 64) == "tinyimagenet"
    assert table_for_size(224, 224) == "imagenet"
    assert table_for_size(47, 200) == "cifar" and table_for_size(48, 48) == "tinyimagenet"
    assert table_for_size(111, 500) == "tinyimagenet" and table_for_size(112, 112) == "imagenet"
    assert set(TABLES) == {"cifar", "tinyimagenet", "imagenet"}


def test_tinyimagenet_table_matches_reference():
    # hendrycks/robustness ImageNet-C/create_c/make_tinyimagenet_c.py
    # (commit 7a64e6a188082e666f200dc1b9762cfb5cdf8fe8):
    tiny = TABLES["tinyimagenet"]
    assert tiny["gaussian_noise"] == (0.04, 0.08, 0.12, 0.15, 0.18)  # [0.04, 0.08, .12, .15, .18]
    assert tiny["shot_noise"] == (250, 100, 50, 30, 15)  # c = [250, 100, 50, 30, 15]
    assert tiny["glass_blur"][3] == (0.7, 2, 1)  # (0.7,2,1)
    assert tiny["defocus_blur"][3] == (2.5, 0.01)  # (2.5, 0.01)
    assert tiny["motion_blur"][4] == (12, 3)  # (12,3)
    assert tiny["snow"][4] == (0.3, 0.3, 1.25, 0.65, 14, 12, 0.6)  # (0.3,0.3,1.25,0.65,14,12,0.6)
    assert tiny["fog"][0] == (0.4, 3)  # (.4,3)
    assert tiny["frost"][4] == (0.7, 0.55)  # (0.7, 0.55)
    assert tiny["saturate"][4] == (30, 0.2)  # (30, 0.2)
    assert tiny["jpeg_compression"] == (65, 58, 50, 40, 25)  # c = [65, 58, 50, 40, 25]
    assert tiny["pixelate"] == (0.9, 0.8, 0.7, 0.6, 0.5)  # c = [0.9, 0.8, 0.7, 0.6, 0.5]
    # zoom_blur: np.arange(1, 1.16, 0.01) at severity 3.
    np.testing.assert_allclose(tiny["zoom_blur"][2], np.arange(1, 1.16, 0.01))
    # elastic_transform: (IMSIZE*0.05, IMSIZE*0.3, IMSIZE*0.06) with IMSIZE = 64, stored / 64.
    np.testing.assert_allclose(np.array(tiny["elastic_transform"][1]) * 64, (3.2, 19.2, 3.84))


@pytest.mark.parametrize("name", sorted(CORRUPTIONS))
def test_every_corruption_runs_at_64px_with_tinyimagenet_table(name):
    noise = np.random.default_rng(2).random((64, 64, 3))
    images = np.stack([_texture(64), noise]).astype(np.float32)
    for severity in range(1, 6):
        out = corrupt(images, name, severity, seed=[5, severity], table="tinyimagenet").numpy()
        assert out.shape == images.shape and out.dtype == np.float32
        assert np.isfinite(out).all() and out.min() >= 0.0 and out.max() <= 1.0
        # The default table for 64 px is Tiny ImageNet's.
        default = corrupt(images, name, severity, seed=[5, severity]).numpy()
        np.testing.assert_array_equal(out, default)
