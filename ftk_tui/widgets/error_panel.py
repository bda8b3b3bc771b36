"""A plain panel with the error of a failed run."""

from __future__ import annotations

from textual.widgets import Static

from ftk_tui.state import RunState
from ftk_tui.widgets.run_part import RunPart


class ErrorPanel(RunPart, Static):
    """Shows `run_end.error` prominently when a run failed or was interrupted.

    The panel is hidden (by `app.tcss`) unless it has the class `-failed` or
    `-interrupted`. The error is shown as written, markup and all.
    """

    def __init__(self, id: str | None = None) -> None:
        super().__init__(markup=False, id=id)

    def watch_state(self, state: RunState | None) -> None:
        """Shows or hides the panel and sets its text."""
        status = state.end_status if state is not None else None
        self.set_class(status == "failed", "-failed")
        self.set_class(status == "interrupted", "-interrupted")
        if state is None or status not in ("failed", "interrupted"):
            self.update("")
            return
        title = "Run failed" if status == "failed" else "Run interrupted"
        error = state.error or "(no error message)"
        self.update(f"{title}\n\n{error}")
