"""A run's events from all its event files: `events.jsonl`, `eval/events.jsonl`
(`ftk eval`'s ensemble evaluations) and, for members trained on their own
(`ftk run --member`, `--parallel`), `members/member_<i>/events.jsonl`.

The files are merged by event time. Each member process writes its own
`run_start` and `run_end`: the merged stream keeps the first `run_start` and
holds the members' `run_end` events back until every member run has ended,
then gives one `run_end` for the run (the worst status; the summary of the
member that ended last). An `ensemble_eval` of a member file without a `member`
gets that of its file, so that two members reporting an ensemble of the same
size at once make two rows. Events of `events.jsonl` itself pass unchanged.
The merge also keeps the trainer process (`host`, `pid` of `run_start`) of
every file whose run has not ended (`MemberMerge.trainers`).
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any

from ftk_tui.events import Event, EventReader, Poll
from ftk_tui.trainer_process import Trainer

EVENTS_FILE = "events.jsonl"
MEMBERS_FOLDER = "members"
_MEMBER = re.compile(r"member_(\d+)")
_WORST = {"failed": 2, "interrupted": 1}

EVAL_FOLDER = "eval"

Source = int
"""Which file an event came from: `RUN`, `EVAL`, else the member index."""
RUN = -1
EVAL = -2


def event_files(run_dir: Path) -> dict[Source, Path]:
    """The event files of a run directory that exist or may appear, by source.

    `events.jsonl` is always listed (it may not exist yet); `eval/events.jsonl`
    and member files only when they exist.
    """
    files: dict[Source, Path] = {RUN: run_dir / EVENTS_FILE}
    if (run_dir / EVAL_FOLDER / EVENTS_FILE).is_file():
        files[EVAL] = run_dir / EVAL_FOLDER / EVENTS_FILE
    try:
        children = list((run_dir / MEMBERS_FOLDER).iterdir())
    except OSError:
        return files
    for child in children:
        match = _MEMBER.fullmatch(child.name)
        if match and (child / EVENTS_FILE).is_file():
            files[int(match.group(1))] = child / EVENTS_FILE
    return dict(sorted(files.items()))


def event_time(event: Event) -> float | None:
    """The event's `t` when it is a finite number, else `None`."""
    t = event.get("t")
    if isinstance(t, bool) or not isinstance(t, (int, float)) or not math.isfinite(t):
        return None
    return float(t)


class MemberMerge:
    """Makes the run-level events of several member files those of one run."""

    def __init__(self) -> None:
        self.started = False
        self.expected = 1
        self.sources: set[Source] = set()
        self.ended: dict[Source, Event] = {}
        self.final = False
        self.trainers: dict[Source, Trainer] = {}
        """The trainer of each file whose run started and has not ended."""

    def feed(self, source: Source, event: Event) -> list[Event]:
        """The events `event` of `source` becomes in the merged stream (maybe none)."""
        kind = event.get("type")
        if kind == "run_start":
            trainer = Trainer.from_event(event)
            if trainer is not None:
                self.trainers[source] = trainer
            else:
                self.trainers.pop(source, None)
        elif kind == "run_end":
            self.trainers.pop(source, None)
        if source in (RUN, EVAL):
            return [event]
        self.sources.add(source)
        if kind == "ensemble_eval" and "member" not in event:
            return [{**event, "member": source}]
        if kind == "run_start":
            self.ended.pop(source, None)
            if self.started and not self.final:
                return []
            self.started, self.final = True, False
            self.expected = _count(event.get("member_runs"), _count(event.get("members"), 1))
            return [event]
        if kind == "run_end":
            self.ended[source] = event
            if self.final or len(self.ended) < self.expected or not self.sources <= set(self.ended):
                return []
            self.final = True
            return [self._run_end()]
        return [event]

    def _run_end(self) -> Event:
        ends = sorted(self.ended.items(), key=lambda item: event_time(item[1]) or 0.0)
        status = max((str(e.get("status") or "finished") for _, e in ends), key=lambda s: _WORST.get(s, 0))
        errors = [f"member {source}: {e['error']}" for source, e in ends if e.get("error")]
        last = ends[-1][1]
        return {
            **last,
            "status": status,
            "error": "; ".join(errors) or None,
            "summary": last.get("summary") if status == "finished" else None,
        }


