"""Ensembles of tickets: prediction, metrics, plots, distillation, trajectory math.

Imports nothing of ftk but `ftk.ensemble` and `ftk.sparse`: reading a run
directory (its tickets, recordings and events) is `ftk.evaluation`'s.
"""

from ftk.ensemble import metrics
from ftk.ensemble.distillation import DistillationLoss, Distiller, distill, distillation_report, student_like
from ftk.ensemble.ensemble import Ensemble

__all__ = [
    "DistillationLoss",
    "Distiller",
    "Ensemble",
    "distill",
    "distillation_report",
    "metrics",
    "student_like",
]
