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
    ("arrows", "scroll in the pane; move in the run list"),
    ("pageup / pagedown", "scroll a page in the pane"),
    ("home / end", "scroll to the top / bottom of the pane"),
    ("z", "maximise the pane, or restore it"),
    ("escape", "restore the pane; else back to the run list"),
    ("[ / ]", "previous / next layer in the layer plots"),
    ("v", "the run's recipe (run view)"),
    ("enter", "open the selected run (run list)"),
    ("space / c", "mark runs / compare two marked (run list)"),
    ("r", "reload: read the events again"),
    ("?", "show or close this help"),
)

NOTES: tuple[str, ...] = (
    "density: active / all weights of the prunable (masked) layers",
    "phases: named as the run's protocol names them",
    "stale: no event for a while, or the trainer's process is gone",
)
"""What the screens' words mean, shown under the keys."""


class HelpScreen(ModalScreen[None]):
    """Lists the keys; `escape` or `?` closes it."""

    BINDINGS = [
        Binding("escape", "dismiss", "Close"),
        Binding("question_mark", "dismiss", "Close", show=False),
    ]

    def compose(self) -> ComposeResult:
        width = max(len(key) for key, _ in KEYS)
        lines = "\n".join([*(f"{key:<{width}}  {action}" for key, action in KEYS), "", *NOTES])
        with Vertical(id="help-box") as box:
            box.border_title = "ftk-tui keys"
            yield Static(lines, id="help-keys", markup=False)

