"""`DynamicSparsity`: the dynamic sparse training callback (SET, RigL, SNFS)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Literal

import keras

from ftk.callbacks.execution_steps import check_fit_executions, fit_total_steps
from ftk.sparse.death_rate_schedules import DeathRateSchedule, get_death_rate_schedule
from ftk.sparse.growth_rules import RandomGrowth, get_growth_rule
from ftk.sparse.prune_rules import PruneRule, get_prune_rule
from ftk.sparse.redistributions import Redistribution, get_redistribution
from ftk.sparse.topology import TopologyUpdate
from ftk.sparse.topology_updater import TopologyUpdater


class DynamicSparsity(keras.callbacks.Callback):
    """Prunes and regrows the masks of a sparse model during `model.fit`.

    Every `update_frequency` optimizer steps within the update window, each
    sparse layer drops the `ceil(rate * active)` active weights of smallest
    magnitude and grows as many new ones: at random (SET), where the dense
    gradient is largest (RigL), or where the dense-gradient momentum is
    largest (SNFS). Grown weights start at zero and the optimizer slots of
    every pruned and grown entry are reset. Layers that are dense (density
    1.0) are left alone. Each rule is a registered name or a rule object
    (`ftk.sparse.prune_rules`, `growth_rules`, `redistributions`,
    `death_rate_schedules`), so new rules plug in without changing ftk.

    Steps are `optimizer.iterations`: optimizer steps actually applied, so
    micro-batches of gradient accumulation and steps skipped on a loss-scale
    overflow do not count, and a resumed run makes the same updates as an
    uninterrupted one (every random choice is seeded by (seed, step, layer
    index)). Updates run between executions, so with `steps_per_execution
    > 1` each update step must end one: `fit` refuses other combinations
    with a `ValueError` that lists the values that work. Under a
    `tf.distribute` strategy the masks are updated in cross-replica context
    and the dense gradient is that of the global batch, so every replica
    holds the same topology.

    The dense gradient comes from the training step itself: in the step
    that ends on an update (decided on the device), the masked layers record
    dL/d(kernel * mask), unscaled by the loss scale and averaged over
    accumulated micro-batches. An update never uses non-finite weights or
    scores: it is skipped, masks untouched, with the reason in
    `TopologyUpdate.skipped`. The first `fit` with this callback re-traces
    the train function once to include the recording.

    Hand-written training loops call `attach(model, optimizer)` once and
    `after_step()` after every optimizer step (see `attach`).

    Args:
        update_frequency: optimizer steps between topology updates.
            Defaults to `100`.
        death_rate: initial fraction of active weights replaced per update,
            in (0, 1). Defaults to `0.5`.
        death_rate_schedule: `"cosine"`, `"linear"` (both decay to 0.005 at
            the end of the window), `"constant"`, another registered name
            or a `DeathRateSchedule`. Defaults to `"cosine"`.
        prune: `"magnitude"`, another registered name or a `PruneRule`.
            Defaults to `"magnitude"`.
        growth: `"gradient"` (RigL), `"random"` (SET), `"momentum"`
            (SNFS), another registered name or a growth rule (a subclass
            of `RandomGrowth`). Defaults to `"gradient"`.
        redistribution: `"none"`, `"magnitude"`, `"momentum"` (SNFS),
            another registered name or a `Redistribution`. Defaults to `"none"`.
        update_start: first step of the update window: a float in [0, 1]
            is a fraction of training, an int a step. Defaults to `0.0`.
        update_end: end of the update window (exclusive), same convention.
            Defaults to `1.0` (the whole run).
        total_steps: optimizer steps that fractions refer to. Defaults to
            `epochs * steps_per_epoch` of the `fit` call (divided by the
            optimizer's `gradient_accumulation_steps`).
        momentum: decay of the dense-gradient momentum used by
            `growth="momentum"` and `redistribution="momentum"`. Defaults
            to `0.9`.
        seed: seed of the random choices. Defaults to `0`.
        update_on: where each update runs. `"host"`: in NumPy on the host
            (kernels, masks, dense gradients and slots are copied there and
            back), any rules. `"device"`: in TensorFlow ops on the device
            of the variables, nothing copied but a few counts; built-in
            rules only (prune `"magnitude"`; growth `"random"`,
            `"gradient"` or `"momentum"`; redistribution `"none"`), the
            same masks as the host for gradient and momentum growth, other
            (seeded) random choices. `"auto"`: the device on a GPU, the
            faster path on a CPU, the host for other rules. Defaults to `"auto"`.
        verbose: print one line per update if 1. Defaults to `0`.

    Attributes:
        updates: list of `TopologyUpdate`, one per update so far, oldest
            first; empty before the first update (so `updates[-1]` raises
            `IndexError` then: use `last_update`).
        last_update: the latest `TopologyUpdate`, or `None` before the first.

    Raises:
        ValueError: for an unknown rule name (the message lists the
            registered ones), an argument out of range, or
            `update_on="device"` with a rule the device does not run.

    Example:

    ```python
    model = ftk.sparsify(base, density=0.2)
    model.compile(optimizer=keras.optimizers.SGD(0.1, momentum=0.9), loss=...)
    dst = ftk.DynamicSparsity(update_frequency=1000, death_rate=0.5, growth="gradient")
    model.fit(train_ds, epochs=10, callbacks=[dst])
    dst.last_update.turnover  # dst.last_update is None before the first update
    ```
    """

    def __init__(
        self,
        update_frequency: int = 100,
        death_rate: float = 0.5,
        death_rate_schedule: str | DeathRateSchedule = "cosine",
        prune: str | PruneRule = "magnitude",
        growth: str | RandomGrowth = "gradient",
        redistribution: str | Redistribution = "none",
        update_start: float | int = 0.0,
        update_end: float | int = 1.0,
        total_steps: int | None = None,
        momentum: float = 0.9,
        seed: int = 0,
        update_on: Literal["auto", "device", "host"] = "auto",
        verbose: int = 0,
    ):
        super().__init__()
        schedule = get_death_rate_schedule(death_rate_schedule)
        rules = get_prune_rule(prune), get_growth_rule(growth), get_redistribution(redistribution)
        self._updater = TopologyUpdater(
            *rules, schedule, death_rate=death_rate, update_frequency=update_frequency,
            update_start=update_start, update_end=update_end, momentum=momentum, seed=seed,
            update_on=update_on,
        )
        self.prune, self.growth, self.redistribution = prune, growth, redistribution
        self.death_rate_schedule = death_rate_schedule
        self.update_frequency, self.death_rate = update_frequency, death_rate
        self.update_start, self.update_end, self.total_steps = update_start, update_end, total_steps
        self.momentum, self.seed, self.verbose = momentum, seed, verbose
        self.update_on = update_on
        self.updates: list[TopologyUpdate] = []
        self._listeners: list[Callable[[TopologyUpdate], None]] = []

    @property
    def last_update(self) -> TopologyUpdate | None:
        """The latest `TopologyUpdate`, or `None` before the first update."""
        return self.updates[-1] if self.updates else None

    def add_listener(self, listener: Callable[[TopologyUpdate], None]) -> None:
        """Calls `listener(update)` after every topology update."""
        self._listeners.append(listener)

    def request_jump(self, death_rate: float) -> None:
        """Makes the next optimizer step end with a topology jump at `death_rate`.

        EDST uses it at the start of refinement phases 2..M: the jump prunes
        `death_rate` of the active weights and regrows as many with this
        callback's growth rule, using the dense gradient of that step.
        """
        self._updater.request_jump(death_rate)

    def dense_gradients(self) -> dict:
        """Returns the last recorded dense gradient (or momentum) per sparse weight.

        Returns:
            Dict from variable path to a NumPy array shaped like the weight;
            empty when no rule needs a dense gradient (e.g. `growth="random"`).
        """
        return self._updater.dense_scores.read()

    # Custom training loops.

    def attach(self, model, optimizer=None, total_steps: int | None = None,
               update_on: Literal["auto", "device", "host"] | None = None) -> None:
        """Prepares a hand-written training loop to drive this callback.

        Installs the gradient taps (for rules that need a dense gradient,
        such as `"gradient"` and `"momentum"` growth) and resolves the update
        window; then call `after_step()` after every optimizer step. Attach
        before the first call of a `tf.function` train step, so that its
        trace records dense gradients.

        Args:
            model: the sparse model.
            optimizer: the optimizer the loop applies gradients with; its
                `iterations` count the steps and its slots are reset.
                Defaults to `model.optimizer`.
            total_steps: training steps that fractional `update_start` /
                `update_end` and decaying schedules refer to. Defaults to
                the constructor's `total_steps`.
            update_on: `"auto"`, `"device"` or `"host"`: where the updates
                run (see the class). Defaults to the constructor's `update_on`.

        Raises:
            ValueError: without an optimizer, or for an invalid `update_on`.

        Example:

        ```python
        dst = ftk.DynamicSparsity(update_frequency=50, total_steps=1000)
        dst.attach(model, optimizer)
        for x, y in batches:
            with tf.GradientTape() as tape:
                loss = loss_fn(y, model(x, training=True))
            grads = tape.gradient(loss, model.trainable_variables)
            optimizer.apply(grads, model.trainable_variables)
            dst.after_step()
        ```
        """
        optimizer = optimizer or getattr(model, "optimizer", None)
        if optimizer is None:
            raise ValueError(
                "`attach` needs the optimizer of the training loop: "
                "`dst.attach(model, optimizer)`. Received: optimizer=None and an uncompiled model."
            )
        if update_on is not None:
            self._updater.set_update_on(update_on)
            self.update_on = update_on
        self.set_model(model)
        self._start(optimizer, total_steps if total_steps is not None else self.total_steps)

    def after_step(self, step: int | None = None, gradients: Mapping | None = None) -> TopologyUpdate | None:
        """Runs the topology update that is due after an optimizer step, if any.

        Call it after every `optimizer.apply` of a hand-written loop (after
        `attach`). A step the optimizer did not apply (a loss-scale overflow,
        a micro-batch of gradient accumulation) is not a step: nothing
        happens until `optimizer.iterations` moves.

        Args:
            step: the optimizer step just applied. Defaults to the
                optimizer's `iterations`.
            gradients: dense scores for growth instead of the taps' records:
                a dict from sparse variable path (see `ftk.sparse_weights`)
                to dL/d(kernel * mask) of this step, shaped like the kernel.
                The gradient of the kernel variable itself is zero where the
                mask is, so it cannot serve for `"gradient"` growth.

        Returns:
            The `TopologyUpdate` if one ran (or was skipped with a reason),
            else `None`.
        """
        result = self._updater.after_step(self._updater.step() if step is None else int(step), gradients)
        if result is not None:
            self._record(result)
        return result

    # Keras hooks.

    def set_model(self, model):
        super().set_model(model)
        optimizer = getattr(model, "optimizer", None)
        if optimizer is not None:
            # Before `fit` traces its train function, so the trace records.
            self._updater.dense_scores.install(model, optimizer)

    def on_train_begin(self, logs=None):
        check_fit_executions(self.model, self.update_frequency, self.params)
        total = self.total_steps if self.total_steps is not None else fit_total_steps(self.model, self.params)
        self._start(self.model.optimizer, total)

    def on_train_batch_end(self, batch, logs=None):
        self.after_step()

    def on_train_end(self, logs=None):
        self._updater.dense_scores.stop()

    # The update.

    def update(self, step: int | None = None, death_rate: float | None = None, kind: str = "regular",
               gradients: Mapping | None = None) -> TopologyUpdate:
        """Runs one topology update now and returns its statistics.

        An update never uses non-finite weights or scores, nor scores of
        another step: it is then skipped, leaving masks and kernels as they
        are, and the statistics say why (`TopologyUpdate.skipped`).

        Args:
            step: the optimizer step to record and seed with. Defaults to
                the current `optimizer.iterations`.
            death_rate: overrides the scheduled rate (e.g. EDST's large
                jump). Defaults to the schedule's rate at `step`.
            kind: recorded in the statistics: `"regular"` or `"jump"`.
            gradients: dense scores by sparse variable path, instead of the
                taps' records (see `after_step`).

        Returns:
            The `TopologyUpdate`, also appended to `updates`.
        """
        result = self._updater.update(step, death_rate, kind, gradients)
        self._record(result)
        return result

    # Helpers.

    def _start(self, optimizer, total_steps: int | None) -> None:
        self._updater.start(self.model, optimizer, total_steps)
        self._weights = self._updater.weights

    def _record(self, result: TopologyUpdate) -> None:
        self.updates.append(result)
        for listener in self._listeners:
            listener(result)
        if self.verbose:
            print(f"DynamicSparsity {result.describe()}")
