"""ftk: FreeTickets for Keras.

Ensembles of sparse neural networks trained with dynamic sparse training
(Liu et al., ICLR 2022), on Keras 3 with the TensorFlow backend.

`import ftk` is fast: it checks that TensorFlow is installed but imports
neither TensorFlow nor Keras. Each public name imports its module the first
time it is read (`ftk.sparsify`, `ftk.DynamicSparsity`, ...). ftk's masked
layers, optimizers, schedules and losses are registered with Keras as soon as
Keras is imported, so `keras.saving.load_model` reads ftk models after
`import ftk` whichever of `ftk` and `keras` is imported first.
"""

from ftk._backend import ensure_tensorflow_backend
from ftk._lazy import lazy_attributes
from ftk._registration import register_keras_objects

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

ensure_tensorflow_backend()

__getattr__, __dir__ = lazy_attributes(__name__, {
    "EDST": "ftk.callbacks",
    "DynamicSparsity": "ftk.callbacks",
    "PruneAndFinetune": "ftk.callbacks",
    "Ensemble": "ftk.evaluation.run_ensemble:RunEnsemble",
    "metrics": "ftk.ensemble:metrics",
    "Prunable": "ftk.sparse.prunable",
    "TopologyUpdate": "ftk.sparse.topology",
    "active_count": "ftk.sparse.counts",
    "parameter_count": "ftk.sparse.counts",
    "summary": "ftk.sparse.counts",
    "density": "ftk.sparse.sparse_weight",
    "layer_densities": "ftk.sparse.sparse_weight",
    "sparse_weights": "ftk.sparse.sparse_weight",
    "sparsify": "ftk.sparse.conversion",
    "strip": "ftk.sparse.conversion",
    # Subpackages, readable as attributes as when `import ftk` imported them all.
    "callbacks": "ftk.callbacks",
    "data": "ftk.data",
    "evaluation": "ftk.evaluation",
    "ensemble": "ftk.ensemble",
    "flops": "ftk.flops",
    "layers": "ftk.layers",
    "models": "ftk.models",
    "protocols": "ftk.protocols",
    "recipes": "ftk.recipes",
    "run_dir": "ftk.run_dir",
    "sparse": "ftk.sparse",
    "training": "ftk.training",
})

register_keras_objects()
