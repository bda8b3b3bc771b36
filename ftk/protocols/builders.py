"""The Keras side of protocols: models, schedules, optimizers and DST built from a recipe."""

from __future__ import annotations

import keras

from ftk.sparse.conversion import sparsify as sparsify_model
from ftk.callbacks import DynamicSparsity
from ftk.data import DatasetInfo
from ftk.models import build_model
from ftk.training.losses import SparseCategoricalCrossentropy
from ftk.training.lr_schedules import EpochSchedule, step_decay
from ftk.training.optimizers import build_optimizer


def recipe_model(recipe, seed: int, info: DatasetInfo) -> keras.Model:
    """The recipe's model (dense), built for the dataset with `seed`."""
    kwargs = {"dropout": recipe.model.dropout} if recipe.model.dropout else {}
    return build_model(
        recipe.model.name, num_classes=info.num_classes, input_shape=info.input_shape,
        seed=seed, **kwargs,
    )


def steps_per_epoch(recipe, info: DatasetInfo) -> int:
    """Batches per epoch of the recipe's training split."""
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
    """`ftk.sparsify` with the recipe's `sparsity` section (or another `density`)."""
    s = recipe.sparsity
    return sparsify_model(
        model, density=s.density if density is None else density, distribution=s.distribution,
        erk_power=s.erk_power, dense_first_layer=s.dense_first_layer,
        dense_last_layer=s.dense_last_layer, exclude=tuple(s.exclude), seed=seed,
    )


def compile_model(model: keras.Model, recipe, learning_rate) -> keras.Model:
    """Compiles `model` with the recipe's optimizer, loss and execution settings."""
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


def dynamic_sparsity(recipe, seed: int) -> DynamicSparsity:
    """The `DynamicSparsity` callback of the recipe's `dst` section."""
    d = recipe.dst
    return DynamicSparsity(
        update_frequency=d.update_frequency, death_rate=d.death_rate,
        death_rate_schedule=d.death_rate_schedule, prune=d.prune, growth=d.growth,
        redistribution=d.redistribution, update_end=float(d.update_end), seed=seed,
        update_on=d.update_on,
    )
