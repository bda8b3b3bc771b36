"""Common image corruptions (CIFAR-10-C / ImageNet-C style), on the fly, at 5 severities.

Recomputes the corruptions of Hendrycks & Dietterich, "Benchmarking Neural
Network Robustness to Common Corruptions and Perturbations" (ICLR 2019):
the 15 benchmark ones (gaussian/shot/impulse noise, defocus/glass/motion/zoom
blur, snow, frost, fog, brightness, contrast, elastic_transform, pixelate,
jpeg_compression) and 3 extras (speckle_noise, gaussian_blur, saturate), so
any dataset can be corrupted inside a `tf.data` map. Parameters are those of
their code (hendrycks/robustness
`ImageNet-C/create_c/make_{cifar,tinyimagenet,imagenet}_c.py`), in
`ftk.data.corruptions.tables`: `TABLES["cifar"]` for images under 48 px,
`TABLES["tinyimagenet"]` from 48 px, `TABLES["imagenet"]` from 112 px
(`table_for_size`, by the shorter side); `SEVERITIES` is the CIFAR table.

Noises, filters, colour, JPEG and pixelate are TensorFlow ops (`_tf_ops`);
glass, motion and zoom blur, snow, frost, fog and elastic are batched
NumPy/scipy (`_numpy_ops`) called through `tf.numpy_function`.

Differences from the reference: random draws come from TF stateless ops or a
NumPy `Generator` seeded with the same seed (same distributions, different
numbers); `saturate` leaves grayscale images unchanged; gaussian blur pads
edges by replication (scikit-image's default) and defocus blur by reflection
(OpenCV's default). Motion blur (also inside snow) uses a NumPy port of
ImageMagick's `MotionBlurImage` kernel (one-sided Gaussian of `2 * radius + 1`
taps along a random angle, as in the `imagecorruptions` package) instead of
Wand, and the snow layer is not PNG round-tripped after blurring. Frost blends
a seeded procedural ice texture (`_numpy_ops.frost_texture`: ridged noise over
a plasma haze, tinted blue) instead of the six frost photographs. Elastic
uses a NumPy bilinear warp equivalent to cv2 `warpAffine` + scipy
`map_coordinates` (borders may differ by a fraction of a pixel value).
Intermediate 8-bit roundings of the reference are kept only in glass blur
and snow's layer; final images are not quantised.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Sequence
from typing import Any, Union

import numpy as np
import tensorflow as tf

from ftk.data.corruptions import _numpy_ops, _tf_ops
from ftk.data.corruptions.tables import TABLES, table_for_size

SeedLike = Union[int, Sequence[int], tf.Tensor]

SEVERITIES: dict[str, tuple[Any, ...]] = TABLES["cifar"]
_ORDER = (
    "gaussian_noise", "shot_noise", "impulse_noise", "defocus_blur", "glass_blur", "motion_blur",
    "zoom_blur", "snow", "frost", "fog", "brightness", "contrast", "elastic_transform",
    "pixelate", "jpeg_compression", "speckle_noise", "gaussian_blur", "saturate",
)
BENCHMARK: tuple[str, ...] = _ORDER[:15]
"""The 15 corruptions of the CIFAR-10-C / ImageNet-C benchmark, in the paper's order."""


def _numpy(name: str) -> Callable[[tf.Tensor, Any, tf.Tensor], tf.Tensor]:
    fn = _numpy_ops.IMPLS[name]

    def apply(x: tf.Tensor, c: Any, seed: tf.Tensor) -> tf.Tensor:
        if name == "elastic_transform":  # fractions of the side -> pixels
            side = min(x.shape[1], x.shape[2])
            c = tuple(v * side for v in c)

        def run(images: np.ndarray, key: np.ndarray) -> np.ndarray:
            rng = np.random.default_rng(np.asarray(key).astype(np.uint64))
            return np.asarray(fn(images, c, rng), np.float32)

        return tf.numpy_function(run, [x, seed], tf.float32, stateful=False)

    return apply


_IMPLS: dict[str, _tf_ops.Impl] = {
    name: _tf_ops.IMPLS[name] if name in _tf_ops.IMPLS else _numpy(name) for name in _ORDER
}


def check_severity(severity: int) -> int:
    """Returns `severity` as an `int`; raises `ValueError` unless it is an integer in 1..5."""
    try:
        level = operator.index(severity) if not isinstance(severity, bool) else 0
    except TypeError:
        level = 0
    if not 1 <= level <= 5:
        raise ValueError(f"`severity` must be an integer in 1..5. Received: {severity!r}")
    return level


