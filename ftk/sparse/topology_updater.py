"""`TopologyUpdater`: which optimizer steps update the topology, and running those updates."""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Mapping
from typing import Literal

import keras
import tensorflow as tf

from ftk.sparse.death_rate_schedules import DEATH_RATE_SCHEDULES, DeathRateSchedule
from ftk.sparse.dense_scores import DenseScores
from ftk.sparse.device_update import device_unsupported, update_topology_on_device
from ftk.sparse.growth_rules import RandomGrowth
from ftk.sparse.prune_rules import PruneRule
from ftk.sparse.redistributions import Redistribution
from ftk.sparse.sparse_weight import SparseWeight, sparse_weights
from ftk.sparse.topology import TopologyUpdate, update_topology
from ftk.sparse.update_window import UpdateWindow

UPDATE_ON = ("auto", "device", "host")
#: Where `update_on="auto"` runs the built-in rules without a GPU: the host,
#: where NumPy's O(n) partition beats TensorFlow's CPU `top_k`. Measured with
#: `benchmarks/update_cost.py` (RigL, density 0.2, 2 CPU cores, TF 2.21):
#: WRN-16-2, batch 128: host 0.034 s (0.06 steps), device 0.080 s (0.10 steps);
#: WRN-28-10, batch 8: host 2.86 s (0.74 steps), device 5.52 s (1.24 steps).
_AUTO_ON_CPU = "host"


