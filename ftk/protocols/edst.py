"""`edst`: one sparse run that explores, then refines M tickets (EDST)."""

from __future__ import annotations

import math
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict

from ftk.protocols.base import MemberRun, Protocol
from ftk.recipes._types import MAX_EPOCHS, EpochCount, OpenFraction, Positive, one_of

Ticket = Literal["final", "best_val"]


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

    model_config = ConfigDict(extra="forbid", frozen=True)
    explore_epochs: EpochCount = 150
    large_death_rate: OpenFraction = 0.8
    lr_explore: Positive = 0.1
    lr_refine: Positive = 0.01
    ticket: Annotated[Ticket, one_of(Ticket)] = "final"


class EDSTEnsemble(Protocol):
    name = "edst"
    summary = "one sparse run: exploration, then M refinement phases, one ticket each"
    title = "EDST"
    sections = {"edst": EdstConfig}
    shared_sections = ("sparsity", "dst")
    single_run = True
    starts_sparse = True
    dense_at_full_density = ("at density 1.0 every layer is dense, so there are no topology "
                             "updates and the tickets cannot differ in topology (DST needs a "
                             "sparse layer)")

    def problems(self, recipe) -> list[tuple[str, str]]:
        return _phase_problems(recipe, recipe.edst) if recipe.edst is not None else []

    def member_runs(self, recipe) -> list[MemberRun]:
        return [MemberRun(0, recipe.seed, recipe.training.epochs)]

    def learning_rate(self, recipe, run, info) -> float:
        return recipe.edst.lr_explore  # the EDST callback sets each epoch's rate

    def callbacks(self, recipe, run: MemberRun, ticket_dir) -> list:
        from ftk.callbacks import EDST

        (dst,) = super().callbacks(recipe, run, ticket_dir)
        e = recipe.edst
        edst = EDST(
            dst, explore_epochs=e.explore_epochs, members=recipe.ensemble.members,
            large_death_rate=e.large_death_rate, lr_explore=e.lr_explore,
            lr_refine=e.lr_refine, ticket_dir=ticket_dir, ticket=e.ticket,
        )
        edst.total_epochs(run.epochs)
        return [dst, edst]

    def learning_rate_fields(self, recipe) -> dict[str, float]:
        return {"edst.lr_explore": recipe.edst.lr_explore, "edst.lr_refine": recipe.edst.lr_refine}

    def cost_inputs(self, recipe) -> dict:
        return {"explore_epochs": recipe.edst.explore_epochs if recipe.edst else 0}

    def training_cost(self, c):
        run = c.dst_run(self.name)
        if c.growth_needs_dense_gradient():  # each later phase starts with a large jump
            run += (c.members - 1) * (c.forward_dense - c.forward_sparse)
        return c.cost(train=run, members=c.members, sparse=True)


def _phase_problems(recipe, edst: EdstConfig) -> list[tuple[str, str]]:
    epochs, explore, members = recipe.training.epochs, edst.explore_epochs, recipe.ensemble.members
    problems: list[tuple[str, str]] = []
    if edst.ticket == "best_val" and recipe.data.validation_split <= 0:
        problems.append(
            (
                "edst.ticket",
                "'best_val' needs a validation set: set data.validation_split > 0 "
                f"(e.g. 0.1); received data.validation_split {recipe.data.validation_split}",
            )
        )
    if explore >= epochs:
        problems.append(
            (
                "edst.explore_epochs",
                f"must be less than training.epochs ({epochs}); received {explore}",
            )
        )
        return problems
    refine = epochs - explore
    if refine % members:
        low = explore + members * (refine // members)
        high = explore + members * max(refine // members + 1, 2)
        options = [str(e) for e in (low, high) if 2 * members <= e - explore and e <= MAX_EPOCHS]
        # Member counts that split `refine` into phases of at least 2 epochs.
        divisors = [d for d in _divisors(refine) if d <= refine // 2]
        divisors = sorted(sorted(divisors, key=lambda d: abs(d - members))[:3])
        uses = [f"training.epochs {' or '.join(options)}"] if options else []
        uses += [f"ensemble.members {' or '.join(map(str, divisors))}"] if divisors else []
        problems.append(
            (
                "training.epochs",
                f"training.epochs - edst.explore_epochs = {epochs} - {explore} = {refine} "
                f"refinement epochs must split evenly into ensemble.members ({members}) phases, "
                f"but give {refine / members:.2f} epochs per phase; received {epochs}; use "
                f"{', or '.join(uses)}",
            )
        )
    elif refine // members < 2:
        problems.append(
            (
                "ensemble.members",
                f"each EDST refinement phase needs at least 2 epochs (its learning rate drops at "
                f"its midpoint), but ({epochs} - {explore}) / {members} = {refine // members}; "
                f"received {members}; use training.epochs >= {explore + 2 * members} "
                "or fewer members",
            )
        )
    return problems


def _divisors(number: int) -> list[int]:
    """The divisors of `number >= 1`, in O(sqrt(number)) steps."""
    small = [d for d in range(1, math.isqrt(number) + 1) if number % d == 0]
    return sorted({*small, *(number // d for d in small)})
