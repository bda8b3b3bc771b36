"""`edst`: one sparse run that explores, then refines M tickets (EDST)."""

from pathlib import Path

import ftk
from ftk.protocols.base import MemberRun, Protocol, dynamic_sparsity


class EDSTEnsemble(Protocol):
    name = "edst"
    sparse = True
    tickets_from_callbacks = True
    single_run = True

    def member_runs(self, recipe) -> list[MemberRun]:
        return [MemberRun(0, recipe.seed, recipe.training.epochs)]

    def learning_rate(self, recipe, run, info) -> float:
        return recipe.edst.lr_explore  # the EDST callback sets each epoch's rate

    def callbacks(self, recipe, run: MemberRun, ticket_dir: Path) -> list:
        e = recipe.edst
        edst = ftk.EDST(
            explore_epochs=e.explore_epochs, members=recipe.ensemble.members,
            large_death_rate=e.large_death_rate, lr_explore=e.lr_explore,
            lr_refine=e.lr_refine, ticket_dir=ticket_dir, ticket=e.ticket,
        )
        edst.total_epochs(run.epochs)
        return [dynamic_sparsity(recipe, run.seed), edst]
