"""The state of a run, folded from its events; no terminal needed.

`RunState.apply(event)` (or `apply(state, event)`) folds one event in O(1) amortised
time, so a file of 100,000 events folds in O(n). Buffers that grow with the number of
events are bounded deques; tables keyed by layer, ticket or ensemble size are not.
"""

from __future__ import annotations

import itertools
import socket
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

from ftk_tui import format as fmt
from ftk_tui.events import by_event_type
from ftk_tui.layer_history import LayerHistory
from ftk_tui.trainer_process import Trainer
from ftk_tui.records import (
    FIELD_ERRORS,
    EnsembleRow,
    EpochPoint,
    LayerRow,
    Phase,
    RunInfo,
    Ticket,
    TopologyPoint,
    as_finite,
    as_whole,
)

Status = Literal["running", "finished", "failed", "interrupted", "stale", "empty", "missing"]

HISTORY_POINTS = 20_000
TOPOLOGY_POINTS = 20_000
PHASES = 1_000
LOG_LINES = 200
ETA_EPOCHS = 10
LAYER_LISTS = 256
"""Topology updates whose `layers` wait, unread, for the layer table (see `RunState.layers`)."""
_serials = itertools.count()


def _deque(maxlen: int) -> Any:
    return field(default_factory=lambda: deque(maxlen=maxlen))


