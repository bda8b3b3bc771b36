"""`deep_ensemble`: M dense models trained independently (seeds s..s+M-1)."""

from ftk.protocols.base import Protocol


class DeepEnsemble(Protocol):
    name = "deep_ensemble"
    summary = "M dense models trained independently"
    trains_dense_ensemble = True
