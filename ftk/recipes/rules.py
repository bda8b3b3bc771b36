"""Cross-field rules of a recipe: sections per protocol, seeds, density, EDST phases."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from ftk.recipes._types import MAX_EPOCHS, MAX_SEED, SEED_RANGE

if TYPE_CHECKING:
    from ftk.recipes.protocol_sections import EdstConfig
    from ftk.recipes.schema import Recipe

#: Protocols whose members are sparse (they need a `sparsity` section).
SPARSE_PROTOCOLS: tuple[str, ...] = ("static_ensemble", "dst_ensemble", "edst", "pf_ensemble")

# Optional section -> (protocols that need it, example shown when it is missing).
_SECTIONS: dict[str, tuple[tuple[str, ...], str]] = {
    "sparsity": (SPARSE_PROTOCOLS, "sparsity: {density: 0.2}"),
    "dst": (("dst_ensemble", "edst"), "dst: {update_frequency: 1000}"),
    "edst": (("edst",), "edst: {explore_epochs: 150}"),
    "pf": (("pf_ensemble",), "pf: {finetune_epochs: 50}"),
}

# Why `sparsity.density: 1.0` makes no sense for each sparse protocol.
_DENSE_AT_1 = {
    "static_ensemble": "at density 1.0 every mask keeps every weight, so the members are "
    "dense models",
    "dst_ensemble": "at density 1.0 every layer is dense, so there is no weight to prune and "
    "regrow (DST needs a sparse layer)",
    "edst": "at density 1.0 every layer is dense, so there are no topology updates and the "
    "tickets cannot differ in topology (DST needs a sparse layer)",
    "pf_ensemble": "at density 1.0 nothing is pruned, so fine-tuning only continues the dense "
    "parents",
}


def cross_field_problems(recipe: Recipe) -> list[tuple[str, str]]:
    """Returns `(field path, message)` for every cross-field rule `recipe` breaks."""
    problems: list[tuple[str, str]] = []
    protocol = recipe.protocol
    for section, (needed_by, example) in _SECTIONS.items():
        present = getattr(recipe, section) is not None
        if protocol in needed_by and not present:
            problems.append(
                (section, f"required for protocol {protocol!r}; add a section, e.g. '{example}'")
            )
        elif protocol not in needed_by and present:
            users = ", ".join(repr(p) for p in needed_by)
            problems.append(
                (section, f"not allowed for protocol {protocol!r} (only {users} use it); remove it")
            )
    members = recipe.ensemble.members
    if protocol == "dense" and members != 1:
        problems.append(
            (
                "ensemble.members",
                f"must be 1 for protocol 'dense'; received {members} "
                "(use protocol 'deep_ensemble' for several dense models)",
            )
        )
    problems.extend(_seed_problems(recipe))
    problems.extend(_sparse_problems(recipe))
    if protocol == "edst" and recipe.edst is not None:
        problems.extend(_edst_problems(recipe, recipe.edst))
    return problems


def _sparse_problems(recipe: Recipe) -> list[tuple[str, str]]:
    """Density 1.0 defeats every sparse protocol; PF appends its rate to a step schedule."""
    protocol = recipe.protocol
    problems: list[tuple[str, str]] = []
    if recipe.sparsity is not None and recipe.sparsity.density >= 1.0 and protocol in _DENSE_AT_1:
        problems.append(
            (
                "sparsity.density",
                f"must be < 1 for protocol {protocol!r}: {_DENSE_AT_1[protocol]}; received "
                f"{recipe.sparsity.density}; use protocol 'deep_ensemble' for dense members",
            )
        )
    schedule = recipe.training.lr_schedule
    if protocol == "pf_ensemble" and schedule not in ("step", "constant"):
        problems.append(
            (
                "training.lr_schedule",
                "must be 'step' or 'constant' for protocol 'pf_ensemble' (fine-tuning appends "
                f"pf.finetune_lr to the parents' schedule); received {schedule!r}",
            )
        )
    return problems


def _seed_problems(recipe: Recipe) -> list[tuple[str, str]]:
    """Member runs use seeds `seed .. seed + runs - 1`; each must be a valid seed."""
    runs = 1 if recipe.protocol == "edst" else recipe.ensemble.members
    last = recipe.seed + runs - 1
    if last <= MAX_SEED:
        return []
    return [
        (
            "seed",
            f"the {runs} member runs use seeds seed .. seed + {runs - 1} = {recipe.seed} .. "
            f"{last}, but seeds must be <= {MAX_SEED}{SEED_RANGE}; received {recipe.seed}; "
            f"use seed <= {MAX_SEED - runs + 1}",
        )
    ]


def _edst_problems(recipe: Recipe, edst: EdstConfig) -> list[tuple[str, str]]:
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
