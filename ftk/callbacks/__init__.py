"""Keras callbacks of ftk."""

from ftk.callbacks.dynamic_sparsity import DynamicSparsity
from ftk.callbacks.edst import EDST, PhaseStart, TicketSaved
from ftk.callbacks.prune_finetune import PruneAndFinetune
