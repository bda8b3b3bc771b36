"""`RunCheckpoint`: the latest model and run state, written atomically each epoch."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import keras

from ftk import atomic
from ftk.run_dir.finite import require_finite_weights
from ftk.run_dir.chief import is_chief


class RunCheckpoint(keras.callbacks.Callback):
    """Saves `model.keras` and `state.json` in `directory` every `every` epochs.

    The `.keras` file holds the weights, masks and optimizer state
    (slots and `iterations`, from which DST and learning-rate schedules
    derive their position); `state.json` holds `state_fn(epochs_done)`, e.g.
    the member run and epoch to resume from. Both are written to a temporary
    file and renamed, model first, so `state.json` never points to a model
    that is not complete. A model with non-finite weights is never written:
    the last good checkpoint stays.

    Args:
        directory: the checkpoint folder.
        state_fn: returns the JSON-ready state for a number of epochs done.
        every: epochs between checkpoints. Defaults to `1`.
        on_saved: called with the state after each checkpoint.
    """

    def __init__(
        self,
        directory: str | os.PathLike,
        state_fn: Callable[[int], dict],
        every: int = 1,
        on_saved: Callable[[dict], None] | None = None,
    ):
        super().__init__()
        self.directory = Path(directory)
        self.state_fn = state_fn
        self.every = every
        self.on_saved = on_saved

    def on_epoch_end(self, epoch, logs=None):
        done = epoch + 1
        if done % self.every and done != self.params.get("epochs"):
            return
        if not is_chief(self.model.distribute_strategy):
            return
        require_finite_weights(self.model, str(self.directory / "model.keras"))
        with atomic.uninterrupted():  # the model and the state that records it, as a pair
            atomic.save_model(self.model, self.directory / "model.keras")
            state = self.state_fn(done)
            atomic.write_json(self.directory / "state.json", state)
        if self.on_saved:
            self.on_saved(state)
