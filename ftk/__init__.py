"""ftk: FreeTickets for Keras.

Ensembles of sparse neural networks trained with dynamic sparse training
(Liu et al., ICLR 2022), on Keras 3 with the TensorFlow backend.
"""

from ftk._backend import ensure_tensorflow_backend

ensure_tensorflow_backend()

from ftk import layers  # noqa: E402
from ftk.callbacks import EDST, DynamicSparsity, PruneAndFinetune  # noqa: E402
from ftk.ensemble import Ensemble, metrics  # noqa: E402
from ftk import training  # noqa: E402  (registers the optimizers, schedules, losses)
from ftk.sparse import (  # noqa: E402
    Prunable,
    TopologyUpdate,
    active_count,
    density,
    layer_densities,
    parameter_count,
    sparse_weights,
    sparsify,
    strip,
    summary,
)

__version__ = "0.1.0"

__all__ = [
    "EDST",
    "DynamicSparsity",
    "Ensemble",
    "PruneAndFinetune",
    "Prunable",
    "TopologyUpdate",
    "active_count",
    "density",
    "layer_densities",
    "layers",
    "metrics",
    "parameter_count",
    "sparse_weights",
    "sparsify",
    "strip",
    "summary",
]
