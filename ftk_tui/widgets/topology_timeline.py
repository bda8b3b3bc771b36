"""The topology timeline: death rate and mask turnover of each update, over steps."""

from __future__ import annotations

import math

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Label, Sparkline

from ftk_tui import format as fmt
from ftk_tui.state import RunState
from ftk_tui.widgets.run_part import RunPart


class TopologyTimeline(RunPart, Vertical):
    """Sparklines of the death rate and the turnover of every prune-and-grow update
    (EDST's jumps stand out as spikes), and a line about the last update."""

    def compose(self) -> ComposeResult:
        with Horizontal(classes="spark-row"):
            yield Label("death rate", classes="spark-label")
            yield Sparkline([], id="rate-sparkline")
        with Horizontal(classes="spark-row"):
            yield Label("turnover", classes="spark-label")
            yield Sparkline([], id="turnover-sparkline")
        yield Label("no topology updates yet", id="topology-summary", markup=False)

    def watch_state(self, state: RunState | None) -> None:
        """Redraws when a topology update arrived."""
        if state is None or not self.is_mounted or not self._part_changed(state, "topology"):
            return
        points = list(state.topology)
        self.query_one("#rate-sparkline", Sparkline).data = [_height(p.rate) for p in points]
        self.query_one("#turnover-sparkline", Sparkline).data = [_height(p.turnover) for p in points]
        self.query_one("#topology-summary", Label).update(_summary(state))


def _height(fraction: float | None) -> float:
    """A sparkline bar for a rate or turnover: missing, NaN or infinite ones are 0,
    and none leaves [0, 1] (a wild value would flatten all the others)."""
    return min(max(fraction, 0.0), 1.0) if fraction is not None and math.isfinite(fraction) else 0.0


def _summary(state: RunState) -> str:
    if not state.topology:
        return "no topology updates yet"
    last = state.topology[-1]
    jumps = sum(1 for p in state.topology if p.kind == "jump")
    return (
        f"{fmt.count(len(state.topology))} updates, {jumps} jumps · last: step {fmt.count(last.step)} "
        f"{last.kind}, rate {fmt.number(last.rate, 2)}, turnover {fmt.percent(last.turnover)}, "
        f"-{fmt.count(last.pruned)} +{fmt.count(last.grown)}"
    )
