"""The trainer process a `run_start` names, and whether it still runs on this machine."""

from __future__ import annotations

import os
from typing import Any, NamedTuple

from ftk_tui.records import as_str, as_whole


class Trainer(NamedTuple):
    """The process that trains a run (or one member of it), as its `run_start` says.

    Attributes:
        host: its machine (`socket.gethostname()`).
        pid: its process id.
        start: its start in clock ticks after boot (`/proc/<pid>/stat`), or
            `None` when the trainer did not record it.
    """

    host: str
    pid: int
    start: int | None = None

    @classmethod
    def from_event(cls, event: dict[str, Any]) -> Trainer | None:
        """The trainer of a `run_start` event, or `None` when it names no host and pid."""
        host, pid = as_str(event.get("host")), as_whole(event.get("pid"))
        if not host or pid is None:
            return None
        return cls(host, pid, as_whole(event.get("pid_start")))

    def alive(self) -> bool:
        """Whether the process exists on this machine and is the one that started the run."""
        return process_alive(self.pid, self.start)


def process_alive(pid: int, start: int | None = None) -> bool:
    """Whether process `pid` of this machine exists (a process of another user counts).

    Args:
        pid: the process id.
        start: the process's start (see `process_start`). When given, a live
            process with another start is a new process that reuses the pid,
            and counts as gone. Defaults to `None`: not checked.
    """
    if pid <= 0:
        return True  # 0 and negative pids name process groups: nothing to tell
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, OSError):
        return True
    if start is not None:
        now = process_start(pid)
        return now is None or now == start
    return True


def process_start(pid: int) -> int | None:
    """Field 22 (`starttime`) of `/proc/<pid>/stat`, or `None` where it cannot be read.

    The same reading as ftk's `ftk.run_dir.process_start` (the TUI imports no ftk).
    """
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:
            text = stat.read()
        # The command name (field 2) is in parentheses and may hold spaces or ')'.
        return int(text[text.rindex(b")") + 2:].split()[19])
    except (OSError, ValueError, IndexError):
        return None
