"""Masked versions of the Keras layers whose kernels ftk prunes.

Each class is its Keras parent plus the `Prunable` mixin: same constructor,
same config, same weights, and one `*_mask` variable per prunable kernel.
"""

from __future__ import annotations

import keras

from ftk.sparse.prunable import Prunable

_register = keras.saving.register_keras_serializable(package="ftk")


@_register
class MaskedDense(Prunable, keras.layers.Dense):
    """`keras.layers.Dense` with a masked kernel."""

    prunable_weights = ("_kernel",)


@_register
class MaskedEinsumDense(Prunable, keras.layers.EinsumDense):
    """`keras.layers.EinsumDense` with a masked kernel."""

    prunable_weights = ("_kernel",)


@_register
class MaskedConv1D(Prunable, keras.layers.Conv1D):
    """`keras.layers.Conv1D` with a masked kernel."""

    prunable_weights = ("_kernel",)


@_register
class MaskedConv2D(Prunable, keras.layers.Conv2D):
    """`keras.layers.Conv2D` with a masked kernel."""

    prunable_weights = ("_kernel",)


@_register
class MaskedConv3D(Prunable, keras.layers.Conv3D):
    """`keras.layers.Conv3D` with a masked kernel."""

    prunable_weights = ("_kernel",)


@_register
class MaskedConv2DTranspose(Prunable, keras.layers.Conv2DTranspose):
    """`keras.layers.Conv2DTranspose` with a masked kernel."""

    prunable_weights = ("kernel",)


@_register
class MaskedDepthwiseConv2D(Prunable, keras.layers.DepthwiseConv2D):
    """`keras.layers.DepthwiseConv2D` with a masked depthwise kernel."""

    prunable_weights = ("kernel",)


@_register
class MaskedSeparableConv2D(Prunable, keras.layers.SeparableConv2D):
    """`keras.layers.SeparableConv2D` with both kernels masked."""

    prunable_weights = ("depthwise_kernel", "pointwise_kernel")


@_register
class MaskedEmbedding(Prunable, keras.layers.Embedding):
    """`keras.layers.Embedding` with a masked table (opt-in: `embeddings=True`)."""

    prunable_weights = ("_embeddings",)


#: Keras layer class -> masked class. Only exact classes are converted: a
#: subclass may compute with its kernel differently.
MASKED_CLASSES: dict[type, type] = {
    keras.layers.Dense: MaskedDense,
    keras.layers.EinsumDense: MaskedEinsumDense,
    keras.layers.Conv1D: MaskedConv1D,
    keras.layers.Conv2D: MaskedConv2D,
    keras.layers.Conv3D: MaskedConv3D,
    keras.layers.Conv2DTranspose: MaskedConv2DTranspose,
    keras.layers.DepthwiseConv2D: MaskedDepthwiseConv2D,
    keras.layers.SeparableConv2D: MaskedSeparableConv2D,
}

#: Layers pruned only when asked for (`ftk.sparsify(..., embeddings=True)`).
OPT_IN_CLASSES: dict[type, type] = {keras.layers.Embedding: MaskedEmbedding}

#: Masked class -> its plain Keras parent, for `ftk.strip`.
PLAIN_CLASSES: dict[type, type] = {
    masked: plain for plain, masked in {**MASKED_CLASSES, **OPT_IN_CLASSES}.items()
}
