"""The base of every widget that shows part of a run."""

from __future__ import annotations

from typing import ClassVar

from textual.reactive import reactive

from ftk_tui.state import RunState


class RunPart:
    """Mixin for a widget that shows part of a run.

    It gives the widget the CSS class `run-part`, by which the run view finds it,
    and a `state` attribute, which the view sets whenever the run changed; the
    widget only reads it. List it before the Textual base class:

    ```python
    class TopologyTimeline(RunPart, Vertical):
        def watch_state(self, state: RunState | None) -> None:
            if state is not None and self._part_changed(state, "topology"):
                ...
    ```
    """

    DEFAULT_CLASSES: ClassVar[str] = "run-part"

    state: reactive[RunState | None] = reactive(None, always_update=True)

    _shown_version: tuple[int, int] | None = None

    def _part_changed(self, state: RunState, part: str) -> bool:
        """Whether `part` of `state` changed since the widget last drew it.

        Args:
            state: The run's state.
            part: The part of the state the widget draws (see `RunState.version`).

        Returns:
            True when it changed; the widget is then taken to draw it, and the
            next call with the same version returns False.
        """
        version = state.version(part)
        if version == self._shown_version:
            return False
        self._shown_version = version
        return True
