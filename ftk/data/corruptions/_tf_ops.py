"""The corruptions written as TensorFlow ops (noises, filters, colour, JPEG, pixelate)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import tensorflow as tf


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
    """The reference `disk()`: a normalised disk smoothed by a 3x3 Gaussian (5x5 above radius 8).

    Built on a grid wide enough that the smoothing never reaches its edge (the
    reference's 17x17 grid is cut at radius 8, where this one is not)."""
    k = 1 if radius <= 8 else 2
    half = int(np.ceil(radius)) + 2 * k
    grid = np.arange(-half, half + 1)
    disk = (grid[None, :] ** 2 + grid[:, None] ** 2 <= radius**2).astype(np.float64)
    disk /= disk.sum()
    gauss = _gauss_1d(alias_blur, k)
    kernel = np.zeros_like(disk)
    for dy in range(-k, k + 1):
        for dx in range(-k, k + 1):  # the disk stays 2k inside the grid, so rolling never wraps
            kernel += gauss[dy + k] * gauss[dx + k] * np.roll(disk, (dy, dx), axis=(0, 1))
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


Impl = Callable[[tf.Tensor, Any, tf.Tensor], tf.Tensor]
IMPLS: dict[str, Impl] = {
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
