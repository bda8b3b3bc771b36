"""Checks of the built masks: every sparse layer keeps an active weight.

A density so low that `round(density_l * size_l)` is 0 for some layer cuts the
network: nothing flows through that layer, yet training "succeeds". The
checks read only `(name, active, size)` per prunable weight, so they stay
free of TensorFlow; `ftk.cli.recipe_models.build_recipe_model` builds the
model and asks the recipe's protocol (`Protocol.layer_problems`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

#: `(weight name, active entries, size)` of one prunable weight.
Layer = tuple[str, int, int]


def cut_layers(recipe, layers: Sequence[Layer]) -> list[tuple[str, str]]:
    """Problems when a sparse layer has no active weight."""
    if recipe.sparsity is None or not layers:
        return []
    empty = [name for name, active, _ in layers if active == 0]
    if not empty:
        return []
    named = ", ".join(repr(name) for name in empty[:3]) + (", ..." if len(empty) > 3 else "")
    return [
        (
            "sparsity.density",
            f"leaves {len(empty)} of the {len(layers)} prunable layers of model "
            f"{recipe.model.name!r} with no active weight ({named}), which cuts the network; "
            f"received {recipe.sparsity.density}; use a larger sparsity.density",
        )
    ]


def no_weight_to_update(recipe, layers: Sequence[Layer]) -> list[tuple[str, str]]:
    """Problems when every prunable layer is dense, so DST has nothing to prune."""
    if recipe.sparsity is None or not layers or not all(a == size for _, a, size in layers):
        return []
    return [
        (
            "sparsity.density",
            f"leaves every prunable layer of model {recipe.model.name!r} dense, so DST has no "
            f"weight to prune and regrow; received {recipe.sparsity.density}; use a smaller "
            "sparsity.density",
        )
    ]


def pruned_to_nothing(recipe, layers: Sequence[Layer]) -> list[tuple[str, str]]:
    """One-shot global pruning keeps `round(density * total)` weights over all layers."""
    if recipe.sparsity is None or not layers:
        return []
    density, model = recipe.sparsity.density, recipe.model.name
    total = sum(size for _, _, size in layers)
    kept = round(density * total)
    if kept >= len(layers):
        return []
    return [
        (
            "sparsity.density",
            f"keeps round({density} * {total:,}) = {kept} weights after pruning, fewer than the "
            f"{len(layers)} prunable layers of model {model!r}, so a layer ends with no active "
            f"weight; received {density}; "
            f"use sparsity.density >= {_round_up(len(layers) / total):g}",
        )
    ]


def _round_up(x: float) -> float:
    """`x > 0` rounded up to two significant digits."""
    unit = 10.0 ** (math.floor(math.log10(x)) - 1)
    return math.ceil(x / unit) * unit
