"""ResNet-50 for ImageNet (He et al., 2016), bottleneck v1.5."""

from __future__ import annotations

import keras

from ftk.models._layers import dense
from ftk.models.resnet_cifar import bottleneck_block, conv_bn, resnet_stages


def resnet50_imagenet(
    num_classes: int = 1000, input_shape: tuple[int, ...] = (224, 224, 3), seed: int | None = None
) -> keras.Model:
    """Builds ResNet-50 for ImageNet, with the stride on the 3x3 ("v1.5").

    A 7x7 stride-2 stem convolution with 64 filters and a 3x3 stride-2
    max-pool, four stages of (3, 4, 6, 3) bottleneck blocks with 64, 128,
    256 and 512 base filters and strides 1, 2, 2, 2, global average pooling
    and a `Dense` classifier, as torchvision's `resnet50`. Convolutions have
    no bias and a He normal (fan-in) initializer; padding matches PyTorch.
    The model returns logits.

    Args:
        num_classes: Number of output logits. Defaults to `1000`.
        input_shape: Shape of one input image, channels last.
            Defaults to `(224, 224, 3)`.
        seed: Seed of the initializers; the same seed gives the same initial
            weights. `None` draws fresh weights. Defaults to `None`.

    Returns:
        A `keras.Model` named `resnet50_imagenet` (25,557,032 trainable
        parameters for 1000 classes).

    Example:

    ```python
    model = ftk.models.resnet50_imagenet(num_classes=1000, seed=0)
    ```
    """
    inputs = keras.Input(shape=input_shape, name="input")
    x = conv_bn(inputs, 64, 7, 2, "stem", seed, activation="relu")
    x = keras.layers.ZeroPadding2D(1, name="stem_pool_pad")(x)
    x = keras.layers.MaxPooling2D(3, strides=2, name="stem_pool")(x)
    x = resnet_stages(x, bottleneck_block, (3, 4, 6, 3), seed)
    x = keras.layers.GlobalAveragePooling2D(name="avg_pool")(x)
    outputs = dense(x, num_classes, "predictions", seed)
    return keras.Model(inputs, outputs, name="resnet50_imagenet")