def check_corruption(name: str, severity: int) -> int:
    """Validates a corruption name and severity; returns the severity as an `int`."""
    if name not in _IMPLS:
        raise ValueError(f"Unknown corruption {name!r}. Expected one of: {', '.join(_IMPLS)}.")
    return check_severity(severity)


def _as_seed(seed: SeedLike) -> tf.Tensor:
    seed = tf.convert_to_tensor(seed, dtype_hint=tf.int64)
    if seed.dtype not in (tf.int32, tf.int64) or seed.shape.rank not in (0, 1):
        raise ValueError(f"`seed` must be an int or 2 ints. Received: {seed!r}")
    if seed.shape.rank == 0:
        return tf.stack([tf.cast(seed, tf.int64), tf.constant(0, tf.int64)])
    if seed.shape[0] not in (2, None):
        raise ValueError(f"`seed` must be an int or 2 ints. Received shape {seed.shape}")
    return tf.cast(seed, tf.int64)


def corrupt(
    images: tf.Tensor, name: str, severity: int, seed: SeedLike = 0, table: str | None = None
) -> tf.Tensor:
    """Applies a common corruption to images in `[0, 1]`.

    Runs inside `tf.data.Dataset.map`. Random draws are seeded: the result
    depends only on the images and `seed`, and an unbatched image gets the
    same draws as a batch of one with the same seed.

    Args:
        images: Float images in `[0, 1]`, `(H, W, C)` or `(N, H, W, C)`, C = 1 or 3,
            with a static height and width.
        name: A key of `CORRUPTIONS` (see `tables` for the parameters).
        severity: Integer severity, 1 (mild) to 5 (strong).
        seed: Seed: an int or a shape-`(2,)` integer tensor (an int `s` means
            `[s, 0]`). Defaults to `0`.
        table: `"cifar"`, `"tinyimagenet"` or `"imagenet"` parameters.
            Defaults to `None`: by image size (`tables.table_for_size`:
            Tiny ImageNet's from 48 px, ImageNet's from 112 px).

    Returns:
        The corrupted images, clipped to `[0, 1]`, with the shape and dtype of `images`.

    Raises:
        ValueError: for an unknown `name` or `table`, a severity outside 1..5,
            a bad `seed`, or images that are not float `(H, W, C)`/`(N, H, W, C)`, C = 1 or 3.

    Example:

    ```python
    noisy = corrupt(tf.random.uniform((8, 32, 32, 3)), "gaussian_noise", 3, seed=42)
    ```
    """
    level = check_corruption(name, severity)
    images = tf.convert_to_tensor(images)
    rank = images.shape.rank
    channels = images.shape[-1] if rank else None
    if not images.dtype.is_floating or rank not in (3, 4) or channels not in (1, 3):
        raise ValueError(
            "`images` must be float (H, W, C) or (N, H, W, C) with C = 1 or 3 in [0, 1]. "
            f"Received: dtype={images.dtype.name}, shape={images.shape}"
        )
    if table is not None and table not in TABLES:
        raise ValueError(f"Unknown severity table {table!r}. Expected one of: {', '.join(TABLES)}.")
    batch = tf.clip_by_value(tf.cast(images, tf.float32), 0.0, 1.0)
    batch = batch if rank == 4 else batch[None]
    table = table or table_for_size(batch.shape[1], batch.shape[2])
    out = _IMPLS[name](batch, TABLES[table][name][level - 1], _as_seed(seed))
    out = tf.reshape(tf.clip_by_value(out, 0.0, 1.0), tf.shape(batch))
    return tf.ensure_shape(tf.cast(out if rank == 4 else out[0], images.dtype), images.shape)


def _named(name: str) -> Callable[..., tf.Tensor]:
    def apply(images: tf.Tensor, severity: int, seed: SeedLike = 0) -> tf.Tensor:
        return corrupt(images, name, severity, seed)

    apply.__name__ = name
    apply.__doc__ = (f"`corrupt(images, {name!r}, severity, seed)`; CIFAR parameters "
                     f"{SEVERITIES[name]}, Tiny ImageNet's {TABLES['tinyimagenet'][name]}, "
                     f"ImageNet's {TABLES['imagenet'][name]}.")
    return apply


CORRUPTIONS: dict[str, Callable[..., tf.Tensor]] = {name: _named(name) for name in _IMPLS}
"""Corruption name -> `fn(images, severity, seed=0)`, equivalent to `corrupt(...)`."""

__all__ = [
    "BENCHMARK", "CORRUPTIONS", "SEVERITIES", "TABLES", "check_corruption", "check_severity",
    "corrupt", "table_for_size",
]
