"""The compare view: two runs' curves overlaid, and their headline numbers side by side."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from rich.markup import escape
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Label

from ftk_tui import format as fmt
from ftk_tui.monitor import RunMonitor
from ftk_tui.state import RunState
from ftk_tui.widgets.metric_plot import MetricPlot, Series
from ftk_tui.widgets.training_curves import PLOT_LIMIT

COLUMNS = ("run", "protocol", "density", "epochs", "status", "best ens. acc")
PLOTS = (
    ("compare-loss", "loss", "epoch"),
    ("compare-accuracy", "accuracy", "epoch"),
    ("compare-val", "val accuracy", "epoch"),
    ("compare-ensemble", "ensemble accuracy", "tickets"),
)
"""Each plot: its id, title and x axis."""
LABEL_WIDTH = 18
FIRST_CHUNK_BYTES = 2 * 1024 * 1024
"""Bytes of each run read before the first paint; the rest follows a chunk per paint."""


class CompareViewScreen(Screen[None]):
    """Shows two runs at once, following both live as their trainers write events.

    Four plots overlay one series per run, labelled with the run's name: loss,
    accuracy and validation accuracy by global epoch, and ensemble test accuracy
    by the number of tickets in the ensemble. A table above holds each run's
    protocol, density, epochs, status and best ensemble accuracy.

    Args:
        run_a: The first run directory.
        run_b: The second run directory.
        interval: Seconds between polls of the event files.
        clock: Returns the current unix time, for the runs' status.
        stale_after: Seconds without events after which a run is `stale`.
        can_go_back: Whether `escape` returns to a screen below this one.

    Attributes:
        monitors: One `RunMonitor` per run, in order.
        labels: The legend label of each run: its folder's name, made distinct.

    Example:

    ```python
    app.push_screen(CompareViewScreen(Path("runs/a"), Path("runs/b"), 1.0, time.time, 300.0, True))
    ```
    """

    BINDINGS = [Binding("escape", "back", "Back")]

    def __init__(
        self,
        run_a: Path,
        run_b: Path,
        interval: float,
        clock: Callable[[], float],
        stale_after: float,
        can_go_back: bool,
    ) -> None:
        super().__init__()
        self.monitors = [RunMonitor(run, stale_after=stale_after) for run in (Path(run_a), Path(run_b))]
        self.labels = run_labels(Path(run_a), Path(run_b))
        self.interval = interval
        self.clock = clock
        self.can_go_back = can_go_back
        self._catching_up = False

    def compose(self) -> ComposeResult:
        yield Label(f"compare: {self.labels[0]}  vs  {self.labels[1]}", id="compare-title", markup=False)
        yield DataTable(id="compare-table", cursor_type="none", show_cursor=False)
        with Grid(id="compare-plots"):
            for plot_id, title, xlabel in PLOTS:
                yield MetricPlot(title, xlabel, id=plot_id)
        yield Footer()

    def on_mount(self) -> None:
        """Reads both runs, draws them and starts polling."""
        table = self.query_one("#compare-table", DataTable)
        for name in COLUMNS:
            table.add_column(name, key=name)
        for monitor in self.monitors:
            monitor.poll(FIRST_CHUNK_BYTES)
        self._show()
        self._start_catch_up()
        self.set_interval(self.interval, self._tick)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Offers `escape` only when there is a screen to go back to."""
        return self.can_go_back if action == "back" else True

    def action_back(self) -> None:
        """Returns to the screen below."""
        self.dismiss()

    def _tick(self) -> None:
        changed = [monitor.poll() for monitor in self.monitors]
        if any(changed):
            self._show()
        self._start_catch_up()

    def _start_catch_up(self) -> None:
        """Reads the next chunk after the next paint while a file is ahead of us."""
        if any(monitor.loading for monitor in self.monitors) and not self._catching_up:
            self._catching_up = True
            self.call_after_refresh(self._catch_up)

    def _catch_up(self) -> None:
        self._catching_up = False
        self._tick()

    def _show(self) -> None:
        states = [monitor.state for monitor in self.monitors]
        now = self.clock()
        title = f"compare: {self.labels[0]}  vs  {self.labels[1]}"
        loading = [monitor.progress for monitor in self.monitors if monitor.loading]
        if loading:
            title += f"  · reading {min(loading):.0%}"
        self.query_one("#compare-title", Label).update(title)
        table = self.query_one("#compare-table", DataTable)
        table.clear()
        for label, state in zip(self.labels, states):
            table.add_row(*_cells(label, state, now))
        pairs = list(zip(self.labels, states))
        self.query_one("#compare-loss", MetricPlot).show([_curve(label, s, "loss") for label, s in pairs])
        self.query_one("#compare-accuracy", MetricPlot).show([_curve(label, s, "accuracy") for label, s in pairs])
        self.query_one("#compare-val", MetricPlot).show([_curve(label, s, "val_accuracy") for label, s in pairs])
        self.query_one("#compare-ensemble", MetricPlot).show([_ensemble(label, s) for label, s in pairs])


def run_labels(run_a: Path, run_b: Path) -> tuple[str, str]:
    """Legend labels for two runs: their folder names, with the parent's when they are equal.

    Args:
        run_a: The first run directory.
        run_b: The second run directory.

    Returns:
        Two labels of at most `LABEL_WIDTH` characters (cut from the left).

    Example:

    ```python
    run_labels(Path("a/edst"), Path("b/edst"))  # ("a/edst", "b/edst")
    ```
    """
    names = [run_a.resolve().name, run_b.resolve().name]
    if names[0] == names[1]:
        names = [f"{run.resolve().parent.name}/{run.resolve().name}" for run in (run_a, run_b)]
    clipped = [n if len(n) <= LABEL_WIDTH else "…" + n[-(LABEL_WIDTH - 1):] for n in names]
    return clipped[0], clipped[1]


def _cells(label: str, state: RunState, now: float) -> tuple[str, ...]:
    info = state.info
    epochs = f"{state.global_epoch}/{info.total_epochs}" if info.total_epochs else fmt.DASH
    return (
        escape(label),
        escape(info.protocol) or fmt.DASH,
        fmt.number(state.density, 3),
        epochs,
        state.status(now),
        fmt.number(state.best_accuracy, 4),
    )


def _curve(label: str, state: RunState, metric: str) -> Series:
    points = [(p.global_epoch, getattr(p, metric)) for p in state.history]
    kept = [(float(x), y) for x, y in points if y is not None and abs(y) <= PLOT_LIMIT]  # NaN fails too
    return (label, [x for x, _ in kept], [y for _, y in kept])


def _ensemble(label: str, state: RunState) -> Series:
    """Test accuracy by ensemble size: the run's own evaluations, or `ftk eval`'s when it has none."""
    rows = [row for row in state.ensemble.values() if row.accuracy is not None and abs(row.accuracy) <= PLOT_LIMIT]
    own = [row for row in rows if row.source == "run"] or rows
    by_size = {row.members: row.accuracy for row in own}
    sizes = sorted(by_size)
    return (label, [float(m) for m in sizes], [by_size[m] for m in sizes])
