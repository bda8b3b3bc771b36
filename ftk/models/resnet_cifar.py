"""ResNet-18/34/50 for 32x32 images, as in kuangliu/pytorch-cifar.

The residual blocks here (post-activation, "v1") are shared with
`ftk.models.resnet_imagenet`.
"""

from __future__ import annotations

from collections.abc import Callable

import keras

from ftk.models._layers import batch_norm, conv, dense

_STAGE_FILTERS = (64, 128, 256, 512)
_STAGE_STRIDES = (1, 2, 2, 2)

Block = Callable[..., keras.KerasTensor]


def resnet18_cifar(
    num_classes: int = 10, input_shape: tuple[int, ...] = (32, 32, 3), seed: int | None = None
) -> keras.Model:
    """Builds ResNet-18 for CIFAR: basic blocks, (2, 2, 2, 2) per stage.

    A 3x3 stride-1 stem convolution with 64 filters (no max-pool), four
    stages of 64, 128, 256 and 512 filters with strides 1, 2, 2, 2, global
    average pooling and a `Dense` classifier. Convolutions have no bias and
    a He normal (fan-in) initializer. The model returns logits.

    Args:
        num_classes: Number of output logits. Defaults to `10`.
        input_shape: Shape of one input image, channels last.
            Defaults to `(32, 32, 3)`.
        seed: Seed of the initializers; the same seed gives the same initial
            weights. `None` draws fresh weights. Defaults to `None`.

    Returns:
        A `keras.Model` named `resnet18_cifar` (about 11.17M trainable
        parameters for 10 classes).

    Example:

    ```python
    model = ftk.models.resnet18_cifar(num_classes=100, seed=0)
    ```
    """
    return _resnet_cifar(
        basic_block, (2, 2, 2, 2), "resnet18_cifar", num_classes, input_shape, seed
    )


def resnet34_cifar(
    num_classes: int = 10, input_shape: tuple[int, ...] = (32, 32, 3), seed: int | None = None
) -> keras.Model:
    """Builds ResNet-34 for CIFAR: basic blocks, (3, 4, 6, 3) per stage.

    Same layout as `resnet18_cifar`, deeper stages.

    Args:
        num_classes: Number of output logits. Defaults to `10`.
        input_shape: Shape of one input image, channels last.
            Defaults to `(32, 32, 3)`.
        seed: Seed of the initializers. `None` draws fresh weights.
            Defaults to `None`.

    Returns:
        A `keras.Model` named `resnet34_cifar`.

    Example:

    ```python
    model = ftk.models.resnet34_cifar(num_classes=10, seed=0)
    ```
    """
    return _resnet_cifar(
        basic_block, (3, 4, 6, 3), "resnet34_cifar", num_classes, input_shape, seed
    )


def resnet50_cifar(
    num_classes: int = 10, input_shape: tuple[int, ...] = (32, 32, 3), seed: int | None = None
) -> keras.Model:
    """Builds ResNet-50 for CIFAR: bottleneck blocks, (3, 4, 6, 3) per stage.

    Same stem and stages as `resnet18_cifar`, with bottleneck blocks
    (1x1, 3x3 with the stride, 1x1 with 4x the filters).

    Args:
        num_classes: Number of output logits. Defaults to `10`.
        input_shape: Shape of one input image, channels last.
            Defaults to `(32, 32, 3)`.
        seed: Seed of the initializers. `None` draws fresh weights.
            Defaults to `None`.

    Returns:
        A `keras.Model` named `resnet50_cifar`.

    Example:

    ```python
    model = ftk.models.resnet50_cifar(num_classes=100, seed=0)
    ```
    """
    return _resnet_cifar(
        bottleneck_block, (3, 4, 6, 3), "resnet50_cifar", num_classes, input_shape, seed
    )


def _resnet_cifar(
    block: Block,
    blocks_per_stage: tuple[int, ...],
    name: str,
    num_classes: int,
    input_shape: tuple[int, ...],
    seed: int | None,
) -> keras.Model:
    inputs = keras.Input(shape=input_shape, name="input")
    x = conv_bn(inputs, 64, 3, 1, "stem", seed, activation="relu")
    x = resnet_stages(x, block, blocks_per_stage, seed)
    x = keras.layers.GlobalAveragePooling2D(name="avg_pool")(x)
    outputs = dense(x, num_classes, "predictions", seed)
    return keras.Model(inputs, outputs, name=name)


def resnet_stages(
    x: keras.KerasTensor, block: Block, blocks_per_stage: tuple[int, ...], seed: int | None
) -> keras.KerasTensor:
    """Stacks the four ResNet stages (64..512 filters, strides 1, 2, 2, 2)."""
    for stage, (count, filters, stride) in enumerate(
        zip(blocks_per_stage, _STAGE_FILTERS, _STAGE_STRIDES, strict=True), start=1
    ):
        for index in range(1, count + 1):
            x = block(x, filters, stride if index == 1 else 1, f"stage{stage}_block{index}", seed)
    return x


def basic_block(
    x: keras.KerasTensor, filters: int, stride: int, name: str, seed: int | None
) -> keras.KerasTensor:
    """Two 3x3 conv-BN layers plus a shortcut (1x1 conv-BN if shapes change)."""
    y = conv_bn(x, filters, 3, stride, f"{name}_1", seed, activation="relu")
    y = conv_bn(y, filters, 3, 1, f"{name}_2", seed)
    return _add_shortcut(x, y, stride, name, seed)


def bottleneck_block(
    x: keras.KerasTensor, filters: int, stride: int, name: str, seed: int | None
) -> keras.KerasTensor:
    """1x1, 3x3 (strided, "v1.5") and 1x1 conv-BN (4x filters) plus a shortcut."""
    y = conv_bn(x, filters, 1, 1, f"{name}_1", seed, activation="relu")
    y = conv_bn(y, filters, 3, stride, f"{name}_2", seed, activation="relu")
    y = conv_bn(y, 4 * filters, 1, 1, f"{name}_3", seed)
    return _add_shortcut(x, y, stride, name, seed)


def _add_shortcut(
    x: keras.KerasTensor, y: keras.KerasTensor, stride: int, name: str, seed: int | None
) -> keras.KerasTensor:
    if stride != 1 or x.shape[-1] != y.shape[-1]:
        x = conv_bn(x, y.shape[-1], 1, stride, f"{name}_shortcut", seed)
    y = keras.layers.Add(name=f"{name}_add")([x, y])
    return keras.layers.Activation("relu", name=f"{name}_out")(y)


def conv_bn(
    x: keras.KerasTensor,
    filters: int,
    kernel_size: int,
    stride: int,
    name: str,
    seed: int | None,
    activation: str | None = None,
) -> keras.KerasTensor:
    """Bias-free He (fan-in) conv `{name}_conv`, BN `{name}_bn`, optional activation.

    Strided convolutions with kernels larger than 1 pad explicitly (layer
    `{name}_pad`), like PyTorch; see `ftk.models._layers.conv`.
    """
    x = conv(
        x, filters, kernel_size, stride, f"{name}_conv", seed, mode="fan_in", pad_name=f"{name}_pad"
    )
    x = batch_norm(x, f"{name}_bn")
    if activation is not None:
        x = keras.layers.Activation(activation, name=f"{name}_{activation}")(x)
    return x

