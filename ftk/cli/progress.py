"""`RichProgress`: what `ftk run` shows while it trains.

On a terminal, a live display of two or three lines that fits the width (80
columns included) above which one summary line per epoch stays in the
scrollback, as Keras' `verbose=2` prints them. Anywhere else (a pipe, a file,
CI), plain log lines only: no escape codes, no carriage returns. Keras' own
`Progbar` makes the same choice (`_dynamic_display`).
"""

from __future__ import annotations

import sys
import time

import keras
from rich.console import Console, ConsoleOptions, RenderResult
from rich.live import Live
from rich.text import Text

from ftk.cli.progress_lines import display_line, duration, epoch_line, number, run_start_line, wrap
from ftk.protocols import Protocol, get_protocol, protocol_names



class RichProgress(keras.callbacks.Callback):
    """Shows a run's progress: where it is, steps, ETA, metrics; one line per epoch.

    Feed it the run's events with `on_event` (the runner's hook) and add it
    to the callbacks of every `fit`. It prints a line at the run's start, at
    each phase start, at each epoch's end, for each ticket and ensemble
    evaluation, and at the run's end. On an interactive terminal it also
    keeps a live display below those lines: the protocol, member, phase,
    epoch and tickets; a bar with the steps done of all, the ETA and the
    last batch's loss and accuracy.

    Args:
        console: where to print. Defaults to `Console(stderr=True)`. The live
            display is used only when `console.is_interactive`.
        refresh_per_second: refresh rate of the live display. Defaults to `4`.

    Example:

    ```python
    progress = RichProgress()
    ftk.protocols.runner.run_recipe(recipe, callbacks=[progress], on_event=progress.on_event)
    ```
    """

    def __init__(self, console: Console | None = None, refresh_per_second: float = 4):
        super().__init__()
        self.console = console or Console(stderr=True)
        self.dynamic = self.console.is_interactive
        self.refresh_per_second = refresh_per_second
        self.live: Live | None = None
        self.run: dict = {}
        self.where = {"member": 0, "label": "training", "epoch": 0}
        self.tickets = 0
        self.done = 0  # steps done of `total`
        self._started = time.monotonic()
        self._seen = 0  # steps this process trained, for the ETA
        self._clock: tuple[float, int] | None = None  # (time, steps seen) at the first step
        self._epoch_start = self._batches = 0
        self._last_epoch: int | None = None
        self._completed: int | None = None  # epochs of the member run whose line was printed
        self._held: list[list[str]] = []
        self._logs: dict = {}

    @property
    def total(self) -> int:
        """The steps the bar counts to: the whole run's, or one member's with `--member`."""
        epochs = self.run.get("epochs" if self._one_member else "total_epochs", 0)
        return int(epochs or 0) * self._steps_per_epoch

    # The runner's hook.

    def on_event(self, event: dict) -> None:
        """Prints the line of `event` (if it has one) and updates the display."""
        handler = getattr(self, f"_on_{event.get('type')}", None)
        if handler is not None:
            handler(event)

    # Keras hooks.

    def on_epoch_begin(self, epoch, logs=None):
        self.where["epoch"] = epoch + 1
        if self._last_epoch is not None:  # epochs follow each other, across member runs too
            self._epoch_start = epoch if self._one_member else self._last_epoch
        elif self._one_member or self.run.get("single_run"):
            self._epoch_start = epoch
        else:  # a resumed run before its first epoch's end: assume equal member runs
            self._epoch_start = self.where["member"] * self.run.get("epochs", 0) + epoch
        self._batches = 0

    def on_train_batch_end(self, batch, logs=None):
        if not self.dynamic:
            return
        # `batch` is the last step of the execution (`steps_per_execution` may be > 1).
        self._seen += batch + 1 - self._batches
        self._batches = batch + 1
        self.done = self._epoch_start * self._steps_per_epoch + self._batches
        self._logs = logs or {}
        if self._clock is None:  # the first step builds the functions: the ETA starts after it
            self._clock = (time.monotonic(), self._seen)

    # Events.

    def _on_run_start(self, event: dict) -> None:
        self.run, self.tickets, self._last_epoch, self._completed = event, 0, None, None
        self._started = time.monotonic()
        self.where["member"] = event.get("trained_member") or 0
        self._print(run_start_line(event))
        if self.dynamic and self.live is None:
            # Other prints to the display's own stream go above it; the other stream is left alone.
            self.live = Live(_Display(self), console=self.console, transient=True,
                             refresh_per_second=self.refresh_per_second,
                             redirect_stdout=self.console.file is sys.stdout,
                             redirect_stderr=self.console.file is sys.stderr)
            self.live.start()

    def _on_phase_start(self, event: dict) -> None:
        label = event.get("label") or self._protocol().phase_label(
            event.get("phase", "training"), event.get("index", 1), event.get("of", 1))
        self.where.update(member=event.get("member", 0), label=label)
        self._completed = event.get("epoch", 0)
        self._infer_tickets(event)
        self._print(f"{self._where(epoch=False)} starts at epoch {event.get('epoch', 0)} "
                    f"(step {event.get('step', 0)})")

    def _on_epoch_end(self, event: dict) -> None:
        self.where.update(member=event.get("member", 0), epoch=event.get("epoch", 0))
        self._last_epoch = event.get("global_epoch", 0)
        self.done = (event.get("epoch", 0) if self._one_member else self._last_epoch) * self._steps_per_epoch
        self._infer_tickets(event)
        density = event.get("density") if self.run.get("density", 1.0) < 1 else None
        self._print(epoch_line(self._where(), self._steps_per_epoch, event, density))
        self._completed = event.get("epoch", 0)
        self._flush()

    def _on_ticket_saved(self, event: dict) -> None:
        index = event.get("index", 0)
        self.tickets = max(self.tickets, index + 1)
        parts = [f"ticket {index} ({index + 1}/{self.run.get('members', '?')}) saved at "
                 f"epoch {event.get('epoch')}: {event.get('path')}"]
        parts += [f"{k} {number(event[k])}" for k in ("val_accuracy", "test_accuracy")
                  if event.get(k) is not None]
        # A ticket taken at an epoch's end may come before that epoch's line: it follows it.
        early = self._completed is not None and (event.get("epoch") or 0) > self._completed
        self._print(parts, hold=early)

    def _on_ensemble_eval(self, event: dict) -> None:
        members = event.get("members")
        self._print([f"ensemble of {members} ticket{'' if members == 1 else 's'}:",
                     *(f"{k} {number(event.get(k))}" for k in ("accuracy", "nll", "ece"))],
                    hold=bool(self._held))

    def _on_run_end(self, event: dict) -> None:
        self._flush()
        if self.live is not None:
            self.live.stop()
            self.live = None
        status, summary = event.get("status", "finished"), event.get("summary") or {}
        parts = [f"run {status} after {duration(time.monotonic() - self._started)}"]
        if summary.get("ensemble_accuracy") is not None:
            parts.append(f"ensemble accuracy {number(summary['ensemble_accuracy'])}")
        if event.get("error") and status != "finished":
            parts.append(f"({event['error']})")
        self._print(parts)

    # Helpers.

    @property
    def _steps_per_epoch(self) -> int:
        return int(self.run.get("steps_per_epoch") or 0)

    @property
    def _one_member(self) -> bool:
        """Whether this process trains one member run of a shared folder (`--member`)."""
        return "trained_member" in self.run

    def _infer_tickets(self, event: dict) -> None:
        """At least the tickets before this point: a resumed run saw none of their events."""
        if event.get("phase") == "refinement":
            self.tickets = max(self.tickets, event.get("index", 1) - 1)
        elif not self.run.get("single_run") and not self._one_member:
            self.tickets = max(self.tickets, event.get("member", 0))

    def _where(self, epoch: bool = True) -> str:
        """E.g. `edst refinement 1/3 epoch 7/36` or `deep_ensemble member 2/3 training epoch 4/10`."""
        w, r = self.where, self.run
        member = "" if r.get("single_run") else f" member {w['member'] + 1}/{r.get('members', 1)}"
        where = f"{r.get('protocol', '')}{member} {w['label']}"
        return f"{where} epoch {w['epoch']}/{r.get('epochs', '?')}" if epoch else where

    def _print(self, parts: str | list[str], hold: bool = False) -> None:
        """Prints a line (now, or with `hold` after the next epoch's): wrapped on a terminal, whole in a log."""
        parts = [parts] if isinstance(parts, str) else parts
        if hold:
            self._held.append(parts)
            return
        if self.dynamic:
            self.console.print(Text(wrap(parts, self.console.width)))
        else:
            self.console.print("  ".join(parts), markup=False, highlight=False, emoji=False, soft_wrap=True)

    def _flush(self) -> None:
        held, self._held = self._held, []
        for parts in held:
            self._print(parts)

    def _protocol(self) -> Protocol:
        name = self.run.get("protocol")
        return get_protocol(name) if name in protocol_names() else Protocol()

    def _eta(self) -> str:
        if self._clock is None or self._seen <= self._clock[1]:
            return "ETA -"
        seconds_per_step = (time.monotonic() - self._clock[0]) / (self._seen - self._clock[1])
        return f"ETA {duration(max(self.total - self.done, 0) * seconds_per_step, decimals=False)}"


class _Display:
    """The live lines of a `RichProgress`, laid out for the width at each refresh."""

    def __init__(self, progress: RichProgress):
        self.progress = progress

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        p, width = self.progress, options.max_width
        yield display_line(f"{p._where()}  tickets {p.tickets}/{p.run.get('members', '?')}", width, "bold")
        total = p.total
        steps = f"{p.done}/{total}  {p._eta()}"
        metrics = "  ".join(f"{k} {number(p._logs[k])}" for k in ("loss", "accuracy") if k in p._logs)
        together = f"{steps}  {metrics}" if metrics else steps
        bar = min(width - len(together) - 1, 40)
        if bar < 10:  # too narrow for one line: the metrics go below
            together, bar = steps, max(min(width - len(steps) - 1, 40), 0)
        filled = round(bar * min(p.done / total, 1.0)) if total else 0
        row = Text()
        row.append("━" * filled, "bar.complete")
        row.append("━" * (bar - filled), "bar.back")
        row.append(" " + together)
        yield display_line(row, width)
        if together == steps and metrics:
            yield display_line(metrics, width)
