"""The protocol sections of a recipe: `sparsity`, `dst`, `ensemble`, `edst`, `pf`.

One frozen pydantic model per section; unknown keys are errors. Defaults are
the paper's settings: density 0.2 with ERK masks, RigL-style DST (magnitude
pruning, gradient growth, death rate 0.5, every 1000 steps), and EDST with 150
exploration epochs and a large death rate of 0.8. Which protocol needs which
section is checked by `ftk.recipes.Recipe`. Pure configuration: nothing here
imports TensorFlow or Keras.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict

from ftk.recipes._types import (
    Bool,
    EpochCount,
    Epochs,
    Members,
    OpenFraction,
    Positive,
    PositiveCount,
    TextList,
    UnitFraction,
    one_of,
)

_STRICT = ConfigDict(extra="forbid", frozen=True)

Distribution = Literal["uniform", "er", "erk"]
RateSchedule = Literal["constant", "cosine", "linear"]
Prune = Literal["magnitude"]
Growth = Literal["random", "gradient", "momentum"]
Redistribution = Literal["none", "magnitude", "momentum"]
Ticket = Literal["final", "best_val"]


class SparsityConfig(BaseModel):
    """Initial masks: `ftk.sparsify` arguments.

    Attributes:
        density: Global fraction of active prunable weights, in `(0, 1]`.
            Defaults to `0.2`.
        distribution: `"uniform"`, `"er"` or `"erk"`. Defaults to `"erk"`.
        erk_power: Exponent of the ERK scores. Defaults to `1.0`.
        dense_first_layer: Keep the first prunable layer dense. Defaults to `False`.
        dense_last_layer: Keep the last prunable layer dense. Defaults to `False`.
        exclude: Layer-name patterns kept dense. Defaults to `()`.
    """

    model_config = _STRICT
    density: UnitFraction = 0.2
    distribution: Annotated[Distribution, one_of(Distribution)] = "erk"
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
        death_rate_schedule: `"constant"`, `"cosine"` or `"linear"`.
            Defaults to `"cosine"`.
        prune: `"magnitude"`. Defaults to `"magnitude"`.
        growth: `"random"` (SET), `"gradient"` (RigL) or `"momentum"` (SNFS).
            Defaults to `"gradient"`.
        redistribution: `"none"`, `"magnitude"` or `"momentum"`. Defaults to `"none"`.
        update_end: Fraction of the member run after which updates stop, in
            `(0, 1]`. Defaults to `1.0`.
    """

    model_config = _STRICT
    update_frequency: PositiveCount = 1000
    death_rate: OpenFraction = 0.5
    death_rate_schedule: Annotated[RateSchedule, one_of(RateSchedule)] = "cosine"
    prune: Annotated[Prune, one_of(Prune)] = "magnitude"
    growth: Annotated[Growth, one_of(Growth)] = "gradient"
    redistribution: Annotated[Redistribution, one_of(Redistribution)] = "none"
    update_end: UnitFraction = 1.0


class EnsembleConfig(BaseModel):
    """Ensemble size.

    Attributes:
        members: Number of members (tickets), at most `MAX_MEMBERS` (1000).
            Defaults to `1` for `dense` recipes and `3` otherwise.
    """

    model_config = _STRICT
    members: Members = 3


class EdstConfig(BaseModel):
    """Phases of EDST: exploration, then one refinement phase per ticket.

    Attributes:
        explore_epochs: Exploration epochs at `lr_explore`, `< training.epochs`.
            Defaults to `150`.
        large_death_rate: Fraction pruned and regrown at the start of every
            refinement phase after the first, in `(0, 1)`. Defaults to `0.8`.
        lr_explore: Learning rate of exploration. Defaults to `0.1`.
        lr_refine: Learning rate of a refinement phase (x0.1 at its midpoint).
            Defaults to `0.01`.
        ticket: `"final"` (the phase's last model) or `"best_val"` (its best
            validation accuracy; needs `data.validation_split > 0`).
            Defaults to `"final"`.
    """

    model_config = _STRICT
    explore_epochs: EpochCount = 150
    large_death_rate: OpenFraction = 0.8
    lr_explore: Positive = 0.1
    lr_refine: Positive = 0.01
    ticket: Annotated[Ticket, one_of(Ticket)] = "final"


class PfConfig(BaseModel):
    """Prune-and-fine-tune: dense parents, one-shot pruning, fine-tuning.

    Attributes:
        finetune_epochs: Fine-tuning epochs after pruning. Defaults to `50`.
        finetune_lr: Constant fine-tuning learning rate. Defaults to `0.001`.
    """

    model_config = _STRICT
    finetune_epochs: Epochs = 50
    finetune_lr: Positive = 0.001
