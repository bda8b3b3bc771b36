"""`dense`: one dense model, the baseline every ratio refers to."""

from ftk.protocols.base import MemberRun, Protocol


class Dense(Protocol):
    name = "dense"

    def member_runs(self, recipe) -> list[MemberRun]:
        return [MemberRun(0, recipe.seed, recipe.training.epochs)]

    def ticket_count(self, recipe) -> int:
        return 1
