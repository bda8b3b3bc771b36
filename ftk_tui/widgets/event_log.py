"""The event log pane: the last events of the run, one per line."""

from __future__ import annotations

from textual.widgets import Log

from ftk_tui.state import LOG_LINES, RunState
from ftk_tui.widgets.run_part import RunPart


class EventLog(RunPart, Log, can_focus=False):
    """Follows the run's events, appending only those it has not shown yet."""

    def __init__(self, id: str | None = None) -> None:
        super().__init__(max_lines=LOG_LINES, id=id)
        self._shown: tuple[int, int] = (-1, 0)

    def watch_state(self, state: RunState | None) -> None:
        """Appends the events written since the last update."""
        if state is None:
            return
        serial, shown = self._shown
        if serial != state.serial:
            self.clear()
            shown = 0
        new = min(state.events - shown, len(state.log))
        if new > 0:
            self.write_lines(state.log_lines()[-new:])
            self.call_after_refresh(self.scroll_end, animate=False, x_axis=False)
        self._shown = (state.serial, state.events)
