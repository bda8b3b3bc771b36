"""Ensembles of tickets: prediction, metrics, plots and distillation."""

from ftk.ensemble import metrics
from ftk.ensemble.ensemble import Ensemble

__all__ = ["Ensemble", "metrics"]