class TopologyUpdater:
    """Runs the topology updates of a sparse model as its optimizer steps.

    The engine of `ftk.DynamicSparsity`, without Keras' callback hooks: after
    each optimizer step it runs the update that is due (a requested jump
    first, else the last update step of the window that was passed), at the
    scheduled death rate, with the dense scores its rules need.

    Args:
        prune: the prune rule.
        growth: the growth rule.
        redistribution: the redistribution.
        death_rate_schedule: the death-rate schedule.
        death_rate: the initial death rate, in (0, 1).
        update_frequency: optimizer steps between updates, >= 1.
        update_start: first step of the update window: a float in [0, 1]
            is a fraction of training, an int a step. Defaults to `0.0`.
        update_end: end of the window (exclusive), same convention.
            Defaults to `1.0`.
        momentum: decay of the dense-gradient momentum, in [0, 1), for rules
            that `uses_momentum`. Defaults to `0.9`.
        seed: seed of the random choices. Defaults to `0`.
        update_on: where the update runs. `"host"`: in NumPy, any rules.
            `"device"`: in TensorFlow ops where the variables live, with no
            copy of kernels, masks, scores or slots to the host; only the
            built-in rules (magnitude prune; random, gradient or momentum
            growth; redistribution `"none"`). `"auto"`: the device on a
            GPU, the faster one on a CPU, the host for other rules.
            Defaults to `"auto"`.

    Raises:
        ValueError: for an argument out of range, or `update_on="device"`
            with a rule the device path does not implement.

    Example:

    ```python
    updater = TopologyUpdater(MagnitudePrune(), GradientGrowth(), Redistribution(),
                              CosineDeathRate(), death_rate=0.5, update_frequency=100)
    updater.start(model, optimizer, total_steps=1000)
    for batch in batches:
        ...  # one optimizer step
        update = updater.after_step(updater.step())  # a TopologyUpdate or None
    ```
    """

    def __init__(
        self,
        prune: PruneRule,
        growth: RandomGrowth,
        redistribution: Redistribution,
        death_rate_schedule: DeathRateSchedule,
        *,
        death_rate: float,
        update_frequency: int,
        update_start: float | int = 0.0,
        update_end: float | int = 1.0,
        momentum: float = 0.9,
        seed: int = 0,
        update_on: Literal["auto", "device", "host"] = "auto",
    ):
        if not isinstance(update_frequency, int) or update_frequency < 1:
            raise ValueError(
                f"`update_frequency` must be a positive integer. Received: {update_frequency!r}"
            )
        if not 0.0 < death_rate < 1.0:
            raise ValueError(f"`death_rate` must be in (0, 1). Received: death_rate={death_rate!r}")
        if not 0.0 <= momentum < 1.0:
            raise ValueError(f"`momentum` must be in [0, 1). Received: momentum={momentum!r}")
        self.update_frequency = update_frequency
        self.update_start, self.update_end = update_start, update_end
        self.prune, self.growth, self.redistribution = prune, growth, redistribution
        self.set_update_on(update_on)
        self.death_rate_schedule, self.death_rate, self.seed = death_rate_schedule, death_rate, seed
        rules = (prune, growth, redistribution)
        uses_momentum = any(rule.uses_momentum for rule in rules)
        self.dense_scores = DenseScores(
            needed=any(rule.needs_dense_gradient for rule in rules),
            momentum=momentum if uses_momentum else None,
        )
        self.model: keras.Model | None = None
        self.optimizer: keras.optimizers.Optimizer | None = None
        self.weights: list[SparseWeight] = []
        self.kept_dense = 0
        self.window: UpdateWindow | None = None
        self.pending_jump: float | None = None
        self.last_step = 0

    def set_update_on(self, update_on: Literal["auto", "device", "host"]) -> None:
        """Chooses where the updates run (see the `update_on` argument).

        Raises:
            ValueError: for an unknown value, or `"device"` with a rule the
                device path does not implement (the message names it).
        """
        if update_on not in UPDATE_ON:
            raise ValueError(
                f"`update_on` must be one of {', '.join(map(repr, UPDATE_ON))}. "
                f"Received: update_on={update_on!r}"
            )
        unsupported = device_unsupported(self.prune, self.growth, self.redistribution)
        if update_on == "device" and unsupported:
            raise ValueError(
                "`update_on='device'` runs only the built-in rules (prune='magnitude'; growth="
                "'random', 'gradient' or 'momentum'; redistribution='none'). Unsupported: "
                f"{unsupported}. Use update_on='host' or 'auto'."
            )
        self.update_on = update_on
        self.on_device = update_on == "device" or (update_on == "auto" and not unsupported and _auto_on_device())

    def start(
        self, model: keras.Model, optimizer: keras.optimizers.Optimizer, total_steps: int | None
    ) -> None:
        """Takes the sparse weights of `model`, resolves the update window, starts recording.

        Args:
            model: the sparse model.
            optimizer: the optimizer whose `iterations` count the steps.
            total_steps: the optimizer steps of training, if known: what
                fractional window ends and decaying schedules refer to.

        Raises:
            ValueError: if `model` has no sparse layer, or the window (or a
                schedule that decays to its end) needs an unknown `total_steps`.
        """
        self.model, self.optimizer = model, optimizer
        masked = sparse_weights(model)
        self.weights = [w for w in masked if w.active_count() < w.size]
        # Layers kept dense are never updated, but count in the density of the prunable weights.
        self.kept_dense = sum(w.size for w in masked if w not in self.weights)
        if not self.weights:
            raise ValueError(
                "DynamicSparsity found no sparse layer in the model. Create the "
                "model with `ftk.sparsify(model, density=...)` with density < 1."
            )
        self.window = UpdateWindow.resolve(
            self.update_frequency, self.update_start, self.update_end, total_steps
        )
        if self.window.end is None and self.death_rate_schedule.needs_end:
            name = DEATH_RATE_SCHEDULES.name_of(self.death_rate_schedule)
            raise ValueError(
                f"`death_rate_schedule={name or self.death_rate_schedule!r}` needs the end of "
                "training, but the number of steps is unknown. Pass `total_steps=` "
                "or an integer `update_end`, or give `fit` a `steps_per_epoch`."
            )
        self.dense_scores.install(model, optimizer)
        self.dense_scores.configure(self.window, forced=self.pending_jump is not None)
        self.last_step = self.step()

    def step(self) -> int:
        """The optimizer steps applied so far (`optimizer.iterations`)."""
        return int(keras.ops.convert_to_numpy(self.optimizer.iterations))

    def request_jump(self, death_rate: float) -> None:
        """Makes the next optimizer step end with a topology jump at `death_rate`."""
        self.pending_jump = death_rate
        self.dense_scores.force(True)

    def after_step(self, step: int, gradients: Mapping | None = None) -> TopologyUpdate | None:
        """Runs the update due after optimizer `step`, if any, and returns it."""
        if step == self.last_step:
            return None  # no optimizer step was applied
        result = None
        if self.pending_jump is not None:
            rate, self.pending_jump = self.pending_jump, None
            self.dense_scores.force(False)
            result = self.update(step, death_rate=rate, kind="jump", gradients=gradients)
        else:
            due = self.window.last_update_in(self.last_step, step)
            if due is not None:
                if due != step:
                    warn_late_update(due, step)
                result = self.update(due, gradients=gradients)
        self.last_step = step
        return result

    def update(
        self,
        step: int | None = None,
        death_rate: float | None = None,
        kind: str = "regular",
        gradients: Mapping | None = None,
    ) -> TopologyUpdate:
        """Runs one topology update now (see `DynamicSparsity.update`)."""
        step = self.step() if step is None else step
        if death_rate is None:
            start, end = self.window.start, self.window.end
            death_rate = self.death_rate_schedule.rate(step, self.death_rate, start, end)
        with self.model.distribute_strategy.scope():
            run = self._update_on_device if self.on_device else self._update_on_host
            result = run(step, death_rate, kind, gradients)
        if result.skipped is None:
            self.dense_scores.after_update(self.weights)
        return dataclasses.replace(result, kept_dense=self.kept_dense)

    def _update_on_host(self, step, death_rate, kind, gradients) -> TopologyUpdate:
        scores, reason = self.dense_scores.of_step(step, self.weights, gradients)
        if reason is not None:
            return TopologyUpdate.unchanged(self.weights, step, death_rate, kind, reason)
        return update_topology(
            self.weights, step=step, death_rate=death_rate, growth=self.growth, prune=self.prune,
            redistribution=self.redistribution, scores=scores, optimizer=self.optimizer,
            seed=self.seed, kind=kind,
        )

    def _update_on_device(self, step, death_rate, kind, gradients) -> TopologyUpdate:
        scores, reason = self._device_scores(step, gradients)
        if reason is not None:
            return TopologyUpdate.unchanged(self.weights, step, death_rate, kind, reason)
        return update_topology_on_device(
            self.weights, step=step, death_rate=death_rate, growth=self.growth, scores=scores,
            optimizer=self.optimizer, seed=self.seed, kind=kind,
        )

    def _device_scores(self, step: int, gradients: Mapping | None) -> tuple[dict | None, str | None]:
        """Like `DenseScores.of_step`, but the scores stay tensors on the device."""
        if gradients is not None:
            if any(w.name not in gradients for w in self.weights):
                self.dense_scores.of_step(step, self.weights, gradients)  # raises, naming the missing
            return {w.name: tf.convert_to_tensor(gradients[w.name]) for w in self.weights}, None
        recorder = self.dense_scores.recorder
        if recorder is None:
            return None, None
        taps = [recorder.taps[w.name] for w in self.weights]
        recorded = tf.stack([tap.recorded_step.read_value() for tap in taps]).numpy()
        stale = recorded < 0 if recorder.momentum else recorded != step
        if stale.any():
            return recorder.scores(step)  # (None, the reason), reading only the recorded steps
        return {w.name: tap.buffer.read_value() for w, tap in zip(self.weights, taps)}, None


def _auto_on_device() -> bool:
    """Where `update_on="auto"` runs the built-in rules: on a GPU, else as measured."""
    return bool(tf.config.list_logical_devices("GPU")) or _AUTO_ON_CPU == "device"


def warn_late_update(due: int, step: int) -> None:
    """Warns that the update due at `due` could only run at `step`."""
    warnings.warn(
        f"DynamicSparsity: the update due at step {due} ran at step {step}, at the end of "
        "the execution that contained it (the optimizer skipped steps, e.g. on a loss-scale "
        "overflow, so update steps no longer end executions). It uses the dense gradient "
        f"and the seed of step {due}. Use `steps_per_execution=1` for exact update steps.",
        stacklevel=4,
    )
