"""Masked Keras layers: `ftk.layers.MaskedDense`, `ftk.layers.MaskedConv2D`, ..."""

from ftk.sparse.layers import (
    MaskedConv1D,
    MaskedConv2D,
    MaskedConv2DTranspose,
    MaskedConv3D,
    MaskedDense,
    MaskedDepthwiseConv2D,
    MaskedEinsumDense,
    MaskedEmbedding,
    MaskedSeparableConv2D,
)
from ftk.sparse.prunable import Prunable

__all__ = [
    "MaskedConv1D",
    "MaskedConv2D",
    "MaskedConv2DTranspose",
    "MaskedConv3D",
    "MaskedDense",
    "MaskedDepthwiseConv2D",
    "MaskedEinsumDense",
    "MaskedEmbedding",
    "MaskedSeparableConv2D",
    "Prunable",
]
