"""Keras callbacks of ftk: dynamic sparsity, EDST phases, prune-and-fine-tune, guards.

The callbacks that write a run folder (`EventLog`, `RunCheckpoint`) live in
`ftk.run_dir` and are re-exported here.
"""

from ftk.callbacks.divergence import DivergenceGuard
from ftk.callbacks.dynamic_sparsity import DynamicSparsity
from ftk.callbacks.edst import EDST
from ftk.callbacks.prediction_recorder import PredictionRecorder
from ftk.callbacks.prune_finetune import PruneAndFinetune
from ftk.run_dir.checkpoint import RunCheckpoint
from ftk.run_dir.event_log import EventLog
from ftk.run_dir.events import PhaseStart, TicketSaved
from ftk.run_dir.finite import TrainingDiverged

__all__ = [
    "EDST",
    "DivergenceGuard",
    "DynamicSparsity",
    "EventLog",
    "PhaseStart",
    "PredictionRecorder",
    "PruneAndFinetune",
    "RunCheckpoint",
    "TicketSaved",
    "TrainingDiverged",
]
