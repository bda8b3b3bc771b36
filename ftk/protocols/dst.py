"""`dst_ensemble`: M independent dynamic sparse training runs (seeds differ)."""

from ftk.protocols.base import Protocol


class DSTEnsemble(Protocol):
    name = "dst_ensemble"
    summary = "M independent dynamic sparse training runs"
    shared_sections = ("sparsity", "dst")
    starts_sparse = True
    dense_at_full_density = ("at density 1.0 every layer is dense, so there is no weight to prune "
                             "and regrow (DST needs a sparse layer)")

    def training_cost(self, c):
        return c.cost(train=c.members * c.dst_run(self.name), members=c.members, sparse=True)
