"""`checkpoints/state.json`: where a run resumes, and which of its files are committed.

The state is the one source of truth about a run's progress. A file counts
only once the state records it, with the size and CRC-32 it had when it
was written; so a ticket written just before a kill is not counted twice,
and a ticket that went missing, was truncated or was replaced afterwards is
noticed and named.
"""

from __future__ import annotations

import dataclasses
import json
import os
import zlib
from pathlib import Path

from ftk import atomic
from ftk.run_dir.commands import rerun_command, resume_command
from ftk.run_dir.paths import CHECKPOINT, STATE, TICKETS, member_homes, ticket_files, ticket_name, ticket_path

_CHUNK = 1 << 22


class RunDirectoryError(Exception):
    """A run folder whose files are missing, corrupt or inconsistent.

    The message names the file, what is wrong with it and what to do.
    """


def file_record(path: str | os.PathLike) -> dict:
    """Returns `{"size": bytes, "crc32": checksum}` of the file at `path`."""
    crc, size = 0, 0
    with open(path, "rb") as file:
        while chunk := file.read(_CHUNK):
            crc, size = zlib.crc32(chunk, crc), size + len(chunk)
    return {"size": size, "crc32": crc}


def file_problem(path: Path, record: dict) -> str | None:
    """Says what is wrong with `path` compared with its `record`, or `None`."""
    if not path.is_file():
        return "is missing"
    size = path.stat().st_size
    if size != record.get("size"):
        return f"has {size} bytes where {record.get('size')} were written (truncated or replaced)"
    if file_record(path)["crc32"] != record.get("crc32"):
        return "does not match the checksum recorded when it was written (corrupted or replaced)"
    return None


@dataclasses.dataclass
class RunState:
    """Progress of a run: the member run and epoch to resume, and the committed files.

    Attributes:
        member: index of the member run in progress (or next to start).
        epoch: epochs of that member run done, from which `checkpoint`
            continues (0: start it afresh).
        tickets: ticket index -> record of the committed ticket file.
        checkpoint: record of `checkpoints/model.keras` at `epoch`, or `None`.
        ledger: whether the state records tickets (runs of older ftk
            versions do not: their tickets are whatever files exist).
    """

    member: int = 0
    epoch: int = 0
    tickets: dict[int, dict] = dataclasses.field(default_factory=dict)
    checkpoint: dict | None = None
    ledger: bool = True

    @classmethod
    def read(cls, run_dir: str | os.PathLike) -> RunState:
        """Reads the state of a run folder.

        Raises:
            RunDirectoryError: if the state is missing or unreadable.
        """
        path = Path(run_dir) / STATE
        if not path.is_file():
            raise RunDirectoryError(
                f"'{path}' is missing, so where the run stopped is unknown. Restore it, "
                f"or start the run again in a new folder (`{rerun_command(run_dir)}`)."
            )
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            return cls(
                member=_count(data, "member"), epoch=_count(data, "epoch"),
                tickets={int(i): _record(r) for i, r in data.get("tickets", {}).items()},
                checkpoint=_record(data["checkpoint"]) if data.get("checkpoint") else None,
                ledger="tickets" in data,
            )
        except (OSError, UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError, ValueError,
                AttributeError) as error:
            raise RunDirectoryError(
                f"'{path}' is not a valid run state ({type(error).__name__}: {error}). Restore "
                f"it, or start the run again in a new folder (`{rerun_command(run_dir)}`)."
            ) from None

    def as_dict(self) -> dict:
        """The state as the JSON object `state.json` holds."""
        data = {"member": self.member, "epoch": self.epoch,
                "tickets": {str(i): r for i, r in sorted(self.tickets.items())}}
        if self.checkpoint:
            data["checkpoint"] = self.checkpoint
        return data

    def write(self, run_dir: str | os.PathLike) -> None:
        """Atomically writes the state into `run_dir`."""
        atomic.write_json(Path(run_dir) / STATE, self.as_dict())

    def ticket_problems(self, run_dir: str | os.PathLike) -> dict[int, str]:
        """Committed tickets whose file is missing or changed: index -> problem."""
        problems = {}
        for index, record in sorted(self.tickets.items()):
            problem = file_problem(ticket_path(run_dir, index), record)
            if problem:
                problems[index] = problem
        return problems

    def checkpoint_problem(self, run_dir: str | os.PathLike) -> str | None:
        """What is wrong with the checkpoint the state resumes from, or `None`."""
        if self.epoch == 0:
            return None
        if self.checkpoint is None:
            return None if (Path(run_dir) / CHECKPOINT).is_file() else "is missing"
        return file_problem(Path(run_dir) / CHECKPOINT, self.checkpoint)


def committed_ticket_paths(run_dir: str | os.PathLike) -> list[Path]:
    """The committed tickets of a run folder, verified, in index order.

    The ledger is the run's `checkpoints/state.json`, together with the
    `members/member_<i>/checkpoints/state.json` of members trained on their
    own (`ftk run --member`, `--parallel`). For folders of older ftk versions
    (no ticket records in the state, or no state) the tickets are the
    `ticket_<i>.keras` files that exist.

    Raises:
        RunDirectoryError: naming every committed ticket that is missing or
            no longer what was written.
    """
    run_dir = Path(run_dir)
    records = committed_tickets(run_dir)
    if records is None:
        return [path for _, path in ticket_files(run_dir)]
    problems = RunState(tickets=records).ticket_problems(run_dir)
    if problems:
        named = describe_problems(problems)
        raise RunDirectoryError(
            f"Run '{run_dir}': {named}. Re-make it with `{resume_command(run_dir)}` "
            "(which trains the members whose tickets are gone again)."
        )
    return [ticket_path(run_dir, i) for i in sorted(records)]


def committed_tickets(run_dir: str | os.PathLike, strict: bool = True) -> dict[int, dict] | None:
    """Ticket index -> record of every committed ticket of a run folder, unverified.

    The union of the run's state and its members' states (`members/member_<i>/`);
    `None` for a folder of an older ftk, whose state keeps no ledger.

    Args:
        strict: raise for an unreadable state; `False` leaves it out.

    Raises:
        RunDirectoryError: if a state is unreadable (with `strict`).
    """
    run_dir = Path(run_dir)
    homes = [run_dir] if (run_dir / STATE).is_file() else []
    homes += [home for _, home in member_homes(run_dir) if (home / STATE).is_file()]
    states = []
    for home in homes:
        try:
            states.append(RunState.read(home))
        except RunDirectoryError:
            if strict:
                raise
    if not states or not all(state.ledger for state in states):
        return None
    return {i: r for state in states for i, r in state.tickets.items()}


def describe_problems(problems: dict[int, str]) -> str:
    """`"tickets/ticket_0.keras is missing; ..."` for ticket index -> problem."""
    return "; ".join(f"{TICKETS / ticket_name(i)} {p}" for i, p in problems.items())


def _count(data: dict, key: str) -> int:
    value = data[key]
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ValueError(f"`{key}` must be a non-negative integer, not {value!r}")
    return value


def _record(record) -> dict:
    if not isinstance(record, dict) or not {"size", "crc32"} <= set(record):
        raise ValueError(f"a file record must have `size` and `crc32`, not {record!r}")
    return {"size": int(record["size"]), "crc32": int(record["crc32"])}
