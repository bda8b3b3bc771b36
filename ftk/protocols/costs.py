"""`protocol_cost`: training and inference FLOPs of a protocol, asked of the protocol itself."""

from __future__ import annotations

import dataclasses

from ftk.flops.training_cost import TrainingCost, training_flops
from ftk.protocols import get_protocol
from ftk.recipes import DstConfig
from ftk.sparse.growth_rules import get_growth_rule


@dataclasses.dataclass(frozen=True)
class CostInputs:
    """What a protocol's cost is computed from (FLOPs per example; see `ftk.flops`).

    Attributes:
        forward_sparse, forward_dense: forward FLOPs `f_S` of one sparse
            member and `f_D` of the dense model (`ftk.flops.forward_flops`).
        params_sparse, params_dense: their active parameters.
        members: ensemble size `M`.
        epochs, steps_per_epoch: `E` of one member run (of the EDST run) and `S`.
        update_frequency: steps between topology updates (DST protocols).
        growth: the DST growth rule.
        explore_epochs: exploration epochs, part of `epochs` (EDST).
        finetune_epochs: sparse fine-tuning epochs (prune-and-fine-tune).
        batch_size: examples per step. Defaults to `1` (FLOPs per example).
        dense_reference: training FLOPs (as `TrainingCost.train_flops`, i.e.
            times `batch_size`) of the dense run the ratios compare against,
            e.g. the dense recipe's own budget (the paper's convention).
            Defaults to `None`: one dense model trained as long (`epochs`).
    """

    forward_sparse: float
    forward_dense: float
    params_sparse: float
    params_dense: int
    members: int
    epochs: int
    steps_per_epoch: int
    update_frequency: int | None = None
    growth: str | None = None
    explore_epochs: int | None = None
    finetune_epochs: int | None = None
    batch_size: int = 1
    dense_reference: float | None = None

    def __post_init__(self):
        if self.members < 1 or self.epochs < 0 or self.steps_per_epoch < 0:
            raise ValueError("Need members >= 1, epochs >= 0 and steps_per_epoch >= 0.")
        if self.explore_epochs is not None and not 0 <= self.explore_epochs <= self.epochs:
            raise ValueError(f"`explore_epochs` must be in [0, epochs]. Received: {self.explore_epochs!r}")
        if self.dense_reference is not None and not self.dense_reference >= 0:
            raise ValueError(f"`dense_reference` must be >= 0. Received: {self.dense_reference!r}")

    @classmethod
    def of_recipe(cls, recipe, *, protocol: str | None = None, **measured) -> CostInputs:
        """The inputs of `recipe` (priced as `protocol`, default its own) and measured FLOPs.

        Members, epochs, batch size and DST settings come from the recipe (the
        paper's RigL defaults when it has no `dst`), the protocol's own fields
        from `Protocol.cost_inputs`.

        Args:
            recipe: the recipe whose settings define the run.
            protocol: the protocol priced. Defaults to `recipe.protocol`.
            **measured: `forward_sparse`, `forward_dense`, `params_sparse`,
                `params_dense`, `steps_per_epoch` (and optionally `dense_reference`).
        """
        dst = recipe.dst or DstConfig()
        return cls(
            members=recipe.ensemble.members, epochs=recipe.training.epochs,
            batch_size=recipe.data.batch_size, update_frequency=dst.update_frequency,
            growth=dst.growth, **get_protocol(protocol or recipe.protocol).cost_inputs(recipe),
            **measured,
        )

    def dense_run(self) -> float:
        """FLOPs of one dense run of `epochs`."""
        return training_flops(self.forward_dense, self.forward_dense, self.epochs * self.steps_per_epoch)

    def sparse_run(self, epochs: int | None = None) -> float:
        """FLOPs of one run with fixed masks, of `epochs` (default: `self.epochs`)."""
        epochs = self.epochs if epochs is None else epochs
        return training_flops(self.forward_sparse, self.forward_dense, epochs * self.steps_per_epoch)

    def dst_run(self, protocol: str) -> float:
        """FLOPs of one dynamic sparse training run of `epochs`."""
        if self.growth is None or (self.growth_needs_dense_gradient() and not self.update_frequency):
            raise ValueError(f"{protocol!r} needs `growth`, and `update_frequency` for a growth "
                             "rule that reads the dense gradient.")
        steps = self.epochs * self.steps_per_epoch
        updates = steps // self.update_frequency if self.update_frequency else 0
        return training_flops(self.forward_sparse, self.forward_dense, steps, updates, self.growth)

    def growth_needs_dense_gradient(self) -> bool:
        """Whether the growth rule computes the dense gradient at update steps only.

        (A rule that keeps a momentum of it computes it every step anyway.)
        """
        if self.growth is None:
            return False
        rule = get_growth_rule(self.growth)
        return rule.needs_dense_gradient and not rule.uses_momentum

    def reference_train_flops(self) -> float:
        """Training FLOPs of the dense reference: `dense_reference`, else one dense run of `epochs`."""
        if self.dense_reference is not None:
            return float(self.dense_reference)
        return float(self.dense_run() * self.batch_size)

    def cost(self, train: float, members: int, sparse: bool, models: int | None = None) -> TrainingCost:
        """The `TrainingCost` of `train` FLOPs per example and `members` forward passes.

        Args:
            train: training FLOPs per example.
            members: forward passes at inference (members or stochastic passes).
            sparse: whether those passes run sparse models.
            models: models stored, if not one per pass.
        """
        forward, params = (self.forward_sparse, self.params_sparse) if sparse else (
            self.forward_dense, self.params_dense)
        return TrainingCost(
            train_flops=float(train * self.batch_size),
            inference_flops=float(members * forward),
            nonzero_params=float((members if models is None else models) * params),
            dense_train_flops=self.reference_train_flops(),
            dense_inference_flops=float(self.forward_dense),
            dense_params=int(self.params_dense),
        )


def protocol_cost(protocol: str, **inputs) -> TrainingCost:
    """Returns the training and inference cost of protocol `protocol`.

    Args:
        protocol: a protocol name (`ftk.recipes.protocol_names()`).
        **inputs: the fields of `CostInputs`.

    Returns:
        A `TrainingCost`; its `dense_*` fields are one dense model, trained
        for `epochs` epochs unless `dense_reference` gives another budget.

    Raises:
        ValueError: for an unknown protocol or a missing/invalid argument.

    Example:

    ```python
    cost = protocol_cost(
        recipe.protocol, forward_sparse=2.1e9, forward_dense=10.5e9, params_sparse=7.3e6,
        params_dense=36_479_194, members=3, epochs=450, steps_per_epoch=391,
        update_frequency=1000, growth="gradient",
    )
    cost.train_flops_ratio  # vs one dense run of the same length
    # the paper's convention: vs the dense recipe (250 epochs of 391 steps of 128)
    protocol_cost(..., dense_reference=3 * 10.5e9 * 250 * 391 * 128)
    ```
    """
    return get_protocol(protocol).training_cost(CostInputs(**inputs))
