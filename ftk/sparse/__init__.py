"""The sparse core: masked layers, sparsify/strip, distributions, prune/grow rules.

It knows nothing of recipes, files or the command line.
"""

from ftk.sparse.counts import active_count, parameter_count, summary
from ftk.sparse.distribution import DISTRIBUTIONS
from ftk.sparse.prunable import Prunable
from ftk.sparse.sparse_weight import SparseWeight, density, layer_densities, sparse_weights
from ftk.sparse.sparsify import sparsify, strip
from ftk.sparse.topology import LayerUpdate, TopologyUpdate, update_topology
