"""`SparsitySummaries`: a run's events as TensorBoard summaries (sparsity, tickets, ensemble)."""

from __future__ import annotations

import os
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf

from ftk.run_dir.paths import member_folder


class SparsitySummaries(keras.callbacks.Callback):
    """Writes ftk's events to TensorBoard, next to Keras' own loss and accuracy curves.

    Called with every event a run writes to `events.jsonl` (pass it as an
    `EventLog`'s `on_event`; as a callback of the same `fit` it closes its
    files when training ends), it adds, under `log_dir`:

    - `member_<i>/sparsity/`, per topology update (x axis: optimizer step):
      scalars `sparsity/density` (of the prunable weights), `death_rate`,
      `turnover`, `pruned`, `grown`; one `density/<layer>` and
      `turnover/<layer>` scalar per sparse layer; a `turnover_by_layer`
      histogram; and, per ticket, a `tickets` text line and
      `tickets/test_accuracy` (x axis: ticket index).
    - `ensemble/`: `ensemble/accuracy`, `nll` and `ece` as tickets arrive
      (x axis: ensemble size).

    Keras' `TensorBoard` callback writes `member_<i>/train` and
    `member_<i>/validation`, so `tensorboard --logdir <run>/tensorboard`
    overlays the members and their sparsity.

    Args:
        log_dir: the run's TensorBoard folder.
        member: the member run whose events this receives.

    Example:

    ```python
    summaries = SparsitySummaries("runs/edst/tensorboard", member=0)
    log = EventLog("runs/edst", sources=[dst], on_event=summaries)
    model.fit(train_ds, epochs=10, callbacks=[dst, log, summaries])
    ```
    """

    def __init__(self, log_dir: str | os.PathLike, member: int = 0):
        super().__init__()
        self.log_dir = Path(log_dir)
        self.member = member
        self._writers: dict[str, tf.summary.SummaryWriter] = {}

    def __call__(self, event: dict) -> None:
        handler = getattr(self, f"_on_{event.get('type')}", None)
        if handler is not None:
            handler(event)

    def on_train_end(self, logs=None):
        self.close()

    def close(self) -> None:
        """Flushes and closes the event files."""
        for writer in self._writers.values():
            writer.close()
        self._writers.clear()

    def _writer(self, name: str) -> tf.summary.SummaryWriter:
        if name not in self._writers:
            folder = self.log_dir / "ensemble" if name == "ensemble" else (
                member_folder(self.log_dir, self.member) / name)
            self._writers[name] = tf.summary.create_file_writer(str(folder))
        return self._writers[name]

    def _on_topology_update(self, event: dict) -> None:
        if event.get("skipped"):
            return
        step = int(event["step"])
        with self._writer("sparsity").as_default(step=step):
            for key, tag in (("density", "density"), ("rate", "death_rate"), ("turnover", "turnover"),
                             ("pruned", "pruned"), ("grown", "grown")):
                tf.summary.scalar(f"sparsity/{tag}", float(event[key]))
            for layer in event["layers"]:
                tf.summary.scalar(f"density/{layer['name']}", float(layer["density"]))
                tf.summary.scalar(f"turnover/{layer['name']}", float(layer["turnover"]))
            turnovers = np.asarray([layer["turnover"] for layer in event["layers"]], np.float32)
            if turnovers.size:
                tf.summary.histogram("turnover_by_layer", turnovers)
        self._writer("sparsity").flush()

    def _on_ticket_saved(self, event: dict) -> None:
        index = int(event["index"])
        accuracy = event.get("test_accuracy")
        text = f"ticket {index} saved after epoch {event['epoch']} (member run {event['member']})"
        if accuracy is not None:
            text += f", test accuracy {accuracy:.4f}"
        with self._writer("sparsity").as_default(step=index):
            tf.summary.text("tickets", text)
            if accuracy is not None:
                tf.summary.scalar("tickets/test_accuracy", float(accuracy))
        self._writer("sparsity").flush()

    def _on_ensemble_eval(self, event: dict) -> None:
        with self._writer("ensemble").as_default(step=int(event["members"])):
            for key in ("accuracy", "nll", "ece"):
                if event.get(key) is not None:
                    tf.summary.scalar(f"ensemble/{key}", float(event[key]))
        self._writer("ensemble").flush()
