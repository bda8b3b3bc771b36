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
TENSORBOARD = Path("tensorboard")
PREDICTIONS = Path("predictions")

#: Everything a run writes into its folder (what discarding an empty run removes).
WRITTEN = (RECIPE, EVENTS, CHECKPOINT.parent, TICKETS, TENSORBOARD, PREDICTIONS)

_TICKET = re.compile(r"ticket_(\d+)\.keras")


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
