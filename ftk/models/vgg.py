"""VGG-16 with batch normalization, in its common CIFAR form."""

from __future__ import annotations

import zlib

import keras

# (filters, number of 3x3 convs) of each block; every block ends with a 2x2 max-pool.
_VGG16_BLOCKS: tuple[tuple[int, int], ...] = ((64, 2), (128, 2), (256, 3), (512, 3), (512, 3))
_BN_MOMENTUM = 0.9
_BN_EPSILON = 1e-5


def vgg16_bn(
    num_classes: int = 10, input_shape: tuple[int, ...] = (32, 32, 3), seed: int | None = None
) -> keras.Model:
    """Builds VGG-16 with batch normalization for CIFAR-sized images.

    Thirteen 3x3 conv-BN-ReLU layers (64, 64, M, 128, 128, M, 256 x3, M,
    512 x3, M, 512 x3, M; "M" is a 2x2 max-pool) followed by global average
    pooling and a single `Dense(num_classes)`: the common CIFAR variant (as
    in kuangliu/pytorch-cifar), not ImageNet's three 4096-wide dense layers.
    On 32x32 inputs the last pool leaves 1x1x512, so global pooling equals
    flattening; it also accepts other input sizes. Convolutions have no bias
    (BN follows) and a He normal (fan-in) initializer. The model returns
    logits.

    Args:
        num_classes: Number of output logits. Defaults to `10`.
        input_shape: Shape of one input image, channels last; height and
            width must be at least 32. Defaults to `(32, 32, 3)`.
        seed: Seed of the initializers; the same seed gives the same initial
            weights. `None` draws fresh weights. Defaults to `None`.

    Returns:
        A `keras.Model` named `vgg16_bn`.

    Example:

    ```python
    model = ftk.models.vgg16_bn(num_classes=100, seed=0)
    ```
    """
    inputs = keras.Input(shape=input_shape, name="input")
    x = inputs
    for block, (filters, convs) in enumerate(_VGG16_BLOCKS, start=1):
        for conv in range(1, convs + 1):
            name = f"block{block}_conv{conv}"
            x = keras.layers.Conv2D(
                filters,
                3,
                padding="same",
                use_bias=False,
                kernel_initializer=keras.initializers.VarianceScaling(
                    2.0, mode="fan_in", distribution="untruncated_normal", seed=_seed(seed, name)
                ),
                name=name,
            )(x)
            x = keras.layers.BatchNormalization(
                momentum=_BN_MOMENTUM, epsilon=_BN_EPSILON, name=f"block{block}_bn{conv}"
            )(x)
            x = keras.layers.Activation("relu", name=f"block{block}_relu{conv}")(x)
        x = keras.layers.MaxPooling2D(2, name=f"block{block}_pool")(x)
    x = keras.layers.GlobalAveragePooling2D(name="avg_pool")(x)
    outputs = keras.layers.Dense(
        num_classes,
        kernel_initializer=keras.initializers.GlorotUniform(seed=_seed(seed, "predictions")),
        bias_initializer="zeros",
        name="predictions",
    )(x)
    return keras.Model(inputs, outputs, name="vgg16_bn")


def _seed(seed: int | None, name: str) -> int | None:
    """Derives the seed of layer `name` from the model seed (`None` stays `None`)."""
    return None if seed is None else zlib.crc32(f"{seed}:{name}".encode()) % 2**31
