"""Incremental reading of a run's `events.jsonl` (docs/run_directory.md)."""

from __future__ import annotations

import gc
import json
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import orjson

EVENT_TYPES: frozenset[str] = frozenset(
    {
        "run_start",
        "phase_start",
        "epoch_end",
        "topology_update",
        "ticket_saved",
        "ensemble_eval",
        "checkpoint",
        "run_end",
    }
)
"""The event types of schema 1. Others are skipped without a warning."""

Event = dict[str, Any]
"""One decoded event: a JSON object with at least a string `type`."""

Handler = TypeVar("Handler", bound=Callable[..., Any])


def by_event_type(*handlers: Handler) -> dict[str, Handler]:
    """Maps event types to the functions named after them.

    A module that treats each type of event its own way names a function after
    each type and looks them up by the event's `type`:

    ```python
    _HANDLERS = by_event_type(_run_start, _run_end)
    handler = _HANDLERS.get(event["type"])
    ```

    Args:
        *handlers: Functions named after types in `EVENT_TYPES`, with or without
            a leading underscore (`_run_start` for `run_start`).

    Returns:
        The functions by event type.

    Raises:
        ValueError: When a function's name is not that of an event type.
    """
    table = {handler.__name__.lstrip("_"): handler for handler in handlers}
    unknown = sorted(table.keys() - EVENT_TYPES)
    if unknown:
        raise ValueError(f"Not event types: {unknown}")
    return table


@dataclass
class Poll:
    """What one `EventReader.poll()` found.

    Args:
        events: New complete events of known types, in file order.
        reset: True when the file was truncated, replaced or removed since the last
            poll: `events` then restart from the beginning of the file and whatever
            was folded from earlier events must be dropped.
        exists: Whether the file exists.
        malformed: Lines in this poll that were not a JSON object with a `type`.
        more: True when the file holds more bytes than this poll read (see
            `EventReader.max_bytes`): poll again soon to catch up.
    """

    events: list[Event] = field(default_factory=list)
    reset: bool = False
    exists: bool = True
    malformed: int = 0
    more: bool = False


class EventReader:
    """Tails an `events.jsonl` file by byte offset.

    Each `poll()` reads only the bytes written since the previous one and returns
    the complete lines among them; a partial last line is kept and finished by a
    later poll. When the file shrinks, gets a new inode or device, or its first
    bytes change, the reader starts again from the beginning and says so with
    `Poll.reset`. A missing file is a state (`Poll.exists` is False), not an error,
    and bad lines are counted in `malformed`: `poll()` does not raise.

    Args:
        path: The `events.jsonl` file.
        max_bytes: The most bytes to read in one poll, or `None` for all that is
            there. Defaults to `None`.

    Example:

    ```python
    reader = EventReader(Path("runs/edst/events.jsonl"))
    for event in reader.poll().events:
        print(event["type"])
    ```
    """

    HEAD_BYTES = 256
    MAX_LINE_BYTES = 16 * 1024 * 1024

    def __init__(self, path: Path | str, max_bytes: int | None = None) -> None:
        self.path = Path(path)
        self.max_bytes = max_bytes
        self.malformed = 0
        self.exists = False
        self.size = 0
        self._restart()

    @property
    def offset(self) -> int:
        """Bytes consumed so far, including a kept partial line."""
        return self._offset

    def reset(self) -> None:
        """Forgets everything read so that the next poll starts from the beginning."""
        self.malformed = 0
        self._restart()

    def poll(self, max_bytes: int | None = None) -> Poll:
        """Reads what was appended since the last poll.

        Args:
            max_bytes: The most bytes to read this time. Defaults to
                `self.max_bytes`.

        Returns:
            A `Poll` with the new complete events and whether the reader restarted.
        """
        try:
            with open(self.path, "rb") as file:
                return self._read(file, self.max_bytes if max_bytes is None else max_bytes)
        except OSError:
            had_data = self._offset > 0
            self.exists = False
            if had_data:
                self.reset()
            return Poll(reset=had_data, exists=False)

    def _restart(self) -> None:
        self._offset = 0
        self._partial = b""
        self._skipping = False
        self._head = b""
        self._identity: tuple[int, int] | None = None

    def _read(self, file: Any, max_bytes: int | None) -> Poll:
        stat = os.fstat(file.fileno())
        identity = (stat.st_dev, stat.st_ino)
        reset = self._offset > 0 and self._changed(file, stat.st_size, identity)
        if reset:
            self.reset()
        self.exists = True
        self._identity = identity
        file.seek(self._offset)
        data = file.read(-1 if max_bytes is None else max_bytes)
        if len(self._head) < self.HEAD_BYTES:
            self._head = (self._head + data)[: self.HEAD_BYTES]
        self._offset += len(data)
        events, malformed = self._split(data)
        self.malformed += malformed
        self.size = stat.st_size
        return Poll(events=events, reset=reset, malformed=malformed, more=stat.st_size > self._offset)

    def _changed(self, file: Any, size: int, identity: tuple[int, int]) -> bool:
        if size < self._offset or identity != self._identity:
            return True
        file.seek(0)
        return file.read(len(self._head)) != self._head

    def _split(self, data: bytes) -> tuple[list[Event], int]:
        if self._skipping:
            end = data.find(b"\n")
            if end < 0:
                return [], 0
            data, self._skipping = data[end + 1 :], False
        lines = (self._partial + data).split(b"\n")
        self._partial = lines.pop()
        malformed = 0
        if len(self._partial) > self.MAX_LINE_BYTES:
            self._partial, self._skipping = b"", True
            malformed += 1
        with paused_gc():
            events, bad = decode_lines(lines)
        return events, malformed + bad


