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

MARK = "● "
"""Starts the name of a run marked for comparison."""
COLUMNS = ("run", "protocol", "model", "density", "status", "progress", "best acc")
DROP_ORDER = ("model", "density", "protocol")
"""Columns left out, in this order, while the table would be wider than the screen."""


class RunListScreen(Screen[None]):
    """Lists the run directories under a folder; `enter` opens one.

    Columns that do not fit the screen's width are left out whole (`DROP_ORDER`)
    rather than cut: the run, its status, progress and best ensemble accuracy stay.

    Args:
        folder: The folder holding run directories.
        interval: Seconds between refreshes.
        clock: Returns the current unix time; tests inject a fixed one.
        stale_after: Seconds without events after which a run is `stale`.
    """

    BINDINGS = [
        Binding("r", "reload", "Reload"),
        Binding("space", "mark", "Mark"),
        Binding("c", "compare", "Compare"),
    ]

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
        self.marked: list[str] = []
        """The run directories marked for `c` (compare), at most two."""

    def compose(self) -> ComposeResult:
        yield Label(f"runs in {self.folder.name or self.folder}/", id="runs-title", markup=False)
        yield DataTable(id="runs", cursor_type="row", zebra_stripes=True)
        yield Label("", id="runs-empty", markup=False)
        yield Footer(show_command_palette=False)  # ctrl+p still opens it; the keys need the room

    def on_mount(self) -> None:
        """Fills the table and starts refreshing it."""
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
        shown = fit_columns(list(rows.values()), self.size.width)
        if shown != tuple(str(key.value) for key in table.columns):
            table.clear(columns=True)
            for name in shown:
                table.add_column(name, key=name)
        rows = {key: tuple(cells[COLUMNS.index(name)] for name in shown) for key, cells in rows.items()}
        if list(rows) == [key.value for key in table.rows]:
            for key, cells in rows.items():
                for column, cell in zip(shown, cells):
                    table.update_cell(key, column, cell)
        else:
            table.clear()
            for key, cells in rows.items():
                table.add_row(*cells, key=key)
        empty = "" if rows else f"no run directories under {self.folder}"
        self.query_one("#runs-empty", Label).update(empty)
        self.set_class(not rows, "-empty")
        self._show_marks()

    def on_resize(self) -> None:
        """Shows the columns that fit the new width."""
        if self.is_mounted:
            self.refresh_runs()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        """Asks the app to open the selected run."""
        event.stop()
        if event.row_key.value is not None:
            self.post_message(self.RunSelected(Path(event.row_key.value)))

    class CompareSelected(Message):
        """Posted when the user asks to compare two runs."""

        def __init__(self, run_a: Path, run_b: Path) -> None:
            super().__init__()
            self.run_a = run_a
            self.run_b = run_b

    def action_mark(self) -> None:
        """Marks the run under the cursor for `c` (compare), or unmarks it."""
        key = self._cursor_key()
        if key is None:
            return
        if key in self.marked:
            self.marked.remove(key)
        else:
            self.marked = [*self.marked[-1:], key]  # the two latest marks
        self._show_marks()

    def action_compare(self) -> None:
        """Compares the two marked runs, or the marked run and the one under the cursor."""
        marked = [key for key in self.marked if key in self._row_keys()]
        cursor = self._cursor_key()
        if len(marked) == 1 and cursor is not None and cursor != marked[0]:
            marked.append(cursor)
        if len(marked) != 2:
            self.notify("Mark two runs with space (or one, then move the cursor to the other) and press c.")
            return
        self.post_message(self.CompareSelected(Path(marked[0]), Path(marked[1])))

    def _row_keys(self) -> list[str]:
        return [str(key.value) for key in self.query_one("#runs", DataTable).rows]

    def _cursor_key(self) -> str | None:
        table = self.query_one("#runs", DataTable)
        if not table.row_count:
            return None
        return str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)

    def _show_marks(self) -> None:
        """Starts the name of each marked run with `MARK` (and of no other run)."""
        table = self.query_one("#runs", DataTable)
        if not table.columns:
            return
        column = next(iter(table.columns))
        for key in self._row_keys():
            cell = str(table.get_cell(key, column))
            name = cell.removeprefix(MARK)
            table.update_cell(key, column, MARK + name if key in self.marked else name)


def fit_columns(rows: list[tuple[str, ...]], width: int) -> tuple[str, ...]:
    """The columns of `COLUMNS` to show so that `rows` fit in `width` cells.

    Args:
        rows: The cells of every row, one per column of `COLUMNS`.
        width: The width of the screen; 0 (not laid out yet) keeps every column.

    Returns:
        The column names, in order, without those of `DROP_ORDER` that had to go.
    """
    need = {
        name: max(len(name), *(len(row[i]) for row in rows), 0) + 2  # 2: the padding of each cell
        for i, name in enumerate(COLUMNS)
    }
    need["run"] += len("● ")  # a run marked for comparison
    shown = list(COLUMNS)
    room = width - 2  # a vertical scrollbar
    for name in DROP_ORDER:
        if width <= 0 or sum(need[c] for c in shown) <= room:
            break
        shown.remove(name)
    return tuple(shown)


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
