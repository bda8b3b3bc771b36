"""The run view: every part of one run, following its events live."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Container
from textual.screen import Screen
from textual.widgets import Footer

from ftk_tui.monitor import RunMonitor
from ftk_tui.screens.recipe_view import RecipeViewScreen
from ftk_tui.widgets.ensemble_table import EnsembleTable
from ftk_tui.widgets.error_panel import ErrorPanel
from ftk_tui.widgets.event_log import EventLog
from ftk_tui.widgets.layer_plots import LayerPlots, LayerPlotsPane
from ftk_tui.widgets.layer_table import LayerTable
from ftk_tui.widgets.pane import Pane
from ftk_tui.widgets.phase_timeline import PhaseTimeline
from ftk_tui.widgets.run_header import RunHeader
from ftk_tui.widgets.tickets_table import TicketsTable
from ftk_tui.widgets.topology_timeline import TopologyTimeline
from ftk_tui.widgets.training_curves import TrainingCurves


class RunViewScreen(Screen[None]):
    """Shows one run directory and polls its `events.jsonl` for new events.

    `tab` / `shift+tab` move between the panes; the arrows scroll within the
    focused one; `z` maximises it and `escape` restores it (see `Pane`).

    Args:
        run_dir: The run directory.
        interval: Seconds between polls.
        clock: Returns the current unix time; tests inject a fixed one.
        stale_after: Seconds without events after which the run is `stale`.
        can_go_back: Whether `escape` returns to a run list below this screen.
    """

    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (110, "-wide")]
    ALLOW_IN_MAXIMIZED_VIEW = "RunHeader, Footer"
    """A maximised pane (`z`, see `Pane`) keeps the header and the footer."""
    FIRST_CHUNK_BYTES = 2 * 1024 * 1024
    """Bytes read before the first paint; the rest follows in chunks of `CHUNK_BYTES`."""
    CHUNK_BYTES = 16 * 1024 * 1024
    BINDINGS = [
        Binding("r", "reload", "Reload"),
        Binding("escape", "back", "Runs"),
        Binding("v", "recipe", "Recipe"),
    ]

    def __init__(
        self,
        run_dir: Path,
        interval: float,
        clock: Callable[[], float],
        stale_after: float,
        can_go_back: bool,
    ) -> None:
        super().__init__()
        self.monitor = RunMonitor(run_dir, stale_after=stale_after, chunk_bytes=self.CHUNK_BYTES)
        self.interval = interval
        self.clock = clock
        self.can_go_back = can_go_back
        self._catching_up = False

    def compose(self) -> ComposeResult:
        yield RunHeader(id="run-header")
        yield ErrorPanel(id="error-panel")
        with Container(id="panes"):
            yield Pane(TrainingCurves(id="curves"), title="training curves", id="curves-pane")
            yield Pane(LayerTable(id="layers"), title="layer sparsity", id="layers-pane")
            yield LayerPlotsPane(
                LayerPlots(id="layer-plots"), title="layer density and turnover", id="layer-plots-pane"
            )
            yield Pane(TopologyTimeline(id="topology"), title="topology", id="topology-pane")
            yield Pane(
                PhaseTimeline(id="phases"), TicketsTable(id="tickets"), title="phases and tickets", id="phases-pane"
            )
            yield Pane(EnsembleTable(id="ensemble"), title="ensemble", id="ensemble-pane")
            yield Pane(EventLog(id="log"), title="events", id="log-pane")
        yield Footer(show_command_palette=False)  # ctrl+p still opens it; the keys need the room

    def on_mount(self) -> None:
        """Reads the first chunk of events, shows it and starts polling."""
        self.monitor.poll(self.FIRST_CHUNK_BYTES)
        self._show()
        self._start_catch_up()
        self.set_interval(self.interval, self._tick)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Offers `escape` only when there is a run list to go back to."""
        return self.can_go_back if action == "back" else True

    def action_reload(self) -> None:
        """Forgets the state and reads the events again from the start."""
        self.monitor.reload(self.FIRST_CHUNK_BYTES)
        self._show()
        self._start_catch_up()

    def action_back(self) -> None:
        """Returns to the run list."""
        self.dismiss()

    def _tick(self) -> None:
        if self._catching_up:
            return
        if self.monitor.poll():
            self._show()
        else:
            self.query_one(RunHeader).now = self.clock()
        self._start_catch_up()

    def _start_catch_up(self) -> None:
        if self.monitor.loading and not self._catching_up:
            self._catching_up = True
            self.call_after_refresh(self._catch_up)

    def _catch_up(self) -> None:
        """Reads one more chunk after each paint while the file is ahead of us.

        Only the header (with the fraction read) follows while catching up; the
        other parts are drawn once, when all is read.
        """
        header = self.query_one(RunHeader)
        self.monitor.poll()
        header.loading = self.monitor.progress if self.monitor.loading else None
        header.state = self.monitor.state
        if self.monitor.loading:
            self.call_after_refresh(self._catch_up)
        else:
            self._catching_up = False
            self._show()

    def _show(self) -> None:
        header = self.query_one(RunHeader)
        header.now = self.clock()
        header.loading = self.monitor.progress if self.monitor.loading else None
        for part in self.query(".run-part"):
            part.state = self.monitor.state  # type: ignore[attr-defined]

    def action_recipe(self) -> None:
        """Shows the run's `recipe.yaml`."""
        self.app.push_screen(RecipeViewScreen(self.monitor.run_dir))
