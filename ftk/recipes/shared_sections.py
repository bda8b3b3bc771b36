"""The sections several protocols share: `sparsity`, `dst`, `ensemble`.

One frozen pydantic model per section; unknown keys are errors. Defaults are
the paper's settings: density 0.2 with ERK masks, RigL-style DST (magnitude
pruning, gradient growth, death rate 0.5, every 1000 steps). A protocol says
which of `sparsity` and `dst` it needs (`Protocol.shared_sections`) and owns
its other sections (e.g. EDST's phases). Rule names come from the registries
of `ftk.sparse`. Pure configuration: nothing here imports TensorFlow or Keras.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict

from ftk.recipes._types import (
    Bool,
    Members,
    OpenFraction,
    Positive,
    PositiveCount,
    TextList,
    UnitFraction,
    one_of,
    registered,
)
from ftk.sparse.death_rate_schedules import death_rate_schedule_names
from ftk.sparse.density_distributions import density_distribution_names, get_density_distribution
from ftk.sparse.growth_rules import growth_rule_names
from ftk.sparse.prune_rules import prune_rule_names
from ftk.sparse.redistributions import redistribution_names

UpdateOn = Literal["auto", "device", "host"]

_STRICT = ConfigDict(extra="forbid", frozen=True)


def _global_density_distributions() -> tuple[str, ...]:
    """The registered distributions a recipe can name: all but those that need a map per layer."""
    return tuple(name for name in density_distribution_names()
                 if not get_density_distribution(name).needs_custom_densities)


# Names in the registries of `ftk.sparse`, checked when a recipe is validated,
# so a rule registered by the user before loading the recipe is accepted.
DensityDistributionName = Annotated[str, registered(_global_density_distributions)]
DeathRateScheduleName = Annotated[str, registered(death_rate_schedule_names)]
PruneRuleName = Annotated[str, registered(prune_rule_names)]
GrowthRuleName = Annotated[str, registered(growth_rule_names)]
RedistributionName = Annotated[str, registered(redistribution_names)]


class SparsityConfig(BaseModel):
    """Initial masks: `ftk.sparsify` arguments.

    Attributes:
        density: Global fraction of active prunable weights, in `(0, 1]`.
            Defaults to `0.2`.
        distribution: `"uniform"`, `"er"`, `"erk"` or another registered
            density distribution (`ftk.sparse.density_distributions`).
            Defaults to `"erk"`.
        erk_power: Exponent of the ERK scores. Defaults to `1.0`.
        dense_first_layer: Keep the first prunable layer dense. Defaults to `False`.
        dense_last_layer: Keep the last prunable layer dense. Defaults to `False`.
        exclude: Layer-name patterns kept dense. Defaults to `()`.
    """

    model_config = _STRICT
    density: UnitFraction = 0.2
    distribution: DensityDistributionName = "erk"
    erk_power: Positive = 1.0
    dense_first_layer: Bool = False
    dense_last_layer: Bool = False
    exclude: TextList = ()


class DstConfig(BaseModel):
    """Topology updates of dynamic sparse training (`ftk.DynamicSparsity`).

    Attributes:
        update_frequency: Optimizer steps between updates. Defaults to `1000`.
        death_rate: Fraction of active weights pruned per update, in `(0, 1)`.
            Defaults to `0.5`.
        death_rate_schedule: `"constant"`, `"cosine"`, `"linear"` or another
            registered schedule. Defaults to `"cosine"`.
        prune: `"magnitude"` or another registered prune rule.
            Defaults to `"magnitude"`.
        growth: `"random"` (SET), `"gradient"` (RigL), `"momentum"` (SNFS)
            or another registered growth rule. Defaults to `"gradient"`.
        redistribution: `"none"`, `"magnitude"`, `"momentum"` or another
            registered redistribution. Defaults to `"none"`.
        update_end: Fraction of the member run after which updates stop, in
            `(0, 1]`. Defaults to `1.0`.
        update_on: Where updates run: `"host"` (NumPy, any rule), `"device"`
            (TensorFlow ops on the variables' device; built-in rules only) or
            `"auto"` (the device on GPUs, the faster path on CPUs). Defaults
            to `"auto"`.

    Rules are registered in `ftk.sparse` (e.g. `register_growth_rule`) before
    the recipe is loaded.
    """

    model_config = _STRICT
    update_frequency: PositiveCount = 1000
    death_rate: OpenFraction = 0.5
    death_rate_schedule: DeathRateScheduleName = "cosine"
    prune: PruneRuleName = "magnitude"
    growth: GrowthRuleName = "gradient"
    redistribution: RedistributionName = "none"
    update_end: UnitFraction = 1.0
    update_on: Annotated[UpdateOn, one_of(UpdateOn)] = "auto"


class EnsembleConfig(BaseModel):
    """Ensemble size.

    Attributes:
        members: Number of members (tickets), at most `MAX_MEMBERS` (1000).
            Defaults to `1` for `dense` recipes and `3` otherwise.
    """

    model_config = _STRICT
    members: Members = 3
