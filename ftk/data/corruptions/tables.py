"""Severity parameters of the corruptions, per dataset family, chosen by image size.

Three tables from Hendrycks & Dietterich's code (hendrycks/robustness,
`ImageNet-C/create_c/`): `"cifar"` (`make_cifar_c.py`, 32 px images),
`"tinyimagenet"` (`make_tinyimagenet_c.py`, 64 px) and `"imagenet"`
(`make_imagenet_c.py`, 224 px). `table_for_size(h, w)` picks by
`side = min(h, w)`: `"cifar"` for `side < 48`, `"tinyimagenet"` for
`48 <= side < 112` and `"imagenet"` for `side >= 112`. The thresholds are
the midpoint of 32 and 64 and half of 224, so 28-32 px datasets (MNIST,
CIFAR, SVHN) get CIFAR's values, 64 px Tiny ImageNet Tiny-ImageNet-C's and
224 px ImageNet crops ImageNet's. Elastic-transform lengths are stored as
fractions of the image side (`make_cifar_c.py`'s and
`make_tinyimagenet_c.py`'s `IMSIZE * f`; ImageNet's `244 * f` becomes
`side * 244/224 * f`), and glass-blur loops, zoom crops, motion-blur lengths
and fog/frost maps follow the actual image size.
"""

from __future__ import annotations

from typing import Any

import numpy as np

TINYIMAGENET_MIN_SIDE = 48
IMAGENET_MIN_SIDE = 112


def _zooms(stop: float, step: float) -> tuple[float, ...]:
    return tuple(float(z) for z in np.arange(1, stop, step))


CIFAR: dict[str, tuple[Any, ...]] = {
    "gaussian_noise": (0.04, 0.06, 0.08, 0.09, 0.10),
    "shot_noise": (500, 250, 100, 75, 50),
    "impulse_noise": (0.01, 0.02, 0.03, 0.05, 0.07),
    "speckle_noise": (0.06, 0.1, 0.12, 0.16, 0.2),
    "gaussian_blur": (0.4, 0.6, 0.7, 0.8, 1.0),
    "defocus_blur": ((0.3, 0.4), (0.4, 0.5), (0.5, 0.6), (1.0, 0.2), (1.5, 0.1)),
    "glass_blur": ((0.05, 1, 1), (0.25, 1, 1), (0.4, 1, 1), (0.25, 1, 2), (0.4, 1, 2)),
    "motion_blur": ((6, 1), (6, 1.5), (6, 2), (8, 2), (9, 2.5)),
    "zoom_blur": tuple(_zooms(s, 0.01) for s in (1.06, 1.11, 1.16, 1.21, 1.26)),
    "snow": (
        (0.1, 0.2, 1, 0.6, 8, 3, 0.95),
        (0.1, 0.2, 1, 0.5, 10, 4, 0.9),
        (0.15, 0.3, 1.75, 0.55, 10, 4, 0.9),
        (0.25, 0.3, 2.25, 0.6, 12, 6, 0.85),
        (0.3, 0.3, 1.25, 0.65, 14, 12, 0.8),
    ),
    "frost": ((1, 0.2), (1, 0.3), (0.9, 0.4), (0.85, 0.4), (0.75, 0.45)),
    "fog": ((0.2, 3), (0.5, 3), (0.75, 2.5), (1, 2), (1.5, 1.75)),
    "contrast": (0.75, 0.5, 0.4, 0.3, 0.15),
    "brightness": (0.05, 0.1, 0.15, 0.2, 0.3),
    "saturate": ((0.3, 0.0), (0.1, 0.0), (1.5, 0.0), (2.0, 0.1), (2.5, 0.2)),
    "elastic_transform": (
        (0, 0, 0.08), (0.05, 0.2, 0.07), (0.08, 0.06, 0.06), (0.1, 0.04, 0.05), (0.1, 0.03, 0.03),
    ),  # (alpha, sigma, affine jitter) as fractions of the side
    "jpeg_compression": (80, 65, 58, 50, 40),
    "pixelate": (0.95, 0.9, 0.85, 0.75, 0.65),
}

