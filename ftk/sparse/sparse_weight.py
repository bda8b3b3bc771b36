"""`SparseWeight`: one masked variable of a model, and how to find them all."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import keras
import numpy as np

from ftk.sparse.prunable import Prunable


@dataclasses.dataclass(frozen=True, eq=False)
class SparseWeight:
    """A prunable variable of a layer together with its mask.

    Args:
        layer: the `Prunable` layer that owns the variable.
        attr: the attribute of `layer` that holds the variable.
    """

    layer: Prunable
    attr: str

    @property
    def variable(self) -> keras.Variable:
        return self.layer.prunable_variable(self.attr)

    @property
    def mask(self) -> keras.Variable:
        return self.layer.masks[self.attr]

    @property
    def name(self) -> str:
        """The variable's path, e.g. `"block1_conv1/kernel"`: unique in a model."""
        return self.variable.path

    @property
    def shape(self) -> tuple[int, ...]:
        return tuple(int(d) for d in self.variable.shape)

    @property
    def size(self) -> int:
        return int(np.prod(self.shape))

    def active_count(self) -> int:
        """Number of entries with mask 1."""
        return int(np.count_nonzero(self.mask.numpy()))

    def density(self) -> float:
        return self.active_count() / self.size


def iter_layers(model: keras.Model) -> Iterator[keras.layers.Layer]:
    """Yields the layers of `model` depth first, entering nested models."""
    for layer in model.layers:
        if isinstance(layer, keras.Model):
            yield from iter_layers(layer)
        else:
            yield layer


def sparse_weights(model: keras.Model) -> list[SparseWeight]:
    """Returns every masked variable of `model`, in layer order.

    Args:
        model: a Keras model, usually returned by `ftk.sparsify`.

    Returns:
        A list of `SparseWeight`, empty if the model has no masked layers.
    """
    return [
        SparseWeight(layer, attr)
        for layer in iter_layers(model)
        if isinstance(layer, Prunable) and layer.built
        for attr in layer.prunable_weights
    ]


def density(model: keras.Model) -> float:
    """Returns the fraction of active weights over all masked variables.

    Biases, normalization parameters and layers left dense by `ftk.sparsify`
    are not counted.

    Args:
        model: a Keras model with masked layers.

    Returns:
        Active weights / prunable weights, in (0, 1].

    Raises:
        ValueError: if `model` has no masked layers.

    Example:

    >>> ftk.density(ftk.sparsify(model, density=0.2))  # doctest: +SKIP
    0.2000...
    """
    _require_sparse_weights(model)
    return current_density(model)


def current_density(model: keras.Model) -> float:
    """Like `density`, but 1.0 for a model without masked layers."""
    weights = sparse_weights(model)
    return sum(w.active_count() for w in weights) / sum(w.size for w in weights) if weights else 1.0


def layer_densities(model: keras.Model) -> dict[str, float]:
    """Returns the density of each masked variable, keyed by variable path.

    Args:
        model: a Keras model with masked layers.

    Returns:
        Dict from variable path (e.g. `"conv1/kernel"`) to density in [0, 1].

    Raises:
        ValueError: if `model` has no masked layers.
    """
    return {w.name: w.density() for w in _require_sparse_weights(model)}


def _require_sparse_weights(model: keras.Model) -> list[SparseWeight]:
    weights = sparse_weights(model)
    if not weights:
        raise ValueError(
            f"Model '{model.name}' has no masked layers. Create one with "
            "`ftk.sparsify(model, density=...)`."
        )
    return weights
