"""`static_ensemble`: M sparse models whose ERK masks never change."""

from ftk.protocols.base import Protocol


class StaticEnsemble(Protocol):
    name = "static_ensemble"
    summary = "M sparse models with fixed masks"
    shared_sections = ("sparsity",)
    starts_sparse = True
    dense_at_full_density = "at density 1.0 every mask keeps every weight, so the members are dense models"

    def training_cost(self, c):
        return c.cost(train=c.members * c.sparse_run(), members=c.members, sparse=True)
