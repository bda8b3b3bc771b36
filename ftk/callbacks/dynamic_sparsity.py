"""`DynamicSparsity`: the dynamic sparse training callback (SET, RigL, SNFS)."""

from __future__ import annotations

from collections.abc import Callable

import keras
import tensorflow as tf

from ftk.callbacks import registry
from ftk.sparse import rules
from ftk.sparse.gradient_tap import GradientTap
from ftk.sparse.schedules import SCHEDULES, death_rate_at
from ftk.sparse.sparse_weight import sparse_weights
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

    Steps are counted with `optimizer.iterations`, so the schedule is right
    with any `steps_per_execution`, and a resumed run makes the same updates
    as an uninterrupted one: every random choice is seeded by
    (seed, step, layer index). Under a `tf.distribute` strategy the masks are
    updated in cross-replica context and the dense gradient is that of the
    global batch, so every replica holds the same topology.

    The dense gradient comes from the training step itself: before a step
    that ends on an update, the masked layers record dL/d(kernel * mask).
    The first `fit` with this callback re-traces the train function once to
    include that recording.

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
        total_steps: training steps that fractions refer to. Defaults to
            `epochs * steps_per_epoch` of the `fit` call.
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
        self._taps: dict[str, GradientTap] = {}
        self._armed: tf.Variable | None = None
        self._tapped_model = None
        self._pending_jump: float | None = None

    def add_listener(self, listener: Callable[[TopologyUpdate], None]) -> None:
        """Calls `listener(update)` after every topology update."""
        self._listeners.append(listener)

    def request_jump(self, death_rate: float) -> None:
        """Makes the next training step end with a topology jump at `death_rate`.

        EDST uses it at the start of refinement phases 2..M: the jump prunes
        `death_rate` of the active weights and regrows as many with this
        callback's growth rule, using the dense gradient of that step.
        """
        self._pending_jump = death_rate

    def dense_gradients(self) -> dict:
        """Returns the last recorded dense gradient (or momentum) per sparse weight.

        Returns:
            Dict from variable path to a NumPy array shaped like the weight;
            empty for `growth="random"` without momentum redistribution.
        """
        with self.model.distribute_strategy.scope():
            return {name: tap.read() for name, tap in self._taps.items()}

    # Keras hooks.

    def set_model(self, model):
        super().set_model(model)
        registry.register(model, self)
        if self._needs_dense_scores() and self._tapped_model is not model:
            self._install_taps()

    def on_train_begin(self, logs=None):
        self._weights = [w for w in sparse_weights(self.model) if w.active_count() < w.size]
        if not self._weights:
            raise ValueError(
                "DynamicSparsity found no sparse layer in the model. Create the "
                "model with `ftk.sparsify(model, density=...)` with density < 1."
            )
        self._window = self._resolve_window()
        self._last_step = self._step()
        self._armed_value = None
        self._set_armed(self._tracks_momentum())

    def on_epoch_begin(self, epoch, logs=None):
        # Steps within the epoch come from Keras' batch index, so the hot
        # per-batch hooks never wait for the device to read `iterations`.
        self._epoch_start = self._step()

    def on_train_batch_begin(self, batch, logs=None):
        if self._taps and not self._tracks_momentum():
            steps = int(getattr(self.model, "steps_per_execution", 1) or 1)
            done = self._epoch_start + batch
            due = self._window.last_update_in(done, done + steps) is not None
            self._set_armed(due or self._pending_jump is not None)

    def on_train_batch_end(self, batch, logs=None):
        step = self._epoch_start + batch + 1  # `batch` is the execution's last step
        if self._pending_jump is not None:
            rate, self._pending_jump = self._pending_jump, None
            self.update(step, death_rate=rate, kind="jump")
        elif self._window.last_update_in(self._last_step, step) is not None:
            self.update(step)
        self._last_step = step

    def on_train_end(self, logs=None):
        self._set_armed(False)

    # The update.

    def update(
        self, step: int | None = None, death_rate: float | None = None, kind: str = "regular"
    ) -> TopologyUpdate:
        """Runs one topology update now and returns its statistics.

        Args:
            step: the optimizer step to record and seed with. Defaults to
                the current `optimizer.iterations`.
            death_rate: overrides the scheduled rate (e.g. EDST's large
                jump). Defaults to the schedule's rate at `step`.
            kind: recorded in the statistics: `"regular"` or `"jump"`.

        Returns:
            The `TopologyUpdate`, also appended to `updates`.
        """
        step = self._step() if step is None else step
        if death_rate is None:
            start, end = self._window.start, self._window.end
            death_rate = death_rate_at(
                step, self.death_rate, self.death_rate_schedule, start, step if end is None else end
            )
        scores = self.dense_gradients() or None
        with self.model.distribute_strategy.scope():
            result = update_topology(
                self._weights, step=step, death_rate=death_rate, growth=self.growth,
                redistribution=self.redistribution, scores=scores,
                optimizer=self.model.optimizer, seed=self.seed, kind=kind,
            )
            if self._tracks_momentum():
                for weight in self._weights:
                    self._taps[weight.name].keep_only(weight.mask)
        self.updates.append(result)
        for listener in self._listeners:
            listener(result)
        if self.verbose:
            print(
                f"DynamicSparsity step {step}: rate {death_rate:.4f}, "
                f"regrew {result.grown} weights, turnover {result.turnover:.3f}"
            )
        return result

    # Helpers.

    def _step(self) -> int:
        return int(self.model.optimizer.iterations.numpy())

    def _needs_dense_scores(self) -> bool:
        return self.growth in ("gradient", "momentum") or self.redistribution == "momentum"

    def _tracks_momentum(self) -> bool:
        return self.growth == "momentum" or self.redistribution == "momentum"

    def _install_taps(self) -> None:
        decay = self.momentum if self._tracks_momentum() else 0.0
        weights = [w for w in sparse_weights(self.model) if w.active_count() < w.size]
        with self.model.distribute_strategy.scope():
            self._armed = tf.Variable(False, trainable=False, name="ftk_tap_armed")
            self._taps = {w.name: GradientTap(w.shape, self._armed, decay) for w in weights}
        for weight in weights:
            weight.layer.set_gradient_tap(weight.attr, self._taps[weight.name])
        self._tapped_model = self.model
        # A cached train function was traced without the taps.
        self.model.train_function = None

    def _set_armed(self, armed: bool) -> None:
        """Arms or disarms the taps; assigns only on a change (no device read)."""
        if self._armed is not None and getattr(self, "_armed_value", None) != armed:
            with self.model.distribute_strategy.scope():
                self._armed.assign(armed)
            self._armed_value = armed

    def _resolve_window(self) -> UpdateWindow:
        total = self.total_steps
        if total is None and self.params.get("steps") and self.params.get("epochs"):
            total = self.params["epochs"] * self.params["steps"]
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
