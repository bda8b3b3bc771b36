"""A table of one part of a run, rebuilt whenever that part changed."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import ClassVar

from rich.markup import escape
from textual.widgets import DataTable

from ftk_tui.state import RunState
from ftk_tui.widgets.run_part import RunPart


class StateTable(RunPart, DataTable[str], can_focus=False):
    """A read-only table, without a cursor, of one part of a run.

    Subclasses name the part (`PART`, see `RunState.version`) and the columns
    (`COLUMNS`), and define `state_rows(state)`, which returns the rows (one
    tuple of cell texts each, in order); a subclass without it is refused when
    it is defined. The rows are rebuilt only when that part of the state changed.
    Cells are plain text: markup in them (a layer named `[/]`) is shown as written.

    Args:
        id: The id of the widget in the DOM.
    """

    PART: ClassVar[str]
    """The part of `RunState` the table shows."""

    COLUMNS: ClassVar[tuple[str, ...]]
    """The labels of the columns."""

    def __init_subclass__(cls, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        if not callable(getattr(cls, "state_rows", None)):
            raise TypeError(f"{cls.__name__} must define `state_rows(self, state)`.")

    state_rows: ClassVar[Callable[[StateTable, RunState], Iterable[tuple[str, ...]]]]

    def __init__(self, id: str | None = None) -> None:
        super().__init__(id=id, show_cursor=False, zebra_stripes=True)
        self.shown_columns: tuple[str, ...] = self.COLUMNS
        """The columns shown: `COLUMNS`, or fewer when `state_rows` leaves some out
        (it sets this, and gives rows of as many cells)."""

    def on_mount(self) -> None:
        """Adds the columns."""
        self.add_columns(*self.shown_columns)

    def watch_state(self, state: RunState | None) -> None:
        """Rebuilds the rows when the table's part of the state changed."""
        if state is None or not self._part_changed(state, self.PART):
            return
        rows = [tuple(map(escape, row)) for row in self.state_rows(state)]
        self.clear(columns=True)  # columns too: their widths follow the new rows
        self.add_columns(*self.shown_columns)
        self.add_rows(rows)
