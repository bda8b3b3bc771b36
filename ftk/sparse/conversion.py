"""`ftk.sparsify` and `ftk.strip`: from a Keras model to a sparse one and back."""

from __future__ import annotations

import fnmatch
import math
import warnings
from collections.abc import Mapping, Sequence

import keras
import numpy as np

from ftk.sparse.cloning import clone_with
from ftk.sparse.density_distributions import DensityDistribution, get_density_distribution, target_densities
from ftk.sparse.layers import MASKED_CLASSES, OPT_IN_CLASSES, PLAIN_CLASSES
from ftk.sparse.prunable import Prunable
from ftk.sparse.selection import layer_rng, random_mask
from ftk.sparse.sparse_weight import iter_layers, sparse_weights


def sparsify(
    model: keras.Model,
    density: float = 0.2,
    distribution: str | DensityDistribution = "erk",
    *,
    erk_power: float = 1.0,
    densities: Mapping[str, float] | None = None,
    dense_first_layer: bool = False,
    dense_last_layer: bool = False,
    exclude: Sequence[str] = (),
    embeddings: bool = False,
    seed: int = 0,
) -> keras.Model:
    """Returns a sparse copy of `model` with masked kernels.

    Every Dense, EinsumDense, Conv1D/2D/3D, Conv2DTranspose, DepthwiseConv2D
    and SeparableConv2D layer becomes its masked twin (`ftk.layers`), with the
    same name, config and weights. Each prunable kernel gets a density from
    `distribution` and exactly `round(density * size)` active entries, chosen
    uniformly without replacement; kernel entries outside the mask are set to
    zero. Biases and normalization parameters stay dense. Layers that ftk
    cannot mask stay dense, with a warning that names them.

    Call it inside `strategy.scope()` when training with a `tf.distribute`
    strategy, as you would build the model there.

    Each mask is a non-trainable variable (e.g. `kernel_mask`) as large as its
    kernel, so `model.count_params()` and `model.summary()` count masks as
    non-trainable parameters; use `ftk.parameter_count` / `ftk.active_count`
    (or `ftk.summary`) for the parameters and the active weights.

    Args:
        model: a Sequential or functional model (nested models and
            `keras.applications` models included). It is not modified.
        density: overall fraction of active prunable weights, in (0, 1].
            Defaults to `0.2`.
        distribution: how density is spread over layers: `"erk"`,
            `"er"`, `"uniform"`, `"custom"`, another registered name or a
            `DensityDistribution` (`ftk.sparse.density_distributions`).
            Defaults to `"erk"`.
        erk_power: exponent of the ERK/ER raw share. Defaults to `1.0`.
        densities: for `distribution="custom"`, a map from layer name (or
            variable path) to density.
        dense_first_layer: keep the first prunable layer dense. Defaults to
            `False`.
        dense_last_layer: keep the last prunable layer dense. Defaults to
            `False`.
        exclude: layer-name patterns (`fnmatch` style, e.g. `"*_bn"`) of
            layers to keep dense.
        embeddings: also prune `Embedding` tables. Defaults to `False`.
        seed: seed of the random masks. Defaults to `0`.

    Returns:
        A new `keras.Model`. Compile it before training.

    Raises:
        ValueError: for a density outside (0, 1], an unknown distribution, an
            unbuilt model or a model without prunable layers.

    Example:

    ```python
    base = keras.applications.MobileNetV2(weights=None, input_shape=(32, 32, 3), classes=10)
    model = ftk.sparsify(base, density=0.2, distribution="erk", seed=0)
    ftk.density(model)  # 0.2
    ```
    """
    _check_density(density)
    distribution = get_density_distribution(distribution)
    if not model.built:
        raise ValueError(
            f"Model '{model.name}' is not built, so its kernels have no shapes yet. Start it "
            "with `keras.Input(shape)` or call `model.build(input_shape)` before sparsifying."
        )
    candidates = [layer for layer in iter_layers(model) if _masked_class(layer, embeddings)]
    keep_dense = _layers_to_keep_dense(candidates, exclude, dense_first_layer, dense_last_layer)
    _warn_unsupported(model, embeddings)

    def choose_class(layer):
        if layer.name in keep_dense:
            return PLAIN_CLASSES.get(type(layer), type(layer))
        return _masked_class(layer, embeddings) or type(layer)

    sparse_model = clone_with(model, choose_class)
    weights = sparse_weights(sparse_model)
    if not weights:
        raise ValueError(
            f"Model '{model.name}' has no layer that ftk can prune: every "
            "candidate was excluded or none exists. Prunable layers: "
            f"{sorted(cls.__name__ for cls in MASKED_CLASSES)}."
        )
    shapes = {w.name: w.shape for w in weights}
    custom = _custom_densities(densities, weights) if distribution.needs_custom_densities else None
    targets = target_densities(shapes, density, distribution, erk_power=erk_power, custom=custom)
    for index, weight in enumerate(weights):
        count = round(targets[weight.name] * weight.size)
        mask = random_mask(weight.size, count, layer_rng(seed, 0, index)).reshape(weight.shape)
        kernel = weight.variable.numpy()
        weight.mask.assign(mask)
        weight.variable.assign(np.where(mask != 0, kernel, 0))  # +0.0 where masked, never -0.0
    return sparse_model


