"""What a run directory recorded along training: prediction trajectories and phase starts.

Reads `predictions/member_<m>.npz` (written by
`ftk.callbacks.prediction_recorder.PredictionRecorder`) and the `phase_start`
events of `events.jsonl`; the math on the result is `ftk.ensemble.trajectories`.
Imports no TensorFlow.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import numpy as np

from ftk.ensemble.trajectories import Trajectory


def load_trajectories(run_dir: str | os.PathLike) -> dict[int, Trajectory]:
    """Loads `predictions/member_<m>.npz` of a run directory, by member.

    Args:
        run_dir: a folder written by `ftk run`.

    Returns:
        `{member: Trajectory}` sorted by member; empty if nothing was recorded yet.

    Example:

    ```python
    from ftk.ensemble.trajectories import embed, split_by_phases

    run = load_trajectories("runs/edst_demo")[0]
    paths = embed(split_by_phases(run, phase_boundaries("runs/edst_demo")[0]))
    for path in paths:  # exploration, then one path per refinement phase
        plt.plot(path[:, 0], path[:, 1], ".-")
    ```
    """
    found = {}
    for path in _run_dir(run_dir).joinpath("predictions").glob("member_*.npz"):
        match = re.fullmatch(r"member_(\d+)\.npz", path.name)
        if match:
            with np.load(path) as data:
                member = int(match.group(1))
                found[member] = Trajectory(member, np.asarray(data["epochs"], np.int64),
                                           np.asarray(data["probs"]))
    return dict(sorted(found.items()))


def phase_boundaries(run_dir: str | os.PathLike) -> dict[int, list[int]]:
    """The epochs at which refinement phases start, by member, from `events.jsonl`.

    Reads the `phase_start` events with `phase == "refinement"`; other events,
    unknown types and lines that are not (yet) complete JSON objects, such as
    a partial last line of a running run, are skipped.

    Args:
        run_dir: a folder written by `ftk run`.

    Returns:
        `{member: sorted refinement start epochs}`; empty without refinement phases.
    """
    path = _run_dir(run_dir) / "events.jsonl"
    found: dict[int, set[int]] = {}
    lines = path.read_text(errors="replace").splitlines() if path.exists() else []
    for line in lines:
        try:
            event = json.loads(line)
        except ValueError:
            continue
        if (isinstance(event, dict) and event.get("type") == "phase_start"
                and event.get("phase") == "refinement" and isinstance(event.get("epoch"), int)
                and isinstance(event.get("member", 0), int)):
            found.setdefault(event.get("member", 0), set()).add(event["epoch"])
    return {member: sorted(epochs) for member, epochs in sorted(found.items())}


def _run_dir(run_dir: str | os.PathLike) -> Path:
    path = Path(run_dir)
    if not path.is_dir():
        raise FileNotFoundError(f"Run directory '{run_dir}' does not exist.")
    return path