@dataclass
class RunState:
    """Everything the monitor shows about one run.

    Widgets read it; only `apply` (and `RunMonitor`, for `exists` and `malformed`)
    change it. `version(part)` tells a widget whether the part it shows changed.

    Args:
        stale_after: Seconds without a new event after which a run that has not
            ended counts as `stale`. Defaults to `300.0`.

    Attributes:
        info: What `run_start` said: name, protocol, model, dataset, density,
            members, epochs, total epochs, steps per epoch, host and pid.
        phase: The current phase; `phases` holds the phases so far.
        member, epoch, step: Where training is (the last epoch or update).
        global_epoch: Epochs done over the whole run: the last `global_epoch`
            of a run whose tickets come from one member run, else the sum of
            the epochs done in each member run (members trained at once
            each add theirs).
        density: The density of the prunable weights (those of masked layers):
            from `run_start`, then from each `epoch_end`. It is the one density
            the monitor shows; `topology_update` densities are left to the
            topology pane (files of older runs left dense layers out of them).
        trainers: The trainer processes that have started and not ended, by
            member run (`-1` for the whole run); see `check_trainers`.
        first_t, last_t: Times of the first and last of the run's own events;
            `ensemble_eval` events of `ftk eval` (`source: "eval"`, written after
            the run) move neither, so they leave the elapsed time and staleness alone.
        end_status, error, summary: From `run_end`, `None` while running.
        history: Metrics of each epoch; `topology`: each prune-and-grow update.
        tickets: Saved tickets by index; `ensemble`: ensemble metrics by
            `EnsembleRow.key` (size, source, writing member).
        events: Events folded; `malformed`: bad lines; `invalid`: events whose
            fields had the wrong types.
        log: The last `LOG_LINES` events (see `log_lines`).
    """

    stale_after: float = 300.0
    info: RunInfo = field(default_factory=RunInfo)
    exists: bool = True
    phase: Phase | None = None
    member: int = 0
    epoch: int = 0
    global_epoch: int = 0
    step: int = 0
    lr: float | None = None
    density: float | None = None
    first_t: float | None = None
    last_t: float | None = None
    end_status: str | None = None
    error: str | None = None
    summary: dict[str, Any] | None = None
    checkpoint: str | None = None
    events: int = 0
    malformed: int = 0
    invalid: int = 0
    history: deque[EpochPoint] = _deque(HISTORY_POINTS)
    topology: deque[TopologyPoint] = _deque(TOPOLOGY_POINTS)
    phases: deque[Phase] = _deque(PHASES)
    log: deque[dict[str, Any]] = _deque(LOG_LINES)
    tickets: dict[int, Ticket] = field(default_factory=dict)
    ensemble: dict[tuple[int, str, int], EnsembleRow] = field(default_factory=dict)
    revision: dict[str, int] = field(default_factory=dict)
    layer_history: LayerHistory = field(default_factory=LayerHistory, repr=False)
    serial: int = field(default_factory=lambda: next(_serials))
    _layer_rows: dict[str, LayerRow] = field(default_factory=dict, repr=False)
    _layer_updates: dict[str, dict[str, Any]] = field(default_factory=dict, repr=False)
    _layer_lists: list[list[Any]] = field(default_factory=list, repr=False)
    trainers: dict[int, Trainer] = field(default_factory=dict)
    trainers_gone: bool = False
    _member_epochs: dict[int, int] = field(default_factory=dict, repr=False)
    _recent_seconds: deque[float] = field(default_factory=lambda: deque(maxlen=ETA_EPOCHS), repr=False)

    def apply(self, event: dict[str, Any]) -> RunState:
        """Folds one event into the state; unknown types are ignored.

        Never raises: an event whose fields have unexpected types counts as
        `invalid` (what it could fold is kept), and so does anything that is not
        a JSON object with a string `type`.

        Args:
            event: A decoded event with a string `type`.

        Returns:
            This state, updated.
        """
        if not isinstance(event, dict) or not isinstance(event.get("type"), str):
            self.invalid += 1
            return self
        handler = _HANDLERS.get(event["type"])
        if handler is None:
            return self
        self.events += 1
        t = event.get("t")
        if t.__class__ is not float:
            t = as_finite(t)  # `"t": 1e400` reads as infinity: no time
        elif t - t != 0.0:  # NaN or infinite
            t = None
        if t is not None and not (handler is _ensemble_eval and event.get("source") == "eval"):
            self.first_t = t if self.first_t is None else self.first_t
            self.last_t = t
        self.log.append(event)
        try:
            handler(self, event)
        except FIELD_ERRORS:
            self.invalid += 1
        return self

    def bump(self, *parts: str) -> None:
        """Marks parts of the state as changed so widgets showing them redraw."""
        for part in parts:
            self.revision[part] = self.revision.get(part, 0) + 1

    def version(self, part: str) -> tuple[int, int]:
        """A key that changes whenever `part` (or the whole state) changes."""
        return (self.serial, self.revision.get(part, 0))

    def status(self, now: float | None = None) -> Status:
        """The run's status at time `now` (unix seconds; `None` never goes stale)."""
        if not self.exists:
            return "missing"
        if self.events == 0:
            return "empty"
        if self.end_status in ("failed", "interrupted"):
            return self.end_status  # type: ignore[return-value]
        if self.end_status is not None:
            return "finished"
        if self.trainers_gone:
            return "stale"
        if now is not None and self.last_t is not None and now - self.last_t > self.stale_after:
            return "stale"
        return "running"

    def check_trainers(self, host: str | None = None) -> bool:
        """Notes whether every trainer process of the run is gone (`trainers_gone`).

        A run that has not ended is then `stale` at once, without waiting
        `stale_after` seconds. Only processes on this machine can be checked: a
        run started elsewhere, or by an ftk that did not record its `pid`, keeps
        the time rule. A live process whose start differs from the recorded
        `pid_start` reused the pid: it counts as gone. Costs one `os.kill(pid, 0)`
        and one read of `/proc/<pid>/stat` per trainer: call it once per poll.

        Args:
            host: This machine's name. Defaults to `socket.gethostname()`.

        Returns:
            `trainers_gone`.
        """
        host = socket.gethostname() if host is None else host
        local = [trainer for trainer in self.trainers.values() if trainer.host == host]
        gone = bool(local) and len(local) == len(self.trainers) and not any(t.alive() for t in local)
        self.trainers_gone = gone and self.end_status is None
        return self.trainers_gone

    def eta(self) -> float | None:
        """Seconds left: the mean of recent epoch times times the epochs left."""
        if self.end_status is not None or not self._recent_seconds:
            return None
        left = max(self.info.total_epochs - self.global_epoch, 0)
        return sum(self._recent_seconds) / len(self._recent_seconds) * left

    def elapsed(self, now: float) -> float | None:
        """Seconds from the first event to `now`, or to the last event once ended."""
        if self.first_t is None or self.last_t is None:
            return None
        end = self.last_t if self.end_status is not None else max(now, self.last_t)
        return end - self.first_t

    @property
    def layers(self) -> dict[str, LayerRow]:
        """The per-layer table, by layer name, as of the last topology update.

        Updates are only noted while folding and applied here, when the table is
        read, so folding many updates costs O(1) per layer and update.
        """
        self._note_layer_lists()
        for name, raw in self._layer_updates.items():
            row = self._layer_rows.get(name) or LayerRow(name=name)
            try:
                self._layer_rows[name] = row.updated(raw)
            except FIELD_ERRORS:
                self.invalid += 1
        self._layer_updates.clear()
        return self._layer_rows

    def _note_layer_lists(self) -> None:
        """Notes the newest entry of each layer among the `layers` lists of the updates
        folded since the last call: newest list first, stopping once every layer
        of the table has its entry (each update usually lists them all)."""
        lists, self._layer_lists = self._layer_lists, []
        known, found = set(self._layer_rows), {}
        for layers in reversed(lists):
            for raw in layers:
                if isinstance(raw, dict):
                    found.setdefault(str(raw.get("name")), raw)
                else:
                    self.invalid += 1
            if len(found) >= len(known) and known.issubset(found):
                break
        self._layer_updates.update(found)

    @property
    def best_accuracy(self) -> float | None:
        """The best ensemble test accuracy seen so far."""
        values = [as_finite(row.accuracy) for row in self.ensemble.values()]
        if self.summary:
            values.append(as_finite(self.summary.get("ensemble_accuracy")))
        return max((v for v in values if v is not None), default=None)

    @property
    def phase_label(self) -> str:
        """The current phase, by the protocol's label: `exploration`, `refinement 2/3`,
        `member 2 of 5 · training`."""
        if self.phase is None:
            return fmt.DASH
        label = self.phase.label
        if not self.info.single_run and self.info.members > 1:
            label = f"member {self.phase.member + 1} of {self.info.members} · {label}"
        return label

    def log_lines(self) -> list[str]:
        """The last `LOG_LINES` events, formatted."""
        return [fmt.event_line(event, self.first_t) for event in self.log]


