"""Ensembles of tickets: prediction, metrics, plots, distillation, trajectories."""

from ftk.ensemble import metrics
from ftk.ensemble.distillation import DistillationLoss, Distiller, distill, distillation_report, student_like
from ftk.ensemble.ensemble import Ensemble
from ftk.ensemble.evaluate_run import MODES, evaluate_run

__all__ = [
    "MODES",
    "DistillationLoss",
    "Distiller",
    "Ensemble",
    "distill",
    "distillation_report",
    "evaluate_run",
    "metrics",
    "student_like",
]
