"""Common image corruptions (CIFAR-10-C style) as pure TensorFlow ops, at 5 severities.

Recomputes the corruptions of Hendrycks & Dietterich, "Benchmarking Neural
Network Robustness to Common Corruptions and Perturbations" (ICLR 2019), so
any dataset can be corrupted on the fly inside a `tf.data` map. Parameters
are those of their CIFAR-10-C code (`make_cifar_c.py`), `SEVERITIES[name]`
holding severities 1..5:

| name             | parameter                            | severities 1..5                       |
|------------------|--------------------------------------|---------------------------------------|
| gaussian_noise   | noise std                            | .04 .06 .08 .09 .10                   |
| shot_noise       | photons (Poisson rate = pixel * c)   | 500 250 100 75 50                     |
| impulse_noise    | salt-and-pepper fraction             | .01 .02 .03 .05 .07                   |
| speckle_noise    | multiplicative noise std             | .06 .10 .12 .16 .20                   |
| gaussian_blur    | sigma (pixels)                       | .4 .6 .7 .8 1                         |
| defocus_blur     | (disk radius, anti-alias sigma)      | (.3,.4) (.4,.5) (.5,.6) (1,.2) (1.5,.1) |
| contrast         | factor towards the per-channel mean  | .75 .5 .4 .3 .15                      |
| brightness       | added to HSV value (gray: to pixel)  | .05 .1 .15 .2 .3                      |
| saturate         | (scale, shift) of HSV saturation     | (.3,0) (.1,0) (1.5,0) (2,.1) (2.5,.2) |
| jpeg_compression | JPEG quality                         | 80 65 58 50 40                        |
| pixelate         | box down-scale factor, then back up  | .95 .9 .85 .75 .65                    |

Differences from the reference: random draws come from TF stateless ops (same
distributions, different numbers); `saturate` leaves grayscale images
unchanged; gaussian blur pads edges by replication (scikit-image's default)
and defocus blur by reflection (OpenCV's default). Weather, glass, motion,
zoom and elastic corruptions are not provided.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Sequence
from typing import Any, Union

import numpy as np
import tensorflow as tf

SeedLike = Union[int, Sequence[int], tf.Tensor]

SEVERITIES: dict[str, tuple[Any, ...]] = {
    "gaussian_noise": (0.04, 0.06, 0.08, 0.09, 0.10),
    "shot_noise": (500, 250, 100, 75, 50),
    "impulse_noise": (0.01, 0.02, 0.03, 0.05, 0.07),
    "speckle_noise": (0.06, 0.1, 0.12, 0.16, 0.2),
    "gaussian_blur": (0.4, 0.6, 0.7, 0.8, 1.0),
    "defocus_blur": ((0.3, 0.4), (0.4, 0.5), (0.5, 0.6), (1.0, 0.2), (1.5, 0.1)),
    "contrast": (0.75, 0.5, 0.4, 0.3, 0.15),
    "brightness": (0.05, 0.1, 0.15, 0.2, 0.3),
    "saturate": ((0.3, 0.0), (0.1, 0.0), (1.5, 0.0), (2.0, 0.1), (2.5, 0.2)),
    "jpeg_compression": (80, 65, 58, 50, 40),
    "pixelate": (0.95, 0.9, 0.85, 0.75, 0.65),
}


def _pad(x: tf.Tensor, radius: int, reflect: bool) -> tf.Tensor:
    """Pads H and W of NHWC `x` by `radius`, replicating or reflecting (without the edge)."""
    padded = x
    for axis in (1, 2):
        size = tf.shape(x)[axis]
        index = tf.range(-radius, size + radius)
        if reflect:
            index = tf.abs(index)
            index = tf.where(index > size - 1, 2 * (size - 1) - index, index)
        padded = tf.gather(padded, tf.clip_by_value(index, 0, size - 1), axis=axis)
    return padded


def _filter(x: tf.Tensor, kernel: np.ndarray, reflect: bool) -> tf.Tensor:
    """Correlates every channel of NHWC `x` with a square, odd-sized 2D `kernel`."""
    channels = x.shape[-1]
    weights = tf.constant(np.tile(kernel[:, :, None, None], (1, 1, channels, 1)), tf.float32)
    padded = _pad(x, kernel.shape[0] // 2, reflect)
    return tf.nn.depthwise_conv2d(padded, weights, [1, 1, 1, 1], "VALID")


def _gauss_1d(sigma: float, radius: int) -> np.ndarray:
    taps = np.exp(-0.5 * (np.arange(-radius, radius + 1) / sigma) ** 2)
    return taps / taps.sum()


def _disk_kernel(radius: float, alias_blur: float) -> np.ndarray:
    """The reference `disk()` (a normalised disk smoothed by a 3x3 Gaussian), for radius < 2."""
    grid = np.arange(-2, 3)
    disk = (grid[None, :] ** 2 + grid[:, None] ** 2 <= radius**2).astype(np.float64)
    disk /= disk.sum()
    gauss = _gauss_1d(alias_blur, 1)
    kernel = np.zeros_like(disk)
    for dy in (-1, 0, 1):
        for dx in (-1, 0, 1):  # the disk fits in the centre 3x3, so rolling never wraps
            kernel += gauss[dy + 1] * gauss[dx + 1] * np.roll(disk, (dy, dx), axis=(0, 1))
    return kernel


def _hsv(x: tf.Tensor, channel: int, fn: Callable[[tf.Tensor], tf.Tensor]) -> tf.Tensor:
    hsv = tf.unstack(tf.image.rgb_to_hsv(x), axis=-1)
    hsv[channel] = tf.clip_by_value(fn(hsv[channel]), 0.0, 1.0)
    return tf.image.hsv_to_rgb(tf.stack(hsv, axis=-1))


def _jpeg(x: tf.Tensor, quality: int) -> tf.Tensor:
    channels = x.shape[-1]

    def one(image: tf.Tensor) -> tf.Tensor:
        encoded = tf.io.encode_jpeg(tf.cast(tf.round(image * 255.0), tf.uint8), quality=quality)
        decoded = tf.io.decode_jpeg(encoded, channels, dct_method="INTEGER_ACCURATE")  # as PIL
        return tf.cast(decoded, tf.float32) / 255.0

    return tf.map_fn(one, x, fn_output_signature=tf.float32)


def _pixelate(x: tf.Tensor, factor: float) -> tf.Tensor:
    """PIL's `resize(BOX)` down to `int(size * factor)` then back up (BOX up = nearest)."""
    size = tf.shape(x)[1:3]
    small = tf.maximum(tf.cast(tf.cast(size, tf.float64) * factor, tf.int32), 1)
    scale = tf.cast(small, tf.float32) / tf.cast(size, tf.float32)
    down = tf.raw_ops.ScaleAndTranslate(
        images=x, size=small, scale=scale, translation=tf.zeros([2]), kernel_type="box"
    )
    return tf.image.resize(down, size, method="nearest")


