"""Where things live in a run folder: the one place that spells its file names."""

from __future__ import annotations

import os
import re
from pathlib import Path

RECIPE = Path("recipe.yaml")
EVENTS = Path("events.jsonl")
STATE = Path("checkpoints") / "state.json"
CHECKPOINT = Path("checkpoints") / "model.keras"
TICKETS = Path("tickets")
EVAL = Path("eval")
#: The `ensemble_eval` events of `ftk eval`: kept apart from the training's `events.jsonl`,
#: whose times are the run's own (a reader's elapsed time is not moved by a later eval).
EVAL_EVENTS = EVAL / "events.jsonl"
TENSORBOARD = Path("tensorboard")
PREDICTIONS = Path("predictions")
#: Member runs trained on their own (`ftk run --member I`, `--parallel N`) keep their
#: events, state and checkpoint in `members/member_<i>/`, laid out like the run folder.
MEMBERS = Path("members")
#: What the child processes of `ftk run --parallel N` print: `logs/parallel_<k>.log`.
LOGS = Path("logs")

#: Everything a run writes into its folder (what discarding an empty run removes).
WRITTEN = (RECIPE, EVENTS, CHECKPOINT.parent, TICKETS, TENSORBOARD, PREDICTIONS, MEMBERS, LOGS)

_TICKET = re.compile(r"ticket_(\d+)\.keras")
_MEMBER = re.compile(r"member_(\d+)")


def ticket_name(index: int) -> str:
    """The file name of ticket `index`: `ticket_<index>.keras`."""
    return f"ticket_{index}.keras"


def ticket_path(run_dir: str | os.PathLike, index: int) -> Path:
    """The path of ticket `index` in a run folder: `tickets/ticket_<index>.keras`."""
    return Path(run_dir) / TICKETS / ticket_name(index)


def ticket_files(run_dir: str | os.PathLike) -> list[tuple[int, Path]]:
    """The `(index, path)` of every ticket file in a run folder, in index order."""
    found = [(int(match.group(1)), path) for path in (Path(run_dir) / TICKETS).glob("ticket_*.keras")
             if (match := _TICKET.fullmatch(path.name))]
    return sorted(found)


def member_folder(root: str | os.PathLike, member: int) -> Path:
    """A per-member folder under `root` (TensorBoard logs, predictions): `member_<i>`."""
    return Path(root) / f"member_{member}"


def member_home(run_dir: str | os.PathLike, member: int) -> Path:
    """The folder of a member run trained on its own: `members/member_<i>`.

    It holds that member's `events.jsonl` and `checkpoints/{state.json,model.keras}`
    (the same names as in the run folder); its ticket stays `tickets/ticket_<i>.keras`.
    """
    return member_folder(Path(run_dir) / MEMBERS, member)


def member_index(path: str | os.PathLike) -> int | None:
    """`i` when `path` is named `member_<i>`, else `None`."""
    match = _MEMBER.fullmatch(Path(path).name)
    return int(match.group(1)) if match else None


def member_homes(run_dir: str | os.PathLike) -> list[tuple[int, Path]]:
    """The `(index, folder)` of every `members/member_<i>` folder, in index order."""
    try:
        children = list((Path(run_dir) / MEMBERS).iterdir())
    except OSError:
        return []
    return sorted((int(match.group(1)), path) for path in children
                  if path.is_dir() and (match := _MEMBER.fullmatch(path.name)))


def parallel_log(run_dir: str | os.PathLike, child: int) -> Path:
    """The output of child process `child` of `ftk run --parallel`: `logs/parallel_<k>.log`."""
    return Path(run_dir) / LOGS / f"parallel_{child}.log"
