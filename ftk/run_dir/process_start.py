"""`process_start`: when a process started, so that a reused pid is not taken for it."""

from __future__ import annotations

import os


def process_start(pid: int | None = None) -> int | None:
    """The start of process `pid` in clock ticks after boot (Linux), or `None` elsewhere.

    `run_start` events record it next to `pid`: a reader that finds a live
    process with that pid but another start knows the trainer is gone and
    its pid was reused. It is the kernel's own count, so it compares exactly.

    Args:
        pid: the process. Defaults to this one.

    Returns:
        Field 22 (`starttime`) of `/proc/<pid>/stat`, or `None` where it cannot be read.

    Example:

    >>> process_start() == process_start(os.getpid())
    True
    """
    try:
        with open(f"/proc/{os.getpid() if pid is None else pid}/stat", "rb") as stat:
            text = stat.read()
        # The command name (field 2) is in parentheses and may hold spaces or ')'.
        return int(text[text.rindex(b")") + 2:].split()[19])
    except (OSError, ValueError, IndexError):
        return None
