"""`RichProgress`: the live progress line of `ftk run`."""

from __future__ import annotations

import keras
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from ftk.protocols import Protocol, get_protocol, protocol_names
from ftk.sparse.counts import Counts


class RichProgress(keras.callbacks.Callback):
    """Shows protocol, member or phase, epoch, step, loss, accuracy, tickets and ETA.

    Feed it the run's events with `on_event` (the runner's hook) and add it
    to the callbacks of every `fit`.
    """

    def __init__(self, console: Console | None = None):
        super().__init__()
        self.progress = Progress(
            TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
            TextColumn("{task.fields[metrics]}"), TimeRemainingColumn(),
            console=console or Console(stderr=True), transient=False,
        )
        self.task = None
        self.run = {}
        self.where = {"member": 0, "phase": "training", "index": 1, "of": 1, "epoch": 0}
        self.tickets = 0

    def on_event(self, event: dict) -> None:
        kind = event["type"]
        if kind == "run_start":
            self.run = event
            self.progress.console.print(f"{event['model']}: {_counts(event)}")
            total = event["total_epochs"] * event["steps_per_epoch"]
            self.progress.start()
            self.task = self.progress.add_task(self._describe(), total=total, metrics="")
        elif kind == "phase_start":
            self.where.update({k: event[k] for k in ("member", "phase", "index", "of", "epoch")})
        elif kind == "epoch_end":
            self.where["epoch"] = event["epoch"]
            done = event["global_epoch"] * self.run.get("steps_per_epoch", 0)
            self.progress.update(self.task, completed=done)
        elif kind == "ticket_saved":
            self.tickets += 1
        elif kind == "run_end":
            self.progress.stop()
        if self.task is not None:
            self.progress.update(self.task, description=self._describe())

    def on_train_batch_end(self, batch, logs=None):
        if self.task is None:
            return
        logs = logs or {}
        metrics = "  ".join(f"{k} {float(logs[k]):.4f}" for k in ("loss", "accuracy") if k in logs)
        steps = int(getattr(self.model, "steps_per_execution", 1) or 1)
        self.progress.update(self.task, advance=steps, metrics=metrics)

    def _describe(self) -> str:
        w, r = self.where, self.run
        phase = self._protocol().phase_label(w["phase"], w["index"], w["of"])
        member = "" if r.get("single_run") else f"member {w['member'] + 1}/{r.get('members', 1)} "
        return (f"{r.get('protocol', '')} {member}{phase} epoch {w['epoch']}/{r.get('epochs', '?')} "
                f"tickets {self.tickets}/{r.get('members', '?')}")


    def _protocol(self) -> Protocol:
        name = self.run.get("protocol")
        return get_protocol(name) if name in protocol_names() else Protocol()


def _counts(event: dict) -> Counts:
    """The counts a `run_start` event reports."""
    return Counts(event["parameters"], event["trainable"], event["active"], event["density"])
