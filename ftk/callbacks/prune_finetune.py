"""`PruneAndFinetune`: train dense, prune globally by magnitude, fine-tune sparse."""

from __future__ import annotations

from collections.abc import Callable

import keras

from ftk.run_dir.events import PhaseStart
from ftk.sparse.global_pruning import prune_globally
from ftk.sparse.sparse_weight import sparse_weights


class PruneAndFinetune(keras.callbacks.Callback):
    """At epoch `prune_epoch`, prunes the model to `density` and fine-tunes it.

    The PF ensemble baseline: a dense parent (a model from
    `ftk.sparsify(model, density=1.0)`, whose masks are all ones) trains
    normally; at the start of epoch `prune_epoch` it is pruned once to
    `density` with one global magnitude threshold, and the masks then stay
    fixed while training continues (fine-tuning).

    Args:
        density: density after pruning, in (0, 1].
        prune_epoch: 0-based epoch at whose start the model is pruned.
        finetune_lr: learning rate set at every fine-tuning epoch; `None`
            leaves the optimizer's rate or schedule alone. Defaults to `None`.

    Example:

    ```python
    parent = ftk.sparsify(model, density=1.0)
    parent.compile(optimizer=keras.optimizers.SGD(0.1, momentum=0.9), loss=...)
    pf = ftk.PruneAndFinetune(density=0.2, prune_epoch=200, finetune_lr=0.001)
    parent.fit(train_ds, epochs=250, callbacks=[pf])
    ```
    """

    def __init__(self, density: float, prune_epoch: int, finetune_lr: float | None = None):
        super().__init__()
        if not 0.0 < density <= 1.0:
            raise ValueError(f"`density` must be in (0, 1]. Received: density={density!r}")
        if not isinstance(prune_epoch, int) or prune_epoch < 0:
            raise ValueError(f"`prune_epoch` must be an integer >= 0. Received: {prune_epoch!r}")
        self.density = density
        self.prune_epoch = prune_epoch
        self.finetune_lr = finetune_lr
        self._listeners: list[Callable[[PhaseStart], None]] = []

    def add_listener(self, listener: Callable[[PhaseStart], None]) -> None:
        """Calls `listener(PhaseStart(...))` when fine-tuning starts."""
        self._listeners.append(listener)

    def on_train_begin(self, logs=None):
        if not sparse_weights(self.model):
            raise ValueError(
                "PruneAndFinetune needs a model with masks: pass "
                "`ftk.sparsify(model, density=1.0)` as the dense parent."
            )

    def on_epoch_begin(self, epoch, logs=None):
        if epoch == self.prune_epoch:
            with self.model.distribute_strategy.scope():
                prune_globally(sparse_weights(self.model), self.density, self.model.optimizer)
            step = int(self.model.optimizer.iterations.numpy())
            for listener in self._listeners:
                listener(PhaseStart("finetune", 1, 1, epoch, step))
        if epoch >= self.prune_epoch and self.finetune_lr is not None:
            self.model.optimizer.learning_rate = self.finetune_lr
