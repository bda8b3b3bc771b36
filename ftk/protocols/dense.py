"""`dense`: one dense model, the baseline every ratio refers to."""

from ftk.protocols.base import MemberRun, Protocol
from ftk.recipes.protocol_registry import dense_ensemble_protocol


class Dense(Protocol):
    name = "dense"
    summary = "one dense model"
    default_members = 1

    def problems(self, recipe) -> list[tuple[str, str]]:
        members = recipe.ensemble.members
        if members == 1:
            return []
        return [("ensemble.members", f"must be 1 for protocol {self.name!r}; received {members} "
                                     f"(use protocol {dense_ensemble_protocol()!r} for several "
                                     "dense models)")]

    def member_runs(self, recipe) -> list[MemberRun]:
        return [MemberRun(0, recipe.seed, recipe.training.epochs)]

    def ticket_count(self, recipe) -> int:
        return 1

    def training_cost(self, c):
        return c.cost(train=c.dense_run(), members=1, sparse=False)