def _normal(x: tf.Tensor, seed: tf.Tensor) -> tf.Tensor:
    return tf.random.stateless_normal(tf.shape(x), seed)


def _impulse(x: tf.Tensor, amount: float, seed: tf.Tensor) -> tf.Tensor:
    draw = tf.random.stateless_uniform(tf.shape(x), seed)
    return tf.where(draw < amount / 2, 0.0, tf.where(draw < amount, 1.0, x))


def _gaussian_blur(x: tf.Tensor, sigma: float) -> tf.Tensor:
    taps = _gauss_1d(sigma, int(4 * sigma + 0.5))  # scipy's truncate=4
    return _filter(x, np.outer(taps, taps), reflect=False)


def _contrast(x: tf.Tensor, factor: float) -> tf.Tensor:
    means = tf.reduce_mean(x, [1, 2], keepdims=True)
    return (x - means) * factor + means


_Impl = Callable[[tf.Tensor, Any, tf.Tensor], tf.Tensor]
_IMPLS: dict[str, _Impl] = {
    "gaussian_noise": lambda x, c, seed: x + c * _normal(x, seed),
    "shot_noise": lambda x, c, seed: tf.random.stateless_poisson(tf.shape(x), seed, x * c) / c,
    "impulse_noise": _impulse,
    "speckle_noise": lambda x, c, seed: x + x * c * _normal(x, seed),
    "gaussian_blur": lambda x, c, _: _gaussian_blur(x, c),
    "defocus_blur": lambda x, c, _: _filter(x, _disk_kernel(*c), reflect=True),
    "contrast": lambda x, c, _: _contrast(x, c),
    "brightness": lambda x, c, _: x + c if x.shape[-1] == 1 else _hsv(x, 2, lambda v: v + c),
    "saturate": lambda x, c, _: x if x.shape[-1] == 1 else _hsv(x, 1, lambda v: v * c[0] + c[1]),
    "jpeg_compression": lambda x, c, _: _jpeg(x, c),
    "pixelate": lambda x, c, _: _pixelate(x, c),
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


def corrupt(images: tf.Tensor, name: str, severity: int, seed: SeedLike = 0) -> tf.Tensor:
    """Applies a common corruption to images in `[0, 1]`.

    Pure TensorFlow, so it runs inside `tf.data.Dataset.map`. Random draws use
    stateless ops: the result depends only on the images and `seed`, and an
    unbatched image gets the same noise as a batch of one with the same seed.

    Args:
        images: Float images in `[0, 1]`, `(H, W, C)` or `(N, H, W, C)`, C = 1 or 3.
        name: A key of `CORRUPTIONS` (see `SEVERITIES` for the parameters).
        severity: Integer severity, 1 (mild) to 5 (strong).
        seed: Stateless seed: an int or a shape-`(2,)` integer tensor
            (an int `s` means `[s, 0]`). Defaults to `0`.

    Returns:
        The corrupted images, clipped to `[0, 1]`, with the shape and dtype of `images`.

    Raises:
        ValueError: for an unknown `name`, a severity outside 1..5, a bad
            `seed`, or images that are not float `(H, W, C)`/`(N, H, W, C)`, C = 1 or 3.

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
    batch = tf.clip_by_value(tf.cast(images, tf.float32), 0.0, 1.0)
    batch = batch if rank == 4 else batch[None]
    out = _IMPLS[name](batch, SEVERITIES[name][level - 1], _as_seed(seed))
    out = tf.reshape(tf.clip_by_value(out, 0.0, 1.0), tf.shape(batch))
    return tf.ensure_shape(tf.cast(out if rank == 4 else out[0], images.dtype), images.shape)


def _named(name: str) -> Callable[..., tf.Tensor]:
    def apply(images: tf.Tensor, severity: int, seed: SeedLike = 0) -> tf.Tensor:
        return corrupt(images, name, severity, seed)

    apply.__name__ = name
    apply.__doc__ = f"`corrupt(images, {name!r}, severity, seed)`; parameters {SEVERITIES[name]}."
    return apply


CORRUPTIONS: dict[str, Callable[..., tf.Tensor]] = {name: _named(name) for name in _IMPLS}
"""Corruption name -> `fn(images, severity, seed=0)`, equivalent to `corrupt(...)`."""
