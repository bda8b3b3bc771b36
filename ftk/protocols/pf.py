"""`pf_ensemble`: M dense parents, each pruned once globally, then fine-tuned."""

from pathlib import Path

import ftk
from ftk.protocols.base import (
    MemberRun,
    Protocol,
    compile_model,
    sparsify,
    steps_per_epoch,
    training_schedule,
)
from ftk.training.lr_schedules import EpochSchedule


class PFEnsemble(Protocol):
    name = "pf_ensemble"

    def member_runs(self, recipe) -> list[MemberRun]:
        epochs = recipe.training.epochs + recipe.pf.finetune_epochs
        return [MemberRun(i, recipe.seed + i, epochs) for i in range(recipe.ensemble.members)]

    def build(self, recipe, run, info):
        parent = sparsify(self.base_model(recipe, run, info), recipe, run.seed, density=1.0)
        return compile_model(parent, recipe, self.learning_rate(recipe, run, info))

    def learning_rate(self, recipe, run, info) -> EpochSchedule:
        """The parents' schedule, then `pf.finetune_lr` from the pruning epoch on."""
        steps = steps_per_epoch(recipe, info)
        parent = training_schedule(recipe, recipe.training.epochs, steps)
        if not isinstance(parent, EpochSchedule):
            raise ValueError(
                "pf_ensemble needs `training.lr_schedule` 'step' or 'constant'. "
                f"Received: {recipe.training.lr_schedule!r}"
            )
        return EpochSchedule(
            steps, [*parent.boundaries, recipe.training.epochs],
            [*parent.values, recipe.pf.finetune_lr], parent.warmup_epochs,
        )

    def callbacks(self, recipe, run: MemberRun, ticket_dir: Path) -> list:
        return [ftk.PruneAndFinetune(recipe.sparsity.density, prune_epoch=recipe.training.epochs)]
