"""Seeded layer helpers shared by the `ftk.models` builders (private).

Every helper applies standard Keras layers to `x` and derives each layer's
initializer seed from the model seed and the layer name, so that the same
model seed gives the same weights, layer by layer.
"""

from __future__ import annotations

import zlib
from typing import Literal

import keras

# PyTorch's defaults (its momentum 0.1 is Keras' 0.9), as in the reference models.
_BN_MOMENTUM = 0.9
_BN_EPSILON = 1e-5


def layer_seed(seed: int | None, name: str) -> int | None:
    """Derives the seed of layer `name` from the model seed.

    Args:
        seed: Seed of the model, or `None`.
        name: Name of the layer.

    Returns:
        An integer in `[0, 2**31)`, or `None` when `seed` is `None`.
    """
    return None if seed is None else zlib.crc32(f"{seed}:{name}".encode()) % 2**31


def dense(
    x: keras.KerasTensor, units: int, name: str, seed: int | None, activation: str | None = None
) -> keras.KerasTensor:
    """Applies a `Dense` layer with a seeded Glorot uniform kernel and zero bias.

    Args:
        x: Input tensor.
        units: Number of output units.
        name: Name of the layer.
        seed: Seed of the model, or `None` for fresh weights.
        activation: Activation of the layer. Defaults to `None` (logits).

    Returns:
        The output tensor.
    """
    return keras.layers.Dense(
        units,
        activation=activation,
        kernel_initializer=keras.initializers.GlorotUniform(seed=layer_seed(seed, name)),
        bias_initializer="zeros",
        name=name,
    )(x)


def conv(
    x: keras.KerasTensor,
    filters: int,
    kernel_size: int,
    stride: int,
    name: str,
    seed: int | None,
    mode: Literal["fan_in", "fan_out"],
    *,
    pad_name: str | None = None,
) -> keras.KerasTensor:
    """Applies a bias-free `Conv2D` with a seeded He normal kernel.

    Unstrided convolutions use `"same"` padding. Strided convolutions with
    kernels larger than 1 first pad with `kernel_size // 2` zeros on every
    side (a `ZeroPadding2D` layer) and then use `"valid"` padding, like
    PyTorch, instead of TensorFlow's asymmetric `"same"` padding.

    Args:
        x: Input tensor, channels last.
        filters: Number of output channels.
        kernel_size: Height and width of the kernel.
        stride: Stride in both spatial dimensions.
        name: Name of the `Conv2D` layer.
        seed: Seed of the model, or `None` for fresh weights.
        mode: Fan of the He normal initializer, `"fan_in"` or `"fan_out"`.
        pad_name: Name of the padding layer, if any. Defaults to
            `f"{name}_pad"`.

    Returns:
        The output tensor.
    """
    padding = "same"
    if stride > 1 and kernel_size > 1:
        x = keras.layers.ZeroPadding2D(kernel_size // 2, name=pad_name or f"{name}_pad")(x)
        padding = "valid"
    return keras.layers.Conv2D(
        filters,
        kernel_size,
        strides=stride,
        padding=padding,
        use_bias=False,
        kernel_initializer=keras.initializers.VarianceScaling(
            2.0, mode=mode, distribution="untruncated_normal", seed=layer_seed(seed, name)
        ),
        name=name,
    )(x)


def batch_norm(x: keras.KerasTensor, name: str) -> keras.KerasTensor:
    """Applies `BatchNormalization` with momentum 0.9 and epsilon 1e-5.

    Args:
        x: Input tensor.
        name: Name of the layer.

    Returns:
        The output tensor.
    """
    return keras.layers.BatchNormalization(momentum=_BN_MOMENTUM, epsilon=_BN_EPSILON, name=name)(x)
