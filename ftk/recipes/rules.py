"""Cross-field rules of a recipe: sections per protocol, EDST phase arithmetic."""

from __future__ import annotations

from typing import TYPE_CHECKING

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
    if protocol == "edst" and recipe.edst is not None:
        problems.extend(_edst_problems(recipe, recipe.edst))
    return problems


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
        options = [str(e) for e in (low, high) if e - explore >= 2 * members]
        # Member counts that split `refine` into phases of at least 2 epochs.
        divisors = [d for d in range(1, refine // 2 + 1) if refine % d == 0]
        divisors = sorted(sorted(divisors, key=lambda d: abs(d - members))[:3])
        other = f", or ensemble.members {' or '.join(map(str, divisors))}" if divisors else ""
        problems.append(
            (
                "training.epochs",
                f"training.epochs - edst.explore_epochs = {epochs} - {explore} = {refine} "
                f"refinement epochs must split evenly into ensemble.members ({members}) phases, "
                f"but give {refine / members:.2f} epochs per phase; received {epochs}; use "
                f"training.epochs {' or '.join(options)}{other}",
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