def merge(events: dict[Source, list[Event]], merger: MemberMerge | None = None) -> list[Event]:
    """The events of several files as one stream, ordered by time (see the module)."""
    merger = merger or MemberMerge()
    keyed = []
    for source, items in events.items():
        last = -math.inf
        for number, event in enumerate(items):
            t = event_time(event)
            last = last if t is None else t
            keyed.append((last, source, number, event))
    keyed.sort(key=lambda item: item[:3])
    return [out for _, source, _, event in keyed for out in merger.feed(source, event)]


class RunEventReader:
    """Tails every event file of a run directory and merges them by time.

    The interface is `EventReader`'s. A run with only `events.jsonl` reads
    exactly as `EventReader` does. With member files, each poll reads up to
    an equal share of `max_bytes` from every file, and gives the events up to
    the time every file still being read has reached, so the merged stream
    stays in time order while a long run loads.

    Args:
        run_dir: The run directory.
        max_bytes: The most bytes to read in one poll, or `None` for all.
    """

    def __init__(self, run_dir: Path | str, max_bytes: int | None = None) -> None:
        self.run_dir = Path(run_dir)
        self.max_bytes = max_bytes
        self._readers: dict[Source, EventReader] = {RUN: EventReader(self.run_dir / EVENTS_FILE, max_bytes)}
        self._buffers: dict[Source, list[Event]] = {}
        self._reached_t: dict[Source, float] = {}
        self._merger = MemberMerge()

    @property
    def trainers(self) -> dict[Source, Trainer] | None:
        """The trainer processes that have not ended, by file (`MemberMerge.trainers`),
        or `None` while the run has only `events.jsonl` (its `RunState` keeps them)."""
        return None if len(self._readers) == 1 else self._merger.trainers

    @property
    def malformed(self) -> int:
        return sum(reader.malformed for reader in self._readers.values())

    @property
    def size(self) -> int:
        return sum(reader.size for reader in self._readers.values())

    @property
    def offset(self) -> int:
        return sum(reader.offset for reader in self._readers.values())

    @property
    def exists(self) -> bool:
        return any(reader.exists for reader in self._readers.values())

    def reset(self) -> None:
        """Forgets everything read so that the next poll starts from the beginning."""
        for reader in self._readers.values():
            reader.reset()
        self._buffers = {}
        self._reached_t = {}
        self._merger = MemberMerge()

    def poll(self, max_bytes: int | None = None) -> Poll:
        """Reads what was appended to any of the files since the last poll."""
        for source, path in event_files(self.run_dir).items():
            if source not in self._readers:
                self._readers[source] = EventReader(path, self.max_bytes)
        if len(self._readers) == 1:
            return self._readers[RUN].poll(max_bytes)
        result = self._poll(max_bytes)
        if result.reset:
            self.reset()
            result = self._poll(max_bytes)
            result.reset = True
        return result

    def _poll(self, max_bytes: int | None) -> Poll:
        budget = self.max_bytes if max_bytes is None else max_bytes
        share = None if budget is None else max(1, budget // len(self._readers))
        polls = {source: reader.poll(share) for source, reader in self._readers.items()}
        if any(poll.reset for poll in polls.values()):
            return Poll(reset=True)
        for source, poll in polls.items():
            self._buffers.setdefault(source, []).extend(poll.events)
            for event in reversed(poll.events):
                if (t := event_time(event)) is not None:
                    self._reached_t[source] = t
                    break
        reading = [source for source, poll in polls.items() if poll.more]
        until = min((self._reached_t.get(source, -math.inf) for source in reading), default=math.inf)
        released: dict[Source, list[Event]] = {}
        for source, buffer in self._buffers.items():
            cut = 0
            while cut < len(buffer) and (event_time(buffer[cut]) or -math.inf) <= until:
                cut += 1
            released[source], self._buffers[source] = buffer[:cut], buffer[cut:]
        return Poll(
            events=merge(released, self._merger),
            exists=any(poll.exists for poll in polls.values()),
            malformed=sum(poll.malformed for poll in polls.values()),
            more=bool(reading),
        )


def _count(value: Any, default: int) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else default
