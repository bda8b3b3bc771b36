"""`PredictionRecorder`: a member's probabilities on fixed inputs, epoch after epoch."""

from __future__ import annotations

import os
from pathlib import Path

import keras
import numpy as np

from ftk import atomic

from ftk.run_dir.chief import is_chief
from ftk.ensemble.ensemble import probabilities


class PredictionRecorder(keras.callbacks.Callback):
    """Records the model's softmax probabilities on fixed inputs during training.

    The recorded checkpoints are the raw material of function-space plots
    (e.g. t-SNE trajectories of ensemble members, see
    `ftk.ensemble.trajectories`). The model's probabilities on `inputs` are
    taken before the first epoch (epoch count 0) and after every `every`-th
    epoch, and the `.npz` file at `path` is rewritten atomically (temporary
    file, then rename) each time, with the arrays:

    - `epochs`: int64, shape `(checkpoints,)`, epochs done: 0, every, 2 * every, ...
    - `probs`: float16, shape `(checkpoints, n, classes)`.

    A resumed `fit` (`initial_epoch=k > 0`) loads the existing file, drops
    the checkpoints at epoch counts `>= k` (they may be ahead of the model
    checkpoint it resumed from) and records the restored model as epoch
    count `k` if `k` is a multiple of `every`, so the file ends up equal to
    that of an uninterrupted run. A `fit` from epoch 0 replaces the file.
    Because the first epoch of a `fit` is only known when it begins, the
    checkpoint before training is taken at the start of the first epoch,
    before any training step.

    Every process predicts (collective strategies need all workers); only
    the chief writes.

    Args:
        inputs: a small fixed array of evaluation inputs, e.g. 500 test images.
        path: the `.npz` file, e.g. `"run_dir/predictions/member_0.npz"`.
        every: record after every `every` epochs. Defaults to `1`.
        batch_size: batch size of `model.predict`. Defaults to Keras' 32.

    Example:

    ```python
    from ftk.callbacks.prediction_recorder import PredictionRecorder

    recorder = PredictionRecorder(x_test[:500], "runs/demo/predictions/member_0.npz")
    model.fit(train_ds, epochs=10, callbacks=[recorder])
    with np.load("runs/demo/predictions/member_0.npz") as data:
        data["epochs"], data["probs"].shape  # [0, 1, ..., 10], (11, 500, classes)
    ```
    """

    def __init__(self, inputs, path: str | os.PathLike, every: int = 1, batch_size: int | None = None):
        super().__init__()
        if not isinstance(every, int) or isinstance(every, bool) or every < 1:
            raise ValueError(f"`every` must be an integer >= 1. Received: every={every!r}")
        self.inputs = inputs
        self.path = Path(path)
        self.every = every
        self.batch_size = batch_size
        self.epochs: list[int] = []
        self.probs: list[np.ndarray] = []
        self._started = False

    # Keras hooks.

    def on_train_begin(self, logs=None):
        self._started = False
        self.epochs, self.probs = [], []

    def on_epoch_begin(self, epoch, logs=None):
        if self._started:
            return
        self._started = True
        if epoch > 0:
            self.epochs, self.probs = _load(self.path)
            keep = [i for i, e in enumerate(self.epochs) if e < epoch]
            self.epochs = [self.epochs[i] for i in keep]
            self.probs = [self.probs[i] for i in keep]
        if epoch % self.every == 0:
            self._record(epoch)
        elif epoch > 0 and self.epochs:
            self._write()  # Drops the checkpoints that were ahead of the resumed state.

    def on_epoch_end(self, epoch, logs=None):
        if (epoch + 1) % self.every == 0:
            self._record(epoch + 1)

    # Helpers.

    def _record(self, epochs_done: int) -> None:
        outputs = self.model.predict(self.inputs, batch_size=self.batch_size, verbose=0)
        self.epochs.append(int(epochs_done))
        self.probs.append(probabilities(self.model, outputs).astype(np.float16))
        self._write()

    def _write(self) -> None:
        if not is_chief(self.model.distribute_strategy):
            return
        _write_npz(self.path, epochs=np.asarray(self.epochs, dtype=np.int64),
                   probs=np.stack(self.probs).astype(np.float16))


def _load(path: Path) -> tuple[list[int], list[np.ndarray]]:
    """The checkpoints already recorded in `path`, or none if it does not exist."""
    if not path.exists():
        return [], []
    with np.load(path) as data:
        return [int(e) for e in data["epochs"]], [np.asarray(p, np.float16) for p in data["probs"]]


def _write_npz(path: Path, **arrays: np.ndarray) -> None:
    """Atomically replaces `path` with an uncompressed `.npz` of `arrays`."""
    with atomic.replacing(path, "wb") as file:
        np.savez(file, **arrays)
