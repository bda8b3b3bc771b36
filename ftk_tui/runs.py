"""Finding run directories and summarising each one cheaply for the run list."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from ftk_tui.events import Event, decode_lines
from ftk_tui.monitor import EVENTS_FILE
from ftk_tui.run_events import RUN, MemberMerge, event_files, merge
from ftk_tui.state import RunState, Status, fold

RECIPE_FILE = "recipe.yaml"


def is_run_dir(path: Path) -> bool:
    """Whether `path` is a run directory (holds `events.jsonl` or `recipe.yaml`)."""
    return (path / EVENTS_FILE).is_file() or (path / RECIPE_FILE).is_file()


def discover_runs(folder: Path) -> list[Path]:
    """The run directories directly under `folder`, sorted by name.

    Args:
        folder: The folder to look in; a missing folder has no runs.

    Returns:
        The run directories.
    """
    try:
        children = sorted(p for p in folder.iterdir() if p.is_dir())
    except OSError:
        return []
    return [p for p in children if is_run_dir(p)]


@dataclass(frozen=True)
class RunSummary:
    """One row of the run list."""

    name: str
    path: Path
    protocol: str
    model: str
    density: float | None
    status: Status
    global_epoch: int
    total_epochs: int
    best_accuracy: float | None


class RunSummarizer:
    """Summarises runs from the first line and the tail of their event files.

    A summary reads at most `tail_bytes` plus the first line of a file, and only
    when the file changed since the last call, so a list of large runs stays
    cheap to refresh every second. The best ensemble accuracy is the best seen in
    any tail read so far.

    Args:
        stale_after: Seconds without events after which a run is `stale`.
            Defaults to `300.0`.
        tail_bytes: How much of the end of each file to read. Defaults to 256 KiB.
    """

    def __init__(self, stale_after: float = 300.0, tail_bytes: int = 256 * 1024) -> None:
        self.stale_after = stale_after
        self.tail_bytes = tail_bytes
        self._cache: dict[Path, tuple[tuple, RunState]] = {}

    def summarize(self, run_dir: Path, now: float) -> RunSummary:
        """Summarises one run directory at time `now` (unix seconds).

        A run whose trainer processes on this machine are all gone is `stale` at
        once (see `RunState.check_trainers`).
        """
        state = self._state(run_dir)
        state.check_trainers()
        return RunSummary(
            name=run_dir.name,
            path=run_dir,
            protocol=state.info.protocol,
            model=state.info.model,
            density=state.info.density,
            status=state.status(now),
            global_epoch=state.global_epoch,
            total_epochs=state.info.total_epochs,
            best_accuracy=state.best_accuracy,
        )

    def _state(self, run_dir: Path) -> RunState:
        files = event_files(run_dir)
        if len(files) > 1:
            return self._merged_state(run_dir, files)
        path = run_dir / EVENTS_FILE
        try:
            stat = os.stat(path)
        except OSError:
            self._cache.pop(run_dir, None)
            return RunState(stale_after=self.stale_after, exists=False)
        signature = (stat.st_ino, stat.st_size, stat.st_mtime_ns)
        cached = self._cache.get(run_dir)
        if cached is not None and cached[0] == signature:
            return cached[1]
        state = self._read(path, stat.st_size)
        same_file = cached is not None and cached[0][0] == stat.st_ino and cached[0][1] <= stat.st_size
        if same_file:
            for key, row in cached[1].ensemble.items():  # type: ignore[union-attr]
                state.ensemble.setdefault(key, row)
        self._cache[run_dir] = (signature, state)
        return state

    def _merged_state(self, run_dir: Path, files: dict[int, Path]) -> RunState:
        """The state of a run with member event files (`members/member_<i>/events.jsonl`)."""
        signature, events = [], {}
        for source, path in files.items():
            try:
                stat = os.stat(path)
            except OSError:
                continue
            signature.append((source, stat.st_ino, stat.st_size, stat.st_mtime_ns))
        cached = self._cache.get(run_dir)
        if cached is not None and cached[0] == tuple(signature):
            return cached[1]
        for source, _, size, _ in signature:
            found = self._events(files[source], size)
            if found is not None:
                events[source] = found
        state = RunState(stale_after=self.stale_after, exists=RUN in events or len(events) > 0)
        merger = MemberMerge()
        state = fold(merge(events, merger), state)
        state.trainers = dict(merger.trainers)
        self._cache[run_dir] = (tuple(signature), state)
        return state

    def _events(self, path: Path, size: int) -> list[Event] | None:
        """The events of the first line and the last `tail_bytes` of a file (`None`: unreadable)."""
        start = max(0, size - self.tail_bytes)
        try:
            with open(path, "rb") as file:
                head = file.readline() if start > 0 else b""
                file.seek(start)
                tail = file.read(self.tail_bytes)
        except OSError:
            return None
        if start > 0:
            tail = head + tail[tail.find(b"\n") + 1 :] if b"\n" in tail else head
        events, _ = decode_lines(tail.split(b"\n")[:-1])
        return events

    def _read(self, path: Path, size: int) -> RunState:
        state = RunState(stale_after=self.stale_after)
        events = self._events(path, size)
        if events is None:
            state.exists = False
            return state
        return fold(events, state)