# hendrycks/robustness ImageNet-C/create_c/make_tinyimagenet_c.py (last changed in
# 7a64e6a188082e666f200dc1b9762cfb5cdf8fe8, unchanged at 8190fe3), 64 px images.
TINYIMAGENET: dict[str, tuple[Any, ...]] = {
    "gaussian_noise": (0.04, 0.08, 0.12, 0.15, 0.18),
    "shot_noise": (250, 100, 50, 30, 15),
    "impulse_noise": (0.01, 0.02, 0.05, 0.08, 0.14),
    "speckle_noise": (0.15, 0.2, 0.25, 0.3, 0.35),
    "gaussian_blur": (0.5, 0.75, 1.0, 1.25, 1.5),
    "defocus_blur": ((0.5, 0.6), (1, 0.1), (1.5, 0.1), (2.5, 0.01), (3, 0.1)),
    "glass_blur": ((0.1, 1, 1), (0.5, 1, 1), (0.6, 1, 2), (0.7, 2, 1), (0.9, 2, 2)),
    "motion_blur": ((10, 1), (10, 1.5), (10, 2), (10, 2.5), (12, 3)),
    "zoom_blur": tuple(_zooms(s, 0.01) for s in (1.06, 1.11, 1.16, 1.21, 1.26)),
    "snow": (
        (0.1, 0.2, 1, 0.6, 8, 3, 0.8),
        (0.1, 0.2, 1, 0.5, 10, 4, 0.8),
        (0.15, 0.3, 1.75, 0.55, 10, 4, 0.7),
        (0.25, 0.3, 2.25, 0.6, 12, 6, 0.65),
        (0.3, 0.3, 1.25, 0.65, 14, 12, 0.6),
    ),
    "frost": ((1, 0.3), (0.9, 0.4), (0.8, 0.45), (0.75, 0.5), (0.7, 0.55)),
    "fog": ((0.4, 3), (0.7, 3), (1, 2.5), (1.5, 2), (2, 1.75)),
    "contrast": (0.4, 0.3, 0.2, 0.1, 0.05),
    "brightness": (0.1, 0.2, 0.3, 0.4, 0.5),
    "saturate": ((0.3, 0.0), (0.1, 0.0), (2.0, 0.0), (5.0, 0.1), (30.0, 0.2)),
    "elastic_transform": (
        (0, 0, 0.08), (0.05, 0.3, 0.06), (0.1, 0.08, 0.06), (0.1, 0.03, 0.03), (0.16, 0.03, 0.02),
    ),  # (alpha, sigma, affine jitter) as fractions of the side: the reference's `IMSIZE * f`
    "jpeg_compression": (65, 58, 50, 40, 25),
    "pixelate": (0.9, 0.8, 0.7, 0.6, 0.5),
}

_K = 244 / 224  # make_imagenet_c.py multiplies by 244 for 224 px images
IMAGENET: dict[str, tuple[Any, ...]] = {
    "gaussian_noise": (0.08, 0.12, 0.18, 0.26, 0.38),
    "shot_noise": (60, 25, 12, 5, 3),
    "impulse_noise": (0.03, 0.06, 0.09, 0.17, 0.27),
    "speckle_noise": (0.15, 0.2, 0.35, 0.45, 0.6),
    "gaussian_blur": (1.0, 2.0, 3.0, 4.0, 6.0),
    "defocus_blur": ((3, 0.1), (4, 0.5), (6, 0.5), (8, 0.5), (10, 0.5)),
    "glass_blur": ((0.7, 1, 2), (0.9, 2, 1), (1, 2, 3), (1.1, 3, 2), (1.5, 4, 2)),
    "motion_blur": ((10, 3), (15, 5), (15, 8), (15, 12), (20, 15)),
    "zoom_blur": (
        _zooms(1.11, 0.01), _zooms(1.16, 0.01), _zooms(1.21, 0.02), _zooms(1.26, 0.02),
        _zooms(1.31, 0.03),
    ),
    "snow": (
        (0.1, 0.3, 3, 0.5, 10, 4, 0.8),
        (0.2, 0.3, 2, 0.5, 12, 4, 0.7),
        (0.55, 0.3, 4, 0.9, 12, 8, 0.7),
        (0.55, 0.3, 4.5, 0.85, 12, 8, 0.65),
        (0.55, 0.3, 2.5, 0.85, 12, 12, 0.55),
    ),
    "frost": ((1, 0.4), (0.8, 0.6), (0.7, 0.7), (0.65, 0.7), (0.6, 0.75)),
    "fog": ((1.5, 2), (2, 2), (2.5, 1.7), (2.5, 1.5), (3, 1.4)),
    "contrast": (0.4, 0.3, 0.2, 0.1, 0.05),
    "brightness": (0.1, 0.2, 0.3, 0.4, 0.5),
    "saturate": ((0.3, 0.0), (0.1, 0.0), (2.0, 0.0), (5.0, 0.1), (20.0, 0.2)),
    "elastic_transform": tuple(
        (a * _K, s * _K, j * _K)
        for a, s, j in ((2, 0.7, 0.1), (2, 0.08, 0.2), (0.05, 0.01, 0.02), (0.07, 0.01, 0.02),
                        (0.12, 0.01, 0.02))
    ),
    "jpeg_compression": (25, 18, 15, 10, 7),
    "pixelate": (0.6, 0.5, 0.4, 0.3, 0.25),
}

TABLES: dict[str, dict[str, tuple[Any, ...]]] = {
    "cifar": CIFAR, "tinyimagenet": TINYIMAGENET, "imagenet": IMAGENET,
}


def table_for_size(height: int | None, width: int | None) -> str:
    """The table for images of that size, by `side = min(height, width)`.

    `"cifar"` if `side < 48` (also for an unknown size), `"tinyimagenet"` if
    `48 <= side < 112`, `"imagenet"` if `side >= 112`.
    """
    if height is None or width is None:
        return "cifar"
    side = min(height, width)
    if side >= IMAGENET_MIN_SIDE:
        return "imagenet"
    return "tinyimagenet" if side >= TINYIMAGENET_MIN_SIDE else "cifar"
