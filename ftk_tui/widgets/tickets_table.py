"""The tickets table: one row per saved ensemble member."""

from __future__ import annotations

from collections.abc import Iterator

from ftk_tui import format as fmt
from ftk_tui.state import RunState
from ftk_tui.widgets.state_table import StateTable


class TicketsTable(StateTable):
    """Index, member run, epoch, validation and test accuracy of each ticket."""

    PART = "tickets"
    COLUMNS = ("ticket", "member", "epoch", "val acc", "test acc", "density")

    def state_rows(self, state: RunState) -> Iterator[tuple[str, ...]]:
        """One row per ticket, by index."""
        for index in sorted(state.tickets):
            ticket = state.tickets[index]
            yield (
                f"#{ticket.index}",
                str(ticket.member),
                str(ticket.epoch),
                fmt.number(ticket.val_accuracy, 4),
                fmt.number(ticket.test_accuracy, 4),
                fmt.number(ticket.density, 2),
            )
