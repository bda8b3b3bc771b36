"""The sparse core: masked layers, sparsify/strip, distributions, prune/grow rules."""

from ftk.sparse.distribution import DISTRIBUTIONS
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
from ftk.sparse.sparse_weight import SparseWeight, density, layer_densities, sparse_weights
from ftk.sparse.sparsify import sparsify, strip
from ftk.sparse.topology import LayerUpdate, TopologyUpdate, update_topology
