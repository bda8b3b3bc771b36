"""The run list: every run under a folder, refreshed live."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from rich.markup import escape
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import DataTable, Footer, Label

from ftk_tui import format as fmt
from ftk_tui.runs import RunSummarizer, RunSummary, discover_runs

COLUMNS = ("run", "protocol", "model", "density", "status", "progress", "best ens. acc")


class RunListScreen(Screen[None]):
    """Lists the run directories under a folder; `enter` opens one.

    Args:
        folder: The folder holding run directories.
        interval: Seconds between refreshes.
        clock: Returns the current unix time; tests inject a fixed one.
        stale_after: Seconds without events after which a run is `stale`.
    """

    BINDINGS = [Binding("r", "reload", "Reload")]

    class RunSelected(Message):
        """Posted when the user opens a run."""

        def __init__(self, run_dir: Path) -> None:
            super().__init__()
            self.run_dir = run_dir

    def __init__(self, folder: Path, interval: float, clock: Callable[[], float], stale_after: float) -> None:
        super().__init__()
        self.folder = folder
        self.interval = interval
        self.clock = clock
        self.summarizer = RunSummarizer(stale_after=stale_after)
        self._timer: Timer | None = None

    def compose(self) -> ComposeResult:
        yield Label(f"runs in {self.folder.name or self.folder}/", id="runs-title", markup=False)
        yield DataTable(id="runs", cursor_type="row", zebra_stripes=True)
        yield Label("", id="runs-empty", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        """Adds the columns, fills the table and starts refreshing it."""
        table = self.query_one("#runs", DataTable)
        for name in COLUMNS:
            table.add_column(name, key=name)
        self.refresh_runs()
        self._timer = self.set_interval(self.interval, self.refresh_runs)

    def on_screen_suspend(self) -> None:
        """Stops refreshing while a run is open."""
        if self._timer is not None:
            self._timer.pause()

    def on_screen_resume(self) -> None:
        """Refreshes at once and resumes refreshing."""
        if self._timer is not None:
            self.refresh_runs()
            self._timer.resume()

    def action_reload(self) -> None:
        """Summarises every run again from its files."""
        self.summarizer = RunSummarizer(stale_after=self.summarizer.stale_after)
        self.refresh_runs()

    def refresh_runs(self) -> None:
        """Updates the table from the run directories on disk."""
        now = self.clock()
        rows = {str(path): _cells(self.summarizer.summarize(path, now)) for path in discover_runs(self.folder)}
        table = self.query_one("#runs", DataTable)
        if list(rows) == [key.value for key in table.rows]:
            for key, cells in rows.items():
                for column, cell in zip(COLUMNS, cells):
                    table.update_cell(key, column, cell)
        else:
            table.clear()
            for key, cells in rows.items():
                table.add_row(*cells, key=key)
        empty = "" if rows else f"no run directories under {self.folder}"
        self.query_one("#runs-empty", Label).update(empty)
        self.set_class(not rows, "-empty")

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        """Asks the app to open the selected run."""
        event.stop()
        if event.row_key.value is not None:
            self.post_message(self.RunSelected(Path(event.row_key.value)))


def _cells(summary: RunSummary) -> tuple[str, ...]:
    progress = f"{summary.global_epoch}/{summary.total_epochs}" if summary.total_epochs else fmt.DASH
    return (
        escape(summary.name),
        escape(summary.protocol) or fmt.DASH,
        escape(summary.model) or fmt.DASH,
        fmt.number(summary.density, 2),
        summary.status,
        progress,
        fmt.number(summary.best_accuracy, 4),
    )
