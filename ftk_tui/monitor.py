"""A run directory being watched: a `RunEventReader` feeding a `RunState`."""

from __future__ import annotations

from pathlib import Path

from ftk_tui.events import paused_gc
from ftk_tui.run_events import EVENTS_FILE, RunEventReader
from ftk_tui.state import RunState

__all__ = ["EVENTS_FILE", "CHUNK_BYTES", "RunMonitor"]
CHUNK_BYTES = 16 * 1024 * 1024


class RunMonitor:
    """Keeps a `RunState` up to date with a run directory's `events.jsonl`.

    A run whose members were trained on their own (`ftk run --member`) also has
    `members/member_<i>/events.jsonl`: they are merged by time (`RunEventReader`).

    A poll reads at most `chunk_bytes`, so a screen can paint a long run while it
    is still being read; `loading` says whether more is waiting.

    Args:
        run_dir: The run directory.
        stale_after: Seconds without events after which a running run is `stale`.
            Defaults to `300.0`.
        chunk_bytes: The most bytes one poll reads, or `None` for no limit.
            Defaults to 16 MiB.

    Example:

    ```python
    monitor = RunMonitor(Path("runs/edst"))
    if monitor.poll():
        print(monitor.state.phase_label)
    ```
    """

    def __init__(
        self, run_dir: Path | str, stale_after: float = 300.0, chunk_bytes: int | None = CHUNK_BYTES
    ) -> None:
        self.run_dir = Path(run_dir)
        self.stale_after = stale_after
        self.reader = RunEventReader(self.run_dir, max_bytes=chunk_bytes)
        self.state = RunState(stale_after=stale_after)
        self.loading = False

    @property
    def progress(self) -> float:
        """The fraction of the file read so far (1.0 when caught up)."""
        size = self.reader.size
        return 1.0 if not self.loading or size <= 0 else min(self.reader.offset / size, 1.0)

    def poll(self, max_bytes: int | None = None) -> bool:
        """Folds newly written events into `state`.

        Args:
            max_bytes: The most bytes to read this time. Defaults to `chunk_bytes`.

        Returns:
            True when the state changed (new events, a reset, the file
            appearing, disappearing or gaining malformed lines, or the run's
            trainer processes found gone: see `RunState.check_trainers`).
        """
        with paused_gc():  # see `paused_gc`: the decoded events die before it ends
            result = self.reader.poll(max_bytes)
            self.loading = result.more
            if result.reset:
                self.state = RunState(stale_after=self.stale_after)
            state = self.state
            was_gone = state.trainers_gone
            changed = result.reset or state.exists != result.exists or bool(result.malformed)
            state.exists = result.exists
            state.malformed = self.reader.malformed
            for event in result.events:
                state.apply(event)
            new_events = bool(result.events)
            trainers = self.reader.trainers
            if trainers is not None and (new_events or result.reset):
                state.trainers = dict(trainers)
            del result
        if state.check_trainers() != was_gone:
            changed = True
            state.bump("info")
        if changed and not new_events:
            state.bump("info")
        return changed or new_events

    def catch_up(self) -> bool:
        """Polls until the whole file is read.

        Returns:
            True when the state changed.
        """
        changed = self.poll()
        while self.loading:
            changed = self.poll() or changed
        return changed

    def reload(self, max_bytes: int | None = None) -> None:
        """Forgets everything and reads the file again from the start.

        Args:
            max_bytes: The most bytes to read now. Defaults to `chunk_bytes`.
        """
        self.reader.reset()
        self.state = RunState(stale_after=self.stale_after)
        self.poll(max_bytes)
