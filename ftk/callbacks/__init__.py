"""Keras callbacks of ftk."""

from ftk.callbacks.checkpoint import RunCheckpoint
from ftk.callbacks.divergence import DivergenceGuard, TrainingDiverged
from ftk.callbacks.dynamic_sparsity import DynamicSparsity
from ftk.callbacks.edst import EDST, PhaseStart, TicketSaved
from ftk.callbacks.event_log import EventLog
from ftk.callbacks.prediction_recorder import PredictionRecorder
from ftk.callbacks.prune_finetune import PruneAndFinetune
