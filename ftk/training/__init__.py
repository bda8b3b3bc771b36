"""Training pieces the recipes use: coupled-L2 optimizers, epoch schedules, losses."""

from ftk.training.losses import SparseCategoricalCrossentropy
from ftk.training.lr_schedules import EpochSchedule, edst_schedule, step_decay
from ftk.training.optimizers import SGD, Adam, AdamW, CoupledWeightDecay, PackedState, build_optimizer

__all__ = [
    "SGD",
    "Adam",
    "AdamW",
    "CoupledWeightDecay",
    "EpochSchedule",
    "PackedState",
    "SparseCategoricalCrossentropy",
    "build_optimizer",
    "edst_schedule",
    "step_decay",
]
