"""Rules that need the built model: every sparse layer keeps an active weight.

A density so low that `round(density_l * size_l)` is 0 for some layer cuts the
network: nothing flows through that layer, yet training "succeeds". These
rules read only `(name, active, size)` per prunable weight, so they stay free
of TensorFlow; `ftk.cli.recipe_models.build_recipe_model` builds the model and
calls them, for `ftk validate` and before `ftk run` creates anything.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ftk.recipes.schema import Recipe

#: `(weight name, active entries, size)` of one prunable weight.
Layer = tuple[str, int, int]

_DST_PROTOCOLS = ("dst_ensemble", "edst")


def layer_problems(recipe: Recipe, layers: Sequence[Layer]) -> list[tuple[str, str]]:
    """Returns `(field path, message)` for masks that cannot train.

    Args:
        recipe: A validated recipe.
        layers: Every prunable weight of the first member's model as the
            protocol builds it (for `pf_ensemble`: the dense parent, before
            its one-shot pruning).

    Returns:
        The problems, each naming `sparsity.density`; empty when the masks
        can train, or when the protocol has no masks.
    """
    sparsity = recipe.sparsity
    if sparsity is None or not layers:
        return []
    density, model = sparsity.density, recipe.model.name
    if recipe.protocol == "pf_ensemble":
        return _pruned_problems(density, model, layers)
    empty = [name for name, active, _ in layers if active == 0]
    if empty:
        named = ", ".join(repr(name) for name in empty[:3]) + (", ..." if len(empty) > 3 else "")
        return [
            (
                "sparsity.density",
                f"leaves {len(empty)} of the {len(layers)} prunable layers of model {model!r} "
                f"with no active weight ({named}), which cuts the network; received {density}; "
                "use a larger sparsity.density",
            )
        ]
    if recipe.protocol in _DST_PROTOCOLS and all(active == size for _, active, size in layers):
        return [
            (
                "sparsity.density",
                f"leaves every prunable layer of model {model!r} dense, so DST has no weight "
                f"to prune and regrow; received {density}; use a smaller sparsity.density",
            )
        ]
    return []


def _pruned_problems(density: float, model: str, layers: Sequence[Layer]) -> list[tuple[str, str]]:
    """One-shot global pruning keeps `round(density * total)` weights over all layers."""
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
