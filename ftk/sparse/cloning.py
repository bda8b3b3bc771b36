"""Cloning a model with other layer classes while keeping its weights."""

from __future__ import annotations

from collections.abc import Callable

import keras
import numpy as np

from ftk.sparse.prunable import Prunable
from ftk.sparse.sparse_weight import iter_layers


def clone_with(model: keras.Model, choose_class: Callable[[keras.layers.Layer], type]) -> keras.Model:
    """Clones `model`, rebuilding each layer as `choose_class(layer)`.

    Layers keep their names and configs; nested models are cloned too. The
    clone gets the weights of `model`, with masks folded in: a masked
    variable is copied as `variable * mask`. New mask variables keep their
    initial value (ones) unless the source layer has the same masks.

    Args:
        model: a Sequential or functional Keras model.
        choose_class: returns the class to rebuild a layer with.

    Returns:
        The new model.

    Raises:
        TypeError: if `model` is a subclassed model, which Keras cannot clone.
    """
    if not isinstance(model, keras.Model):
        raise TypeError(f"Expected a `keras.Model`. Received: {type(model).__name__}")

    def clone_layer(layer):
        return choose_class(layer).from_config(layer.get_config())

    try:
        clone = keras.models.clone_model(model, clone_function=clone_layer, recursive=True)
    except ValueError as error:
        raise TypeError(
            f"Cannot clone model '{model.name}' ({type(model).__name__}): {error} "
            "ftk rebuilds Sequential and functional models; for a subclassed "
            "model, build it from ftk's masked layers (`ftk.layers`) or declare "
            "its prunable weights with the `ftk.Prunable` mixin."
        ) from error
    _copy_weights(model, clone)
    return clone


def _copy_weights(source: keras.Model, target: keras.Model) -> None:
    for src, dst in zip(iter_layers(source), iter_layers(target), strict=True):
        src_values = _values_without_masks(src)
        dst_vars = [v for v in dst.weights if id(v) not in _mask_ids(dst)]
        if len(src_values) != len(dst_vars):
            raise RuntimeError(
                f"Layer '{src.name}' has {len(src_values)} weights but its clone "
                f"has {len(dst_vars)}; cannot copy weights."
            )
        for value, variable in zip(src_values, dst_vars):
            variable.assign(value)
        if isinstance(src, Prunable) and isinstance(dst, Prunable):
            for attr, mask in src.masks.items():
                if attr in dst.masks:
                    dst.masks[attr].assign(mask)


def _mask_ids(layer) -> set[int]:
    return {id(m) for m in layer.masks.values()} if isinstance(layer, Prunable) else set()


def _values_without_masks(layer) -> list[np.ndarray]:
    masked = {}
    if isinstance(layer, Prunable):
        masked = {
            id(layer.prunable_variable(attr)): mask.numpy()
            for attr, mask in layer.masks.items()
        }
    values = []
    for variable in layer.weights:
        if id(variable) in _mask_ids(layer):
            continue
        value = variable.numpy()
        if id(variable) in masked:
            value = np.where(masked[id(variable)] != 0, value, 0)
        values.append(value)
    return values
