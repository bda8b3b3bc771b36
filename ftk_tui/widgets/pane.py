"""A focusable, titled box holding one part of the run view."""

from __future__ import annotations

from textual.binding import Binding
from textual.containers import Vertical
from textual.widget import Widget

SCROLLS: dict[str, tuple[str, bool]] = {
    "up": ("scroll_up", True),
    "down": ("scroll_down", True),
    "left": ("scroll_left", False),
    "right": ("scroll_right", False),
    "pageup": ("scroll_page_up", True),
    "pagedown": ("scroll_page_down", True),
    "home": ("scroll_home", True),
    "end": ("scroll_end", True),
}
"""Each key a pane scrolls with: the `Widget` method it calls and whether it is vertical."""


class Pane(Vertical, can_focus=True):
    """A titled box that takes focus; the arrows scroll what is inside it.

    `tab` / `shift+tab` move between panes (Textual's focus chain). While a pane
    has focus, the arrows, `pageup` / `pagedown` and `home` / `end` scroll the
    table or log inside it (the first that can scroll that way); with nothing
    inside to scroll they scroll the view holding the panes. `z` maximises the
    pane to the whole screen and restores it; `escape` restores it too.

    Args:
        *children: The widgets inside the pane.
        title: The title drawn on the pane's border.
        id: The id of the pane in the DOM.
    """

    ALLOW_MAXIMIZE = True
    BINDINGS = [
        Binding("z", "toggle_maximize", "Zoom"),
        *(Binding(key, f"scroll_within('{key}')", show=False) for key in SCROLLS),
    ]

    def __init__(self, *children: Widget, title: str, id: str | None = None) -> None:
        super().__init__(*children, id=id)
        self.border_title = title

    def action_toggle_maximize(self) -> None:
        """Maximises the pane, or restores it when it is maximised."""
        if self.is_maximized:
            self.screen.minimize()
        else:
            self.screen.maximize(self, container=False)

    def action_scroll_within(self, key: str) -> None:
        """Scrolls the pane's content for `key` (see `SCROLLS`)."""
        method, vertical = SCROLLS[key]
        target = self.scroll_target(vertical)
        if target is not None:
            getattr(target, method)(animate=False)

    def scroll_target(self, vertical: bool) -> Widget | None:
        """What the arrows scroll: the first widget inside the pane that can scroll
        that way, else the nearest container of the pane that can, else `None`."""
        for widget in self.query(Widget):
            if _can_scroll(widget, vertical):
                return widget
        for ancestor in self.ancestors:
            if isinstance(ancestor, Widget) and _can_scroll(ancestor, vertical):
                return ancestor
        return None


def _can_scroll(widget: Widget, vertical: bool) -> bool:
    return (widget.max_scroll_y if vertical else widget.max_scroll_x) > 0 and widget.display
