"""`RunResult`: what a finished run produced (its folder, tickets, accuracies, sizes)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from ftk.ensemble.file_sizes import FileSizes
from ftk.sparse.counts import Counts


@dataclasses.dataclass(frozen=True)
class RunResult:
    """What a finished run produced.

    `counts` are those of the last model trained (`None` when a resumed run had
    nothing left to train); `file_sizes` are the bytes on disk of the tickets
    and of the exported ensemble next to one dense model's; `finished_before`
    the members given to a resumed `run_recipe(members=...)` that were done
    already (nothing was trained for them).
    """

    run_dir: Path
    tickets: list[Path]
    member_accuracy: list[float]
    ensemble: dict
    counts: Counts | None = None
    file_sizes: FileSizes | None = None
    finished_before: tuple[int, ...] = ()
