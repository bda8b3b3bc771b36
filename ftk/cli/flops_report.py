"""The numbers behind `ftk flops`: every protocol's cost for one recipe's model.

Two conventions:

- the paper's (default): each protocol as its own shipped recipe defines it
  (the recipe under `recipes/` with that protocol and the same model and data
  as the given one: its epochs, members, DST settings, fine-tune epochs),
  relative to the dense recipe's own training budget (dense = 1.0x). The given
  recipe stands for its own protocol. A protocol with no such shipped recipe
  falls back to the given recipe's settings, and its row is marked.
- "as long" (`ftk flops --as-long`): every protocol with the given recipe's
  settings, relative to one dense model trained as long.
"""

from __future__ import annotations

import dataclasses

import ftk
from ftk import flops
from ftk.cli.recipe_models import dataset_info
from ftk.models import build_model
from ftk.protocols import get_protocol, protocol_names
from ftk.protocols.costs import CostInputs
from ftk.recipes import Recipe, load_recipe, shipped_recipes
from ftk.sparse.counts import Counts

FALLBACK_MARK = "†"


@dataclasses.dataclass(frozen=True)
class ProtocolRow:
    """One row of `ftk flops`: a protocol's cost and where its settings come from.

    Attributes:
        cost: the protocol's `TrainingCost`.
        source: the name of the recipe that defines the protocol's settings.
        fallback: no shipped recipe defines the protocol for this model and
            data: `source` is the given recipe, standing in.
    """

    cost: flops.TrainingCost
    source: str
    fallback: bool = False


def own_recipes(recipe: Recipe) -> dict[str, Recipe]:
    """The shipped recipe of each protocol with `recipe`'s model and data.

    `recipe` itself stands for its own protocol. Where several shipped recipes
    fit, the one sharing most `_`-separated words with `recipe`'s name wins
    (`test_edst` over `edst_demo` for `test_dense`), then the first by name.
    Protocols with no fitting shipped recipe are absent.
    """
    words = set(recipe.name.split("_"))
    found: dict[str, tuple[int, str, Recipe]] = {}
    for name, path in shipped_recipes().items():
        try:
            other = load_recipe(path)
        except Exception:  # noqa: BLE001 - a broken shipped recipe defines nothing here
            continue
        if (other.model.name, other.data.name) != (recipe.model.name, recipe.data.name):
            continue
        key = (-len(words & set(name.split("_"))), name, other)
        if other.protocol not in found or key[:2] < found[other.protocol][:2]:
            found[other.protocol] = key
    own = {protocol: key[2] for protocol, key in found.items()}
    own[recipe.protocol] = recipe
    return own


class _Models:
    """The dense model of a recipe and its sparse versions, built once each."""

    def __init__(self, recipe: Recipe):
        info = dataset_info(recipe)
        self.seed = recipe.seed
        self.dense = build_model(recipe.model.name, num_classes=info.num_classes, input_shape=info.input_shape)
        self.forward_dense = flops.forward_flops(self.dense)
        self.params_dense = ftk.active_count(self.dense)
        self._sparse: dict[tuple[float, str], tuple[float, Counts, float]] = {}

    def sparse(self, recipe: Recipe) -> tuple[float, Counts, float, str]:
        """(forward FLOPs, counts, density, distribution) of `recipe`'s sparse model.

        Density 0.2 ERK when `recipe` has no `sparsity`.
        """
        s = recipe.sparsity
        key = (s.density if s else 0.2, s.distribution if s else "erk")
        if key not in self._sparse:
            model = ftk.sparsify(self.dense, density=key[0], distribution=key[1], seed=self.seed)
            self._sparse[key] = (flops.forward_flops(model), Counts.of(model), ftk.density(model))
        return (*self._sparse[key], key[1])


def _inputs(recipe: Recipe, protocol: str, models: _Models, **extra) -> CostInputs:
    """The `CostInputs` of `protocol` priced with `recipe`'s settings."""
    f_sparse, counts, _, _ = models.sparse(recipe)
    return CostInputs.of_recipe(
        recipe, protocol=protocol, forward_sparse=f_sparse, forward_dense=models.forward_dense,
        params_sparse=counts.active, params_dense=models.params_dense,
        steps_per_epoch=dataset_info(recipe).num_train // recipe.data.batch_size, **extra,
    )


def protocol_costs(recipe: Recipe, as_long: bool = False) -> tuple[dict[str, ProtocolRow], list[str]]:
    """Returns the cost of each protocol next to `recipe`'s model and data.

    Args:
        recipe: the recipe asked about; it stands for its own protocol.
        as_long: every protocol with `recipe`'s settings (sparse protocols use
            its `sparsity`, density 0.2 ERK when it is dense; DST settings its
            `dst`, RigL every 1000 steps when absent; EDST splits
            `training.epochs` as the recipe does), relative to one dense model
            trained as long. Defaults to `False`: the paper's convention, each
            protocol as its own shipped recipe defines it, relative to the
            dense recipe's own budget (see the module docstring).

    Returns:
        (protocol name -> `ProtocolRow`, notes: the convention, then the
        assumptions made).
    """
    models = _Models(recipe)
    own = {} if as_long else own_recipes(recipe)
    sources = {name: own.get(name, recipe) for name in protocol_names()}
    reference = None
    if not as_long:
        dense = _inputs(sources["dense"], "dense", models)
        reference = get_protocol("dense").training_cost(dense).train_flops
    rows = {}
    for name in protocol_names():
        inputs = _inputs(sources[name], name, models, dense_reference=reference)
        cost = get_protocol(name).training_cost(inputs)
        rows[name] = ProtocolRow(cost, sources[name].name, fallback=not as_long and name not in own)
    f_sparse, counts, density, distribution = models.sparse(recipe)
    steps = dataset_info(recipe).num_train // recipe.data.batch_size
    if as_long:
        convention = [
            f"x = relative to one dense model trained as long; every protocol with {recipe.name}'s "
            f"settings: {steps} steps of {recipe.data.batch_size} per epoch, "
            f"{recipe.training.epochs} epochs per run, M = {recipe.ensemble.members}",
        ]
    else:
        dense = sources["dense"]
        convention = [
            "x = the paper's convention: each protocol as its own recipe defines it, relative to "
            f"the dense recipe {dense.name} ({dense.training.epochs} epochs) = 1.0x; "
            "--as-long: every protocol with this recipe's settings vs one dense model trained as long",
            "recipes: " + ", ".join(
                f"{name} {row.source}" + (f" {FALLBACK_MARK}" if row.fallback else "")
                for name, row in rows.items()
            ),
        ]
        fallbacks = [name for name, row in rows.items() if row.fallback]
        if fallbacks:
            convention.append(
                f"{FALLBACK_MARK} no shipped recipe of this protocol for {recipe.model.name} on "
                f"{recipe.data.name}: {recipe.name}'s settings stand in ({', '.join(fallbacks)})"
            )
    notes = [
        *convention,
        f"forward FLOPs per example: dense {models.forward_dense:.3e}, sparse {f_sparse:.3e} "
        f"(density {density:.3f}, {distribution})",
        f"active: non-zero weights of all members; one sparse model has {counts}",
        *(f"{name}: {note}" for name in rows if (note := get_protocol(name).cost_note())),
    ]
    return rows, notes
