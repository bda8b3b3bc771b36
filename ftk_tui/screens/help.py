"""The help screen: the keys of the monitor."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

KEYS: tuple[tuple[str, str], ...] = (
    ("q", "quit"),
    ("tab / shift+tab", "next / previous pane"),
    ("arrows", "next / previous pane (run view), move the cursor (run list)"),
    ("enter", "open the selected run (run list)"),
    ("r", "reload: read the events again from the start"),
    ("escape", "back to the run list, when one was shown"),
    ("?", "show or close this help"),
)


class HelpScreen(ModalScreen[None]):
    """Lists the keys; `escape` or `?` closes it."""

    BINDINGS = [
        Binding("escape", "dismiss", "Close"),
        Binding("question_mark", "dismiss", "Close", show=False),
    ]

    def compose(self) -> ComposeResult:
        width = max(len(key) for key, _ in KEYS)
        lines = "\n".join(f"{key:<{width}}  {action}" for key, action in KEYS)
        with Vertical(id="help-box") as box:
            box.border_title = "ftk-tui keys"
            yield Static(lines, id="help-keys", markup=False)

