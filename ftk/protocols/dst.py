"""`dst_ensemble`: M independent dynamic sparse training runs (seeds differ)."""

from pathlib import Path

from ftk.protocols.base import MemberRun, Protocol, dynamic_sparsity


class DSTEnsemble(Protocol):
    name = "dst_ensemble"
    sparse = True

    def callbacks(self, recipe, run: MemberRun, ticket_dir: Path) -> list:
        return [dynamic_sparsity(recipe, run.seed)]
