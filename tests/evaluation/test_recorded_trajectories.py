"""`ftk.evaluation.recorded_trajectories`: what a run directory recorded, read back."""

import json

import numpy as np
import pytest

from ftk.evaluation.recorded_trajectories import load_trajectories, phase_boundaries
from tests.ensemble.test_trajectories import make_trajectory


def write_run(run_dir):
    (run_dir / "predictions").mkdir(parents=True)
    for member in (1, 0):
        t = make_trajectory(member, checkpoints=3 + member, every=2)
        np.savez(run_dir / "predictions" / f"member_{member}.npz", epochs=t.epochs, probs=t.probs)
    (run_dir / "predictions" / "notes.npz").write_bytes(b"")  # not a member file
    events = [
        {"schema": 1, "t": 0.0, "type": "run_start", "run": "demo"},
        {"schema": 1, "t": 1.0, "type": "phase_start", "member": 0, "phase": "exploration", "index": 1,
         "of": 1, "epoch": 0, "step": 0},
        {"schema": 1, "t": 2.0, "type": "phase_start", "member": 0, "phase": "refinement", "index": 2,
         "of": 2, "epoch": 6, "step": 60},
        {"schema": 1, "t": 3.0, "type": "future_event", "member": 0, "epoch": 99},
        {"schema": 1, "t": 4.0, "type": "phase_start", "member": 0, "phase": "refinement", "index": 1,
         "of": 2, "epoch": 4, "step": 40},
        {"schema": 1, "t": 5.0, "type": "phase_start", "member": 0, "phase": "refinement", "index": 2,
         "of": 2, "epoch": 6, "step": 60},  # written again by a resumed run
    ]
    text = "".join(json.dumps(e) + "\n" for e in events)
    (run_dir / "events.jsonl").write_text(text + '{"schema": 1, "type": "phase_start", "member": 0, "pha')


def test_load_trajectories_and_phase_boundaries(tmp_path):
    write_run(tmp_path)
    trajectories = load_trajectories(tmp_path)
    assert list(trajectories) == [0, 1]
    assert trajectories[1].member == 1
    assert trajectories[1].epochs.tolist() == [0, 2, 4, 6]
    assert trajectories[1].probs.shape == (4, 12, 4)
    assert phase_boundaries(tmp_path) == {0: [4, 6]}


def test_empty_and_missing_run_folders(tmp_path):
    assert load_trajectories(tmp_path) == {}
    assert phase_boundaries(tmp_path) == {}
    with pytest.raises(FileNotFoundError, match="does not exist"):
        load_trajectories(tmp_path / "nope")


