"""Cross-field rules of a recipe: sections per protocol, seeds, density; then the protocol's own."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ftk.recipes._types import MAX_SEED, SEED_RANGE
from ftk.recipes.protocol_registry import dense_ensemble_protocol, protocol_class, protocol_classes

if TYPE_CHECKING:
    from ftk.recipes.schema import Recipe

#: Shared optional sections and the example shown when one is missing.
SHARED_SECTIONS = {"sparsity": "sparsity: {density: 0.2}", "dst": "dst: {update_frequency: 1000}"}


def section_users() -> dict[str, list[str]]:
    """Optional section -> the protocols that need it."""
    users: dict[str, list[str]] = {section: [] for section in SHARED_SECTIONS}
    for cls in protocol_classes():
        for section in (*cls.shared_sections, *cls.sections):
            users.setdefault(section, []).append(cls.name)
    return users


def cross_field_problems(recipe: Recipe) -> list[tuple[str, str]]:
    """Returns `(field path, message)` for every cross-field rule `recipe` breaks."""
    protocol = protocol_class(recipe.protocol)()
    problems: list[tuple[str, str]] = []
    for section, needed_by in section_users().items():
        present = getattr(recipe, section, None) is not None
        if recipe.protocol in needed_by and not present:
            example = SHARED_SECTIONS.get(section) or f"{section}: {{}}"
            problems.append((section, f"required for protocol {recipe.protocol!r}; add a section, "
                                      f"e.g. '{example}'"))
        elif recipe.protocol not in needed_by and present:
            users = ", ".join(repr(p) for p in needed_by)
            problems.append((section, f"not allowed for protocol {recipe.protocol!r} (only {users} "
                                      "use it); remove it"))
    problems.extend(_seed_problems(recipe, len(protocol.member_runs(recipe))))
    problems.extend(_density_problems(recipe, protocol))
    problems.extend(protocol.problems(recipe))
    return problems


def _density_problems(recipe: Recipe, protocol) -> list[tuple[str, str]]:
    """Density 1.0 defeats every protocol that prunes."""
    why = protocol.dense_at_full_density
    if recipe.sparsity is None or recipe.sparsity.density < 1.0 or why is None:
        return []
    return [("sparsity.density", f"must be < 1 for protocol {recipe.protocol!r}: {why}; received "
                                 f"{recipe.sparsity.density}; use protocol {dense_ensemble_protocol()!r} for dense members")]


def _seed_problems(recipe: Recipe, runs: int) -> list[tuple[str, str]]:
    """Member runs use seeds `seed .. seed + runs - 1`; each must be a valid seed."""
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
