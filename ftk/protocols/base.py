"""What every protocol shares: member runs, model building, compiling."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import ClassVar

import keras

import ftk
from ftk.data import DatasetInfo
from ftk.models import build_model
from ftk.training.losses import SparseCategoricalCrossentropy
from ftk.training.lr_schedules import EpochSchedule, step_decay
from ftk.training.optimizers import build_optimizer


@dataclasses.dataclass(frozen=True)
class MemberRun:
    """One `fit` of a protocol.

    Attributes:
        index: position among the protocol's runs (0-based).
        seed: seed of the model, masks and data order of this run.
        epochs: epochs of this run.
    """

    index: int
    seed: int
    epochs: int


class Protocol:
    """A FreeTickets training protocol, as a recipe runs it.

    Subclasses say how many runs they make, what model each trains, with
    which callbacks and learning rate. By default each run yields one ticket:
    its final model.
    """

    name: ClassVar[str]
    sparse: ClassVar[bool] = False
    #: True when a callback saves the tickets during `fit` (EDST).
    tickets_from_callbacks: ClassVar[bool] = False
    #: True when all tickets are phases of one member run (EDST).
    single_run: ClassVar[bool] = False

    def member_runs(self, recipe) -> list[MemberRun]:
        members = recipe.ensemble.members
        return [MemberRun(i, recipe.seed + i, recipe.training.epochs) for i in range(members)]

    def build(self, recipe, run: MemberRun, info: DatasetInfo) -> keras.Model:
        """Returns the compiled model of `run` (built in the current strategy scope)."""
        model = self.base_model(recipe, run, info)
        if self.sparse:
            model = sparsify(model, recipe, run.seed)
        return compile_model(model, recipe, self.learning_rate(recipe, run, info))

    def base_model(self, recipe, run: MemberRun, info: DatasetInfo) -> keras.Model:
        kwargs = {"dropout": recipe.model.dropout} if recipe.model.dropout else {}
        return build_model(
            recipe.model.name, num_classes=info.num_classes, input_shape=info.input_shape,
            seed=run.seed, **kwargs,
        )

    def learning_rate(self, recipe, run: MemberRun, info: DatasetInfo):
        return training_schedule(recipe, run.epochs, steps_per_epoch(recipe, info))

    def callbacks(self, recipe, run: MemberRun, ticket_dir: Path) -> list[keras.callbacks.Callback]:
        return []

    def ticket_count(self, recipe) -> int:
        return recipe.ensemble.members

    def ensemble_members(self, tickets: list, recipe) -> list:
        """The ensemble's members made from the run's tickets: the tickets themselves."""
        return list(tickets)


def steps_per_epoch(recipe, info: DatasetInfo) -> int:
    return info.num_train // recipe.data.batch_size


def training_schedule(recipe, epochs: int, steps: int) -> EpochSchedule | float:
    """The recipe's `training.lr_schedule` over `epochs`."""
    t = recipe.training
    if t.lr_schedule == "step":
        return step_decay(steps, epochs, t.lr, t.lr_milestones, t.lr_gamma, t.warmup_epochs)
    if t.lr_schedule == "cosine":
        decay = keras.optimizers.schedules.CosineDecay(
            0.0 if t.warmup_epochs else t.lr, epochs * steps,
            warmup_target=t.lr if t.warmup_epochs else None, warmup_steps=t.warmup_epochs * steps,
        )
        return decay
    return EpochSchedule(steps, [], [t.lr], t.warmup_epochs)


def sparsify(model: keras.Model, recipe, seed: int, density: float | None = None) -> keras.Model:
    s = recipe.sparsity
    return ftk.sparsify(
        model, density=s.density if density is None else density, distribution=s.distribution,
        erk_power=s.erk_power, dense_first_layer=s.dense_first_layer,
        dense_last_layer=s.dense_last_layer, exclude=tuple(s.exclude), seed=seed,
    )


def compile_model(model: keras.Model, recipe, learning_rate) -> keras.Model:
    t = recipe.training
    model.compile(
        optimizer=build_optimizer(
            t.optimizer, learning_rate, momentum=t.momentum, nesterov=t.nesterov,
            weight_decay=t.weight_decay, weight_decay_exclude=tuple(t.weight_decay_exclude),
        ),
        loss=SparseCategoricalCrossentropy(label_smoothing=t.label_smoothing),
        metrics=["accuracy"],
        steps_per_execution=t.steps_per_execution,
        jit_compile=t.jit_compile,
    )
    return model


def dynamic_sparsity(recipe, seed: int) -> ftk.DynamicSparsity:
    d = recipe.dst
    return ftk.DynamicSparsity(
        update_frequency=d.update_frequency, death_rate=d.death_rate,
        death_rate_schedule=d.death_rate_schedule, prune=d.prune, growth=d.growth,
        redistribution=d.redistribution, update_end=float(d.update_end), seed=seed,
    )
