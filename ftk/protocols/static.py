"""`static_ensemble`: M sparse models whose ERK masks never change."""

from ftk.protocols.base import Protocol


class StaticEnsemble(Protocol):
    name = "static_ensemble"
    sparse = True
