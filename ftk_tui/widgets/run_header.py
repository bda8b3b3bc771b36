"""The header of the run view: what runs, where it is, and how long is left."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.reactive import reactive
from textual.widget import Widget
from textual.widgets import Label, ProgressBar

from ftk_tui import format as fmt
from ftk_tui.state import RunState
from ftk_tui.widgets.run_part import RunPart

STATUSES = ("running", "finished", "failed", "interrupted", "stale", "empty", "missing")


class RunHeader(RunPart, Widget):
    """Recipe, protocol, model, density, phase, epoch and step, elapsed time and ETA.

    Set `state` when the run changed and `now` (unix seconds) on every tick so the
    elapsed time and the stale status follow the clock.
    """

    now: reactive[float] = reactive(0.0)
    loading: reactive[float | None] = reactive(None)

    def compose(self) -> ComposeResult:
        with Horizontal(id="header-top"):  # texts from events: no markup
            yield Label(id="run-title", markup=False)
            yield Label(id="run-timing", markup=False)
            yield Label(id="run-status", markup=False)
        yield Label(id="run-details", markup=False)
        with Horizontal(id="header-progress"):
            yield Label(id="run-phase", markup=False)
            yield Label(id="run-position", markup=False)
            yield ProgressBar(total=1, show_eta=False, id="run-progress")

    def watch_state(self) -> None:
        """Redraws everything."""
        self._redraw()

    def watch_now(self) -> None:
        """Redraws the parts that depend on the clock."""
        self._redraw()

    def watch_loading(self) -> None:
        """Redraws the line that says how much of the file was read."""
        self._redraw()

    def _redraw(self) -> None:
        if not self.is_mounted:
            return
        state = self.state or RunState(exists=False)
        info = state.info
        status = state.status(self.now)
        title = info.name or "waiting for run_start"
        if info.recipe_name and info.recipe_name != info.name:
            title += f" · recipe {info.recipe_name}"
        self.query_one("#run-title", Label).update(title)
        badge = self.query_one("#run-status", Label)
        badge.update(status.upper())
        for name in STATUSES:
            badge.set_class(name == status, f"-{name}")
        elapsed = fmt.duration(state.elapsed(self.now))
        self.query_one("#run-timing", Label).update(f"elapsed {elapsed} · ETA {fmt.duration(state.eta())}")
        details = self._details(state)
        if self.loading is not None:
            details = f"reading events.jsonl… {fmt.percent(self.loading, 0)} · {details}"
        self.query_one("#run-details", Label).update(details)
        self.query_one("#run-phase", Label).update(state.phase_label)
        self.query_one("#run-position", Label).update(self._position(state))
        total = max(info.total_epochs, state.global_epoch, 1)
        progress = max(state.global_epoch, 0)
        self.query_one("#run-progress", ProgressBar).update(total=total, progress=progress)

    @staticmethod
    def _details(state: RunState) -> str:
        info = state.info
        if not info.protocol:
            return "no events.jsonl yet" if state.status() == "missing" else "no run_start yet"
        parts = [info.protocol, info.model, info.dataset, f"density {fmt.number(state.density, 3)} of prunable weights"]
        parts.append(f"{info.members} member{'s' if info.members != 1 else ''}")
        bad = state.malformed + state.invalid
        if bad:
            parts.append(f"⚠ {bad} malformed line{'s' if bad != 1 else ''}")
        return " · ".join(p for p in parts if p)

    @staticmethod
    def _position(state: RunState) -> str:
        info = state.info
        total_steps = info.total_epochs * info.steps_per_epoch
        step = fmt.count(state.step) + (f"/{fmt.count(total_steps)}" if total_steps else "")
        return f"epoch {state.global_epoch}/{info.total_epochs or '?'} · step {step}"
