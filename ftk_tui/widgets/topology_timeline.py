"""The topology timeline: death rate and mask turnover of each update, over steps."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.reactive import reactive
from textual.widgets import Label, Sparkline

from ftk_tui import format as fmt
from ftk_tui.state import RunState


class TopologyTimeline(Vertical):
    """Sparklines of the death rate and the turnover of every prune-and-grow update
    (EDST's jumps stand out as spikes), and a line about the last update."""

    DEFAULT_CLASSES = "run-part"

    state: reactive[RunState | None] = reactive(None, always_update=True)

    def __init__(self, id: str | None = None) -> None:
        super().__init__(id=id)
        self._shown: tuple[int, int] | None = None

    def compose(self) -> ComposeResult:
        with Horizontal(classes="spark-row"):
            yield Label("death rate", classes="spark-label")
            yield Sparkline([], id="rate-sparkline")
        with Horizontal(classes="spark-row"):
            yield Label("turnover", classes="spark-label")
            yield Sparkline([], id="turnover-sparkline")
        yield Label("no topology updates yet", id="topology-summary")

    def watch_state(self, state: RunState | None) -> None:
        """Redraws when a topology update arrived."""
        if state is None or not self.is_mounted or self._shown == state.version("topology"):
            return
        self._shown = state.version("topology")
        points = list(state.topology)
        self.query_one("#rate-sparkline", Sparkline).data = [p.rate or 0.0 for p in points]
        self.query_one("#turnover-sparkline", Sparkline).data = [p.turnover or 0.0 for p in points]
        self.query_one("#topology-summary", Label).update(_summary(state))


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
