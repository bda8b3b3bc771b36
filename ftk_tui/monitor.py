"""A run directory being watched: an `EventReader` feeding a `RunState`."""

from __future__ import annotations

from pathlib import Path

from ftk_tui.events import EventReader
from ftk_tui.state import RunState

EVENTS_FILE = "events.jsonl"


class RunMonitor:
    """Keeps a `RunState` up to date with a run directory's `events.jsonl`.

    Args:
        run_dir: The run directory.
        stale_after: Seconds without events after which a running run is `stale`.
            Defaults to `300.0`.

    Example:

    ```python
    monitor = RunMonitor(Path("runs/edst"))
    if monitor.poll():
        print(monitor.state.phase_label)
    ```
    """

    def __init__(self, run_dir: Path | str, stale_after: float = 300.0) -> None:
        self.run_dir = Path(run_dir)
        self.stale_after = stale_after
        self.reader = EventReader(self.run_dir / EVENTS_FILE)
        self.state = RunState(stale_after=stale_after)

    def poll(self) -> bool:
        """Folds newly written events into `state`.

        Returns:
            True when the state changed (new events, a reset, or the file
            appearing, disappearing or gaining malformed lines).
        """
        result = self.reader.poll()
        if result.reset:
            self.state = RunState(stale_after=self.stale_after)
        state = self.state
        changed = result.reset or state.exists != result.exists or bool(result.malformed)
        state.exists = result.exists
        state.malformed = self.reader.malformed
        for event in result.events:
            state.apply(event)
        if changed and not result.events:
            state.bump("info")
        return changed or bool(result.events)

    def reload(self) -> None:
        """Forgets everything and reads the file again from the start."""
        self.reader.reset()
        self.state = RunState(stale_after=self.stale_after)
        self.poll()