def apply(state: RunState, event: dict[str, Any]) -> RunState:
    """Folds one event into `state` and returns it (see `RunState.apply`)."""
    return state.apply(event)


def fold(events: Iterable[dict[str, Any]], state: RunState | None = None) -> RunState:
    """Folds `events` into `state` (a new `RunState` when `None`) and returns it."""
    state = RunState() if state is None else state
    for event in events:
        state.apply(event)
    return state


def _run_start(s: RunState, e: dict[str, Any]) -> None:
    s.info = RunInfo.from_event(e)
    s.density = s.info.density
    s._layer_rows = {row.name: row for row in map(LayerRow.from_start, e.get("layers") or [])}
    s._layer_updates.clear()
    s._layer_lists.clear()
    s.end_status = s.error = s.summary = None
    key = as_whole(e.get("trained_member"))
    key = -1 if key is None else key
    trainer = Trainer.from_event(e)
    if trainer is not None:
        s.trainers[key] = trainer
    else:
        s.trainers.pop(key, None)
    s.bump("info", "layers")


def _phase_start(s: RunState, e: dict[str, Any]) -> None:
    s.phase = Phase.from_event(e)
    s.phases.append(s.phase)
    s.member, s.step = s.phase.member, s.phase.step
    s.bump("info", "phases")


def _epoch_end(s: RunState, e: dict[str, Any]) -> None:
    point = EpochPoint.from_event(e)
    s.history.append(point)
    s.member, s.epoch = point.member, point.epoch
    if s.info.single_run or s.info.members <= 1:
        s.global_epoch = point.global_epoch
    else:
        s._member_epochs[point.member] = point.epoch
        s.global_epoch = sum(s._member_epochs.values())
    s.step, s.lr = point.step, point.lr
    s.density = point.density if point.density is not None else s.density
    seconds = as_finite(point.seconds)
    if seconds is not None and seconds >= 0:
        s._recent_seconds.append(seconds)
    s.bump("info", "history")


def _topology_update(s: RunState, e: dict[str, Any]) -> None:
    point = TopologyPoint.from_event(e)
    s.topology.append(point)
    s.layer_history.note(point.step, s.global_epoch, e.get("layers"))
    s.step = point.step
    layers = e.get("layers") or []
    if layers.__class__ is not list or (layers and layers[0].__class__ is not dict):
        raise TypeError(f"topology_update.layers must be a list of objects. Received: {layers!r:.80}")
    s._layer_lists.append(layers)
    if len(s._layer_lists) >= LAYER_LISTS:
        s._note_layer_lists()
    s.bump("info", "topology", "layers")


def _ticket_saved(s: RunState, e: dict[str, Any]) -> None:
    ticket = Ticket.from_event(e)
    s.tickets[ticket.index] = ticket
    s.bump("tickets", "phases")


def _ensemble_eval(s: RunState, e: dict[str, Any]) -> None:
    row = EnsembleRow.from_event(e)
    s.ensemble[row.key] = row
    s.bump("ensemble", "info")


def _checkpoint(s: RunState, e: dict[str, Any]) -> None:
    s.checkpoint = str(e.get("path") or "")


def _run_end(s: RunState, e: dict[str, Any]) -> None:
    s.end_status = str(e.get("status") or "finished")
    error = e.get("error")
    s.error = None if error is None else str(error)
    summary = e.get("summary")
    s.summary = summary if isinstance(summary, dict) else None
    s._recent_seconds.clear()
    s.trainers.clear()
    s.trainers_gone = False
    s.bump("info", "ensemble")


_HANDLERS = by_event_type(
    _run_start, _phase_start, _epoch_end, _topology_update, _ticket_saved, _ensemble_eval, _checkpoint, _run_end
)
