"""Wide ResNet (Zagoruyko & Komodakis, 2016), the FreeTickets CIFAR model."""

from __future__ import annotations

import keras

from ftk.models._layers import batch_norm, conv, dense, layer_seed


def wide_resnet(
    depth: int = 28,
    width: int = 10,
    num_classes: int = 10,
    input_shape: tuple[int, ...] = (32, 32, 3),
    dropout: float = 0.0,
    seed: int | None = None,
) -> keras.Model:
    """Builds a pre-activation Wide ResNet WRN-`depth`-`width`.

    The network of the FreeTickets paper (its PyTorch reference is the
    classic `WideResNet`): a 3x3 stem convolution with 16 filters, three
    stages of `(depth - 4) // 6` basic blocks with `16 * width`,
    `32 * width` and `64 * width` filters and strides 1, 2, 2, then
    BN-ReLU, global average pooling and a `Dense` classifier.

    A basic block computes BN-ReLU-conv3x3-BN-ReLU-(dropout)-conv3x3 and adds
    a shortcut: the identity when the block keeps its channels, else a 1x1
    convolution of the pre-activated input. Convolutions have no bias and a
    He normal (fan-out) initializer. Strided convolutions pad explicitly so
    that they see the same pixels as PyTorch's `padding=1`.

    The model returns logits (no softmax). Weight decay is not part of the
    model.

    Args:
        depth: Number of weighted layers. `(depth - 4) % 6` must be 0.
            Defaults to `28`.
        width: Widening factor `k`. Defaults to `10`.
        num_classes: Number of output logits. Defaults to `10`.
        input_shape: Shape of one input image, channels last.
            Defaults to `(32, 32, 3)`.
        dropout: Dropout rate between the two convolutions of each block.
            Defaults to `0.0`.
        seed: Seed of the initializers and dropout; the same seed gives the
            same initial weights. `None` draws fresh weights. Defaults to
            `None`.

    Returns:
        A `keras.Model` named `wrn_{depth}_{width}`.

    Example:

    ```python
    model = ftk.models.wide_resnet(depth=28, width=10, num_classes=10, seed=0)
    logits = model(np.zeros((8, 32, 32, 3)))  # (8, 10)
    ```
    """
    if not isinstance(depth, int) or depth < 10 or (depth - 4) % 6 != 0:
        raise ValueError(
            "`depth` must satisfy (depth - 4) % 6 == 0 with depth >= 10, e.g. "
            f"10, 16, 22, 28, 40. Received: depth={depth!r}"
        )
    if not isinstance(width, int) or width < 1:
        raise ValueError(f"`width` must be a positive integer. Received: width={width!r}")
    if not 0.0 <= dropout < 1.0:
        raise ValueError(f"`dropout` must be in [0, 1). Received: dropout={dropout!r}")

    blocks_per_stage = (depth - 4) // 6
    stage_filters = (16 * width, 32 * width, 64 * width)
    stage_strides = (1, 2, 2)

    inputs = keras.Input(shape=input_shape, name="input")
    x = conv(inputs, 16, 3, 1, "stem_conv", seed, mode="fan_out")
    for stage, (filters, stride) in enumerate(
        zip(stage_filters, stage_strides, strict=True), start=1
    ):
        for block in range(1, blocks_per_stage + 1):
            x = _basic_block(
                x,
                filters=filters,
                stride=stride if block == 1 else 1,
                dropout=dropout,
                name=f"stage{stage}_block{block}",
                seed=seed,
            )
    x = batch_norm(x, "final_bn")
    x = keras.layers.Activation("relu", name="final_relu")(x)
    x = keras.layers.GlobalAveragePooling2D(name="avg_pool")(x)
    outputs = dense(x, num_classes, "predictions", seed)
    return keras.Model(inputs, outputs, name=f"wrn_{depth}_{width}")


def _basic_block(
    x: keras.KerasTensor,
    filters: int,
    stride: int,
    dropout: float,
    name: str,
    seed: int | None,
) -> keras.KerasTensor:
    """Pre-activation basic block; the shortcut is a 1x1 conv if shapes change."""
    projects = x.shape[-1] != filters or stride != 1
    preact = batch_norm(x, f"{name}_bn1")
    preact = keras.layers.Activation("relu", name=f"{name}_relu1")(preact)
    y = conv(preact, filters, 3, stride, f"{name}_conv1", seed, mode="fan_out")
    y = batch_norm(y, f"{name}_bn2")
    y = keras.layers.Activation("relu", name=f"{name}_relu2")(y)
    if dropout > 0.0:
        y = keras.layers.Dropout(
            dropout, seed=layer_seed(seed, f"{name}_dropout"), name=f"{name}_dropout"
        )(y)
    y = conv(y, filters, 3, 1, f"{name}_conv2", seed, mode="fan_out")
    if projects:
        x = conv(preact, filters, 1, stride, f"{name}_shortcut", seed, mode="fan_out")
    return keras.layers.Add(name=f"{name}_add")([x, y])

