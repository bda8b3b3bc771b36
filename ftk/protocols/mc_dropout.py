"""`mc_dropout`: one dense model with dropout; M stochastic passes at test time.

Monte Carlo dropout (Gal & Ghahramani, 2016), the single-model baseline of
the ensemble literature (e.g. uncertainty-baselines): it trains one dense
model, like `dense`, and predicts with the mean of `ensemble.members`
forward passes whose dropout stays on. `ftk eval` and the run's ensemble
evaluation treat the passes as the members.
"""

from __future__ import annotations

from ftk.protocols.base import MemberRun, Protocol


class MCDropout(Protocol):
    name = "mc_dropout"
    summary = "one dense model with dropout; M stochastic forward passes at test time"

    def problems(self, recipe) -> list[tuple[str, str]]:
        if recipe.model.dropout > 0:
            return []
        return [("model.dropout", f"must be > 0 for protocol {self.name!r}: its M passes differ "
                                  f"only by dropout; received {recipe.model.dropout}; use e.g. 0.1")]

    def member_runs(self, recipe) -> list[MemberRun]:
        return [MemberRun(0, recipe.seed, recipe.training.epochs)]

    def ticket_count(self, recipe) -> int:
        return 1

    def ensemble_members(self, tickets: list, recipe) -> list:
        """Each ticket's `ensemble.members` stochastic passes."""
        from ftk.ensemble.dropout_passes import dropout_passes

        passes = recipe.ensemble.members
        return [member for i, ticket in enumerate(tickets)
                for member in dropout_passes(ticket, passes, seed=recipe.seed + i * passes)]

    def training_cost(self, c):
        return c.cost(train=c.dense_run(), members=c.members, sparse=False, models=1)
