"""A focusable, titled box holding one part of the run view."""

from __future__ import annotations

from textual.containers import Vertical
from textual.widget import Widget


class Pane(Vertical, can_focus=True):
    """A titled box that takes focus, so keys can move between the view's parts.

    Args:
        *children: The widgets inside the pane.
        title: The title drawn on the pane's border.
        id: The id of the pane in the DOM.
    """

    def __init__(self, *children: Widget, title: str, id: str | None = None) -> None:
        super().__init__(*children, id=id)
        self.border_title = title
