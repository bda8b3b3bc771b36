"""VGG-16 with batch normalization, in its common CIFAR form."""

from __future__ import annotations

import keras

from ftk.models._layers import batch_norm, conv, dense

# (filters, number of 3x3 convs) of each block; every block ends with a 2x2 max-pool.
_VGG16_BLOCKS: tuple[tuple[int, int], ...] = ((64, 2), (128, 2), (256, 3), (512, 3), (512, 3))


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
        for index in range(1, convs + 1):
            x = conv(x, filters, 3, 1, f"block{block}_conv{index}", seed, mode="fan_in")
            x = batch_norm(x, f"block{block}_bn{index}")
            x = keras.layers.Activation("relu", name=f"block{block}_relu{index}")(x)
        x = keras.layers.MaxPooling2D(2, name=f"block{block}_pool")(x)
    x = keras.layers.GlobalAveragePooling2D(name="avg_pool")(x)
    outputs = dense(x, num_classes, "predictions", seed)
    return keras.Model(inputs, outputs, name="vgg16_bn")
