"""`ftk run --stop-on-eof`: the end of standard input stops the run like Ctrl-C, between steps."""

from __future__ import annotations

import sys
import threading
from typing import BinaryIO

import keras


class StopWhenInputEnds(keras.callbacks.Callback):
    """Raises `KeyboardInterrupt` at the first training step after standard input ends.

    `ftk run --tui` runs its trainer with a pipe as standard input and closes
    it when the TUI quits. The run then stops as after Ctrl-C (a `run_end`
    of status `interrupted`, the last checkpoint kept), but only at the end
    of a step: never half-started, never inside a checkpoint, and never
    inside library code that would turn the interrupt into another error.
    An end that comes before training starts stops the run at its start.

    Args:
        stream: what to read until its end. Defaults to `sys.stdin.buffer`.
    """

    def __init__(self, stream: BinaryIO | None = None):
        super().__init__()
        self.ended = threading.Event()
        stream = stream if stream is not None else sys.stdin.buffer
        threading.Thread(target=self._read, args=(stream,), name="ftk-stop-on-eof", daemon=True).start()

    def on_train_begin(self, logs=None):
        self._stop_if_ended()

    def on_epoch_begin(self, epoch, logs=None):
        self._stop_if_ended()

    def on_train_batch_end(self, batch, logs=None):
        self._stop_if_ended()

    def _stop_if_ended(self) -> None:
        if self.ended.is_set():
            raise KeyboardInterrupt("stopped: ftk-tui was closed")

    def _read(self, stream: BinaryIO) -> None:
        try:
            while stream.read(4096):
                pass
        except (OSError, ValueError):  # no or a closed input: the same end
            pass
        self.ended.set()