def strip(model: keras.Model) -> keras.Model:
    """Returns a plain Keras copy of `model` with the masks folded in.

    Masked layers become their Keras parents with kernel `kernel * mask`; the
    result loads and runs without ftk and predicts the same.

    Args:
        model: a model returned by `ftk.sparsify` (or any model).

    Returns:
        A new `keras.Model` without mask variables.

    Example:

    ```python
    plain = ftk.strip(model)
    plain.save("plain.keras")  # loads with keras alone
    ```
    """
    custom = [layer.name for layer in iter_layers(model) if isinstance(layer, Prunable) and type(layer) not in PLAIN_CLASSES]
    if custom:
        warnings.warn(
            f"ftk.strip keeps these custom prunable layers as they are: {custom}. "
            "Their masks are folded into the kernels but the layers still need ftk.",
            stacklevel=2,
        )
    return clone_with(model, lambda layer: PLAIN_CLASSES.get(type(layer), type(layer)))


def _check_density(density: float) -> None:
    if not isinstance(density, (int, float)) or not 0.0 < density <= 1.0 or math.isnan(density):
        raise ValueError(f"`density` must be in (0, 1]. Received: density={density!r}")


def _masked_class(layer, embeddings: bool) -> type | None:
    if isinstance(layer, Prunable):
        return type(layer)
    if embeddings and type(layer) in OPT_IN_CLASSES:
        return OPT_IN_CLASSES[type(layer)]
    return MASKED_CLASSES.get(type(layer))


def _layers_to_keep_dense(candidates, exclude, dense_first_layer, dense_last_layer) -> set[str]:
    if isinstance(exclude, str):
        exclude = (exclude,)
    names = {layer.name for layer in candidates if any(fnmatch.fnmatchcase(layer.name, p) for p in exclude)}
    if candidates and dense_first_layer:
        names.add(candidates[0].name)
    if candidates and dense_last_layer:
        names.add(candidates[-1].name)
    return names


def _warn_unsupported(model: keras.Model, embeddings: bool) -> None:
    unsupported = [
        f"{layer.name} ({type(layer).__name__})"
        for layer in iter_layers(model)
        if not _masked_class(layer, embeddings)
        and type(layer) not in OPT_IN_CLASSES
        and any(len(w.shape) >= 2 for w in layer.trainable_weights)
    ]
    if unsupported:
        warnings.warn(
            f"ftk.sparsify keeps these layers dense because it cannot mask them: "
            f"{', '.join(unsupported)}. A custom layer can opt in by inheriting "
            "from `ftk.Prunable` and listing its `prunable_weights`.",
            stacklevel=3,
        )


def _custom_densities(densities, weights) -> dict[str, float]:
    if not densities:
        raise ValueError(
            "`distribution='custom'` needs `densities`, a map from layer name to "
            "density. Received: densities=None"
        )
    by_layer = {w.layer.name: [] for w in weights}
    for w in weights:
        by_layer[w.layer.name].append(w.name)
    resolved = {}
    for key, value in densities.items():
        for name in by_layer.get(key, [key]):
            resolved[name] = value
    missing = [w.name for w in weights if w.name not in resolved]
    unknown = [key for key in densities if key not in by_layer and key not in {w.name for w in weights}]
    if unknown or missing:
        raise ValueError(
            "`densities` must give a density for every prunable layer and no other. "
            f"Unknown: {unknown}. Missing: {missing}. Prunable layers: {sorted(by_layer)}"
        )
    return resolved


