"""The tickets table: one row per saved ensemble member."""

from __future__ import annotations

from textual.reactive import reactive
from textual.widgets import DataTable

from ftk_tui import format as fmt
from ftk_tui.state import RunState


class TicketsTable(DataTable[str], can_focus=False):
    """Index, member run, epoch, validation and test accuracy of each ticket."""

    DEFAULT_CLASSES = "run-part"

    state: reactive[RunState | None] = reactive(None, always_update=True)

    def __init__(self, id: str | None = None) -> None:
        super().__init__(id=id, show_cursor=False, zebra_stripes=True)
        self._shown: tuple[int, int] | None = None

    def on_mount(self) -> None:
        """Adds the columns."""
        self.add_columns("ticket", "member", "epoch", "val acc", "test acc", "density")

    def watch_state(self, state: RunState | None) -> None:
        """Rebuilds the rows when a ticket was saved."""
        if state is None or self._shown == state.version("tickets"):
            return
        self._shown = state.version("tickets")
        self.clear()
        for index in sorted(state.tickets):
            ticket = state.tickets[index]
            self.add_row(
                f"#{ticket.index}",
                str(ticket.member),
                str(ticket.epoch),
                fmt.number(ticket.val_accuracy, 4),
                fmt.number(ticket.test_accuracy, 4),
                fmt.number(ticket.density, 2),
            )