@contextmanager
def paused_gc() -> Iterator[None]:
    """Pauses the cyclic garbage collector while building many acyclic objects.

    Decoding events creates millions of small dicts and lists without cycles; with
    the collector on, its repeated full passes over them make loading a long run
    several times slower.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def decode_lines(lines: list[bytes]) -> tuple[list[Event], int]:
    """Decodes complete lines into events of known types.

    Args:
        lines: Lines without their newline. Blank lines are skipped.

    Returns:
        The events of known types, and how many lines were malformed (not UTF-8
        JSON, not an object, or without a string `type`). A malformed line that
        ends with a whole event glued onto a cut one (see `_glued_event`) still
        gives that event.
    """
    events: list[Event] = []
    malformed = 0
    for line in lines:
        event = _decode(line)
        if event is None:
            malformed += 1
            event = _glued_event(line)
        if event is not None and event is not _BLANK and event["type"] in EVENT_TYPES:
            events.append(event)
    return events, malformed


_BLANK: Event = {"type": ""}
_EVENT_START = '{"schema"'
"""How every event the trainer writes begins."""
_DECODER = json.JSONDecoder()


def _glued_event(line: bytes) -> Event | None:
    """The whole event at the end of a malformed line, if there is one.

    A trainer killed while writing an event leaves a cut line without its
    newline, and the next event written (by the resumed run) continues that
    line. The cut part stays malformed; the event after it is found where an
    object that begins like every event (`{"schema"`) runs to the end of the line.
    """
    text = line.decode("utf-8", errors="replace").rstrip()
    start = text.find(_EVENT_START, 1)
    while start > 0:
        try:
            event, end = _DECODER.raw_decode(text, start)
        except (ValueError, RecursionError):
            pass
        else:
            if end == len(text) and isinstance(event, dict) and isinstance(event.get("type"), str):
                return event
        start = text.find(_EVENT_START, start + 1)
    return None


def _decode(line: bytes) -> Event | None:
    """Decodes one line: the event, `_BLANK` for a blank line, `None` if malformed.

    `orjson` decodes the lines the trainer writes; what it refuses and Python's
    `json` reads (`NaN`, `Infinity`, `1e400`, integers beyond 64 bits, lone
    surrogates) is decoded by `json`, so both read the same events.
    """
    try:
        event = orjson.loads(line)
    except orjson.JSONDecodeError:
        try:
            event = json.loads(line)  # bytes: decoded as UTF-8, invalid bytes raise
        except (ValueError, RecursionError):
            return _BLANK if not line or line.isspace() else None
    if not isinstance(event, dict) or not isinstance(event.get("type"), str):
        return None
    return event
