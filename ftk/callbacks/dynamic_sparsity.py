"""`DynamicSparsity`: the dynamic sparse training callback (SET, RigL, SNFS)."""

from __future__ import annotations

from collections.abc import Callable, Mapping

import keras
import numpy as np

from ftk.callbacks import registry
from ftk.callbacks.execution_steps import check_steps_per_execution, warn_late_update
from ftk.sparse import rules
from ftk.sparse.gradient_recorder import GradientRecorder
from ftk.sparse.schedules import SCHEDULES, death_rate_at
from ftk.sparse.sparse_weight import sparse_weights
from ftk.sparse.tap_schedule import accumulation_steps
from ftk.sparse.topology import REDISTRIBUTIONS, TopologyUpdate, update_topology
from ftk.sparse.update_window import UpdateWindow


class DynamicSparsity(keras.callbacks.Callback):
    """Prunes and regrows the masks of a sparse model during `model.fit`.

    Every `update_frequency` optimizer steps within the update window, each
    sparse layer drops the `ceil(rate * active)` active weights of smallest
    magnitude and grows as many new ones: at random (SET), where the dense
    gradient is largest (RigL), or where the dense-gradient momentum is
    largest (SNFS). Grown weights start at zero and the optimizer slots of
    every pruned and grown entry are reset. Layers that are dense (density
    1.0) are left alone.

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
            the end of the window) or `"constant"`. Defaults to `"cosine"`.
        prune: pruning rule; only `"magnitude"`. Defaults to `"magnitude"`.
        growth: `"gradient"` (RigL), `"random"` (SET) or `"momentum"`
            (SNFS). Defaults to `"gradient"`.
        redistribution: `"none"`, `"magnitude"` or `"momentum"` (SNFS).
            Defaults to `"none"`.
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
        verbose: print one line per update if 1. Defaults to `0`.

    Attributes:
        updates: list of `TopologyUpdate`, one per update so far.

    Example:

    ```python
    model = ftk.sparsify(base, density=0.2)
    model.compile(optimizer=keras.optimizers.SGD(0.1, momentum=0.9), loss=...)
    dst = ftk.DynamicSparsity(update_frequency=1000, death_rate=0.5, growth="gradient")
    model.fit(train_ds, epochs=10, callbacks=[dst])
    dst.updates[-1].turnover
    ```
    """

    def __init__(
        self,
        update_frequency: int = 100,
        death_rate: float = 0.5,
        death_rate_schedule: str = "cosine",
        prune: str = "magnitude",
        growth: str = "gradient",
        redistribution: str = "none",
        update_start: float | int = 0.0,
        update_end: float | int = 1.0,
        total_steps: int | None = None,
        momentum: float = 0.9,
        seed: int = 0,
        verbose: int = 0,
    ):
        super().__init__()
        _check_choice("death_rate_schedule", death_rate_schedule, SCHEDULES)
        _check_choice("prune", prune, rules.PRUNE_RULES)
        _check_choice("growth", growth, rules.GROWTH_RULES)
        _check_choice("redistribution", redistribution, REDISTRIBUTIONS)
        if not isinstance(update_frequency, int) or update_frequency < 1:
            raise ValueError(
                f"`update_frequency` must be a positive integer. Received: {update_frequency!r}"
            )
        if not 0.0 < death_rate < 1.0:
            raise ValueError(f"`death_rate` must be in (0, 1). Received: death_rate={death_rate!r}")
        if not 0.0 <= momentum < 1.0:
            raise ValueError(f"`momentum` must be in [0, 1). Received: momentum={momentum!r}")
        self.update_frequency = update_frequency
        self.death_rate = death_rate
        self.death_rate_schedule = death_rate_schedule
        self.prune = prune
        self.growth = growth
        self.redistribution = redistribution
        self.update_start = update_start
        self.update_end = update_end
        self.total_steps = total_steps
        self.momentum = momentum
        self.seed = seed
        self.verbose = verbose
        self.updates: list[TopologyUpdate] = []
        self._listeners: list[Callable[[TopologyUpdate], None]] = []
        self._recorder: GradientRecorder | None = None
        self._optimizer = None
        self._pending_jump: float | None = None

    def add_listener(self, listener: Callable[[TopologyUpdate], None]) -> None:
        """Calls `listener(update)` after every topology update."""
        self._listeners.append(listener)

    def request_jump(self, death_rate: float) -> None:
        """Makes the next optimizer step end with a topology jump at `death_rate`.

        EDST uses it at the start of refinement phases 2..M: the jump prunes
        `death_rate` of the active weights and regrows as many with this
        callback's growth rule, using the dense gradient of that step.
        """
        self._pending_jump = death_rate
        if self._recorder is not None:
            self._recorder.force(True)

    def dense_gradients(self) -> dict:
        """Returns the last recorded dense gradient (or momentum) per sparse weight.

        Returns:
            Dict from variable path to a NumPy array shaped like the weight;
            empty for `growth="random"` without momentum redistribution.
        """
        return self._recorder.read() if self._recorder is not None else {}

    # Custom training loops.

    def attach(self, model, optimizer=None, total_steps: int | None = None) -> None:
        """Prepares a hand-written training loop to drive this callback.

        Installs the gradient taps (for `"gradient"` and `"momentum"`
        growth) and resolves the update window; then call `after_step()`
        after every optimizer step. Attach before the first call of a
        `tf.function` train step, so that its trace records dense gradients.

        Args:
            model: the sparse model.
            optimizer: the optimizer the loop applies gradients with; its
                `iterations` count the steps and its slots are reset.
                Defaults to `model.optimizer`.
            total_steps: training steps that fractional `update_start` /
                `update_end` and decaying schedules refer to. Defaults to
                the constructor's `total_steps`.

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
        return self._after_step(self._step() if step is None else int(step), gradients)

    # Keras hooks.

    def set_model(self, model):
        super().set_model(model)
        registry.register(model, self)
        optimizer = getattr(model, "optimizer", None)
        if optimizer is not None:
            # Before `fit` traces its train function, so the trace records.
            self._install_taps(optimizer)

    def on_train_begin(self, logs=None):
        optimizer = self.model.optimizer
        check_steps_per_execution(
            int(getattr(self.model, "steps_per_execution", 1) or 1), self.update_frequency,
            accumulation_steps(optimizer), self.params.get("steps"),
        )
        self._start(optimizer, self._fit_total_steps(optimizer))

    def on_train_batch_end(self, batch, logs=None):
        self._after_step(self._step())

    def on_train_end(self, logs=None):
        if self._recorder is not None:
            self._recorder.stop()

    # The update.

    def update(
        self,
        step: int | None = None,
        death_rate: float | None = None,
        kind: str = "regular",
        gradients: Mapping | None = None,
    ) -> TopologyUpdate:
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
        step = self._step() if step is None else step
        if death_rate is None:
            start, end = self._window.start, self._window.end
            death_rate = death_rate_at(
                step, self.death_rate, self.death_rate_schedule, start, step if end is None else end
            )
        scores, reason = self._scores(step, gradients)
        if reason is not None:
            result = TopologyUpdate.unchanged(self._weights, step, death_rate, kind, reason)
        else:
            with self.model.distribute_strategy.scope():
                result = update_topology(
                    self._weights, step=step, death_rate=death_rate, growth=self.growth,
                    redistribution=self.redistribution, scores=scores,
                    optimizer=self._optimizer, seed=self.seed, kind=kind,
                )
            if self._tracks_momentum() and result.skipped is None:
                self._recorder.keep_only(self._weights)
        self.updates.append(result)
        for listener in self._listeners:
            listener(result)
        if self.verbose:
            outcome = f"skipped: {result.skipped}" if result.skipped else (
                f"regrew {result.grown} weights, turnover {result.turnover:.3f}")
            print(f"DynamicSparsity step {step}: rate {death_rate:.4f}, {outcome}")
        return result

    # Helpers.

    def _start(self, optimizer, total_steps: int | None) -> None:
        self._optimizer = optimizer
        self._weights = [w for w in sparse_weights(self.model) if w.active_count() < w.size]
        if not self._weights:
            raise ValueError(
                "DynamicSparsity found no sparse layer in the model. Create the "
                "model with `ftk.sparsify(model, density=...)` with density < 1."
            )
        self._window = self._resolve_window(total_steps)
        self._install_taps(optimizer)
        if self._recorder is not None:
            self._recorder.configure(self._window, forced=self._pending_jump is not None)
        self._last_step = self._step()

    def _after_step(self, step: int, gradients: Mapping | None = None) -> TopologyUpdate | None:
        if step == self._last_step:
            return None  # no optimizer step was applied
        result = None
        if self._pending_jump is not None:
            rate, self._pending_jump = self._pending_jump, None
            if self._recorder is not None:
                self._recorder.force(False)
            result = self.update(step, death_rate=rate, kind="jump", gradients=gradients)
        else:
            due = self._window.last_update_in(self._last_step, step)
            if due is not None:
                if due != step:
                    warn_late_update(due, step)
                result = self.update(due, gradients=gradients)
        self._last_step = step
        return result

    def _scores(self, step: int, gradients: Mapping | None) -> tuple[dict | None, str | None]:
        """The growth scores of `step`, or the reason the update cannot run."""
        if gradients is not None:
            missing = [w.name for w in self._weights if w.name not in gradients]
            if missing:
                raise ValueError(
                    f"`gradients` must hold a dense gradient for every sparse weight; "
                    f"missing: {missing}. Keys are variable paths, e.g. {self._weights[0].name!r}."
                )
            return {w.name: np.asarray(gradients[w.name]) for w in self._weights}, None
        if self._recorder is None:
            return None, None
        return self._recorder.scores(step)

    def _step(self) -> int:
        return int(keras.ops.convert_to_numpy(self._optimizer.iterations))

    def _needs_dense_scores(self) -> bool:
        return self.growth in ("gradient", "momentum") or self.redistribution == "momentum"

    def _tracks_momentum(self) -> bool:
        return self.growth == "momentum" or self.redistribution == "momentum"

    def _install_taps(self, optimizer) -> None:
        """Gives the sparse layers gradient taps driven by `optimizer`, once."""
        if not self._needs_dense_scores():
            return
        if self._recorder is None or not self._recorder.drives(self.model, optimizer):
            decay = self.momentum if self._tracks_momentum() else 0.0
            self._recorder = GradientRecorder(self.model, optimizer, decay)

    def _fit_total_steps(self, optimizer) -> int | None:
        if self.total_steps is not None:
            return self.total_steps
        if self.params.get("steps") and self.params.get("epochs"):
            # Keras counts batches; with accumulation a step takes several.
            return self.params["epochs"] * self.params["steps"] // accumulation_steps(optimizer)
        return None

    def _resolve_window(self, total: int | None) -> UpdateWindow:
        window = UpdateWindow.resolve(self.update_frequency, self.update_start, self.update_end, total)
        if window.end is None and self.death_rate_schedule != "constant":
            raise ValueError(
                f"`death_rate_schedule='{self.death_rate_schedule}'` needs the end of "
                "training, but the number of steps is unknown. Pass `total_steps=` "
                "or an integer `update_end`, or give `fit` a `steps_per_epoch`."
            )
        return window


def _check_choice(name: str, value, allowed) -> None:
    if value not in allowed:
        raise ValueError(f"`{name}` must be one of {tuple(allowed)}. Received: {name}={value!r}")
