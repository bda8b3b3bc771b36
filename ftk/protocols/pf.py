"""`pf_ensemble`: M dense parents, each pruned once globally, then fine-tuned."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from ftk.protocols.base import MemberRun, Protocol
from ftk.recipes._types import Epochs, Positive


class PfConfig(BaseModel):
    """Prune-and-fine-tune: dense parents, one-shot pruning, fine-tuning.

    Attributes:
        finetune_epochs: Fine-tuning epochs after pruning. Defaults to `50`.
        finetune_lr: Constant fine-tuning learning rate. Defaults to `0.001`.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)
    finetune_epochs: Epochs = 50
    finetune_lr: Positive = 0.001


class PFEnsemble(Protocol):
    name = "pf_ensemble"
    summary = "M dense parents, each pruned once globally, then fine-tuned"
    sections = {"pf": PfConfig}
    shared_sections = ("sparsity",)
    dense_at_full_density = ("at density 1.0 nothing is pruned, so fine-tuning only continues "
                             "the dense parents")

    def problems(self, recipe) -> list[tuple[str, str]]:
        schedule = recipe.training.lr_schedule
        if schedule in ("step", "constant"):
            return []
        return [("training.lr_schedule",
                 f"must be 'step' or 'constant' for protocol {self.name!r} (fine-tuning appends "
                 f"pf.finetune_lr to the parents' schedule); received {schedule!r}")]

    def layer_problems(self, recipe, layers) -> list[tuple[str, str]]:
        from ftk.protocols.layer_checks import pruned_to_nothing

        return pruned_to_nothing(recipe, layers)  # the parent is dense until it is pruned

    def member_runs(self, recipe) -> list[MemberRun]:
        epochs = recipe.training.epochs + recipe.pf.finetune_epochs
        return [MemberRun(i, recipe.seed + i, epochs) for i in range(recipe.ensemble.members)]

    def build(self, recipe, run, info):
        from ftk.protocols import builders

        parent = builders.sparsify(self.base_model(recipe, run, info), recipe, run.seed, density=1.0)
        return builders.compile_model(parent, recipe, self.learning_rate(recipe, run, info))

    def learning_rate_fields(self, recipe) -> dict[str, float]:
        return {"training.lr": recipe.training.lr, "pf.finetune_lr": recipe.pf.finetune_lr}

    def learning_rate(self, recipe, run, info):
        """The parents' schedule, then `pf.finetune_lr` from the pruning epoch on."""
        from ftk.protocols import builders
        from ftk.training.lr_schedules import EpochSchedule

        steps = builders.steps_per_epoch(recipe, info)
        parent = builders.training_schedule(recipe, recipe.training.epochs, steps)
        return EpochSchedule(
            steps, [*parent.boundaries, recipe.training.epochs],
            [*parent.values, recipe.pf.finetune_lr], parent.warmup_epochs,
        )

    def callbacks(self, recipe, run: MemberRun, ticket_dir) -> list:
        from ftk.callbacks import PruneAndFinetune

        return [PruneAndFinetune(recipe.sparsity.density, prune_epoch=recipe.training.epochs)]

    def cost_inputs(self, recipe) -> dict:
        return {"finetune_epochs": recipe.pf.finetune_epochs if recipe.pf else 0}

    def cost_note(self) -> str:
        return ("real per-layer densities come from global pruning of the trained parent; "
                "estimated here with the recipe's distribution")

    def training_cost(self, c):
        if c.finetune_epochs is None or c.finetune_epochs < 0:
            raise ValueError(f"{self.name!r} needs `finetune_epochs` >= 0.")
        finetune = c.sparse_run(c.finetune_epochs)
        return c.cost(train=c.members * (c.dense_run() + finetune), members=c.members, sparse=True)
