"""`DivergenceGuard`: stop at the first non-finite loss or weight, before anything is saved."""

from __future__ import annotations

import math

import keras

from ftk.run_dir.finite import TrainingDiverged, non_finite_weights


class DivergenceGuard(keras.callbacks.Callback):
    """Raises `TrainingDiverged` at the first non-finite loss or weight.

    Unlike `keras.callbacks.TerminateOnNaN`, which lets the epoch end (and
    with it the checkpoint and ticket callbacks) run on the diverged model,
    this callback raises at once: put it first in the callback list, and no
    callback after it sees the non-finite epoch. The loss is checked after
    every batch (Keras already brings it to the host), the validation loss
    and every weight at the end of every epoch.

    Args:
        hint: what the error message suggests doing. Defaults to lowering
            the learning rate.
        where: describes the training in the message, e.g. `"member 1"`.

    Example:

    ```python
    model.fit(x, y, epochs=10, callbacks=[ftk.callbacks.DivergenceGuard(), checkpoint])
    ```
    """

    def __init__(self, hint: str = "Lower the learning rate and train again.", where: str = ""):
        super().__init__()
        self.hint = hint
        self.where = where

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        self._check_logs(logs, ("loss",))

    def on_epoch_end(self, epoch, logs=None):
        self._check_logs(logs, ("loss", "val_loss"))
        bad = non_finite_weights(self.model)
        if bad:
            self._fail(f"the weights are not finite ({bad[0]}{' and more' if len(bad) > 1 else ''})")

    def _check_logs(self, logs, keys) -> None:
        for key in keys:
            value = (logs or {}).get(key)
            if value is not None and not math.isfinite(float(value)):
                self._fail(f"the {key.replace('_', ' ')} is {float(value)}")

    def _fail(self, what: str) -> None:
        step = int(keras.ops.convert_to_numpy(self.model.optimizer.iterations))
        where = f" of {self.where}" if self.where else ""
        raise TrainingDiverged(
            f"Training diverged: {what} in epoch {self._epoch + 1}{where} (optimizer step {step}). "
            f"Nothing of this epoch was saved. {self.hint}"
        )
