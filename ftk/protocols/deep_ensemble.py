"""`deep_ensemble`: M dense models trained independently (seeds s..s+M-1)."""

from ftk.protocols.base import Protocol


class DeepEnsemble(Protocol):
    name = "deep_ensemble"
