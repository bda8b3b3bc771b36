"""Tests of `ftk.atomic`: file modes as `open` gives them, temporary names, and cleaning."""

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import keras
import numpy as np
import pytest

from ftk import atomic
from ftk.ensemble.plots import ensemble_size_curve

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(params=[0o022, 0o002, 0o077], ids=lambda u: f"umask{u:03o}")
def umask(request):
    """Runs the test under a umask, restoring the old one after it."""
    old = os.umask(request.param)
    yield request.param
    os.umask(old)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _write_each_kind(folder: Path) -> list[Path]:
    """Writes text, JSON, npz, PNG and `.keras` files through `ftk.atomic`."""
    atomic.write_text(folder / "recipe.yaml", "name: x\n")
    atomic.write_json(folder / "checkpoints" / "state.json", {"epoch": 1})
    with atomic.replacing(folder / "predictions.npz", "wb") as file:
        np.savez(file, probs=np.zeros(3))
    ensemble_size_curve([1, 2], [0.9, 0.92], [0.35, 0.3], [0.04, 0.02], folder / "eval" / "size.png")
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    atomic.save_model(model, folder / "tickets" / "ticket_0.keras")
    return [folder / p for p in ("recipe.yaml", "checkpoints/state.json", "predictions.npz",
                                 "eval/size.png", "tickets/ticket_0.keras")]


def test_files_get_the_mode_open_gives(tmp_path, umask):
    with open(tmp_path / "plain", "w"):
        pass
    expected = 0o666 & ~umask
    assert _mode(tmp_path / "plain") == expected  # 0o644 under 022, 0o664 under 002
    written = _write_each_kind(tmp_path)
    assert {p.name: _mode(p) for p in written} == {p.name: expected for p in written}
    assert not [p for p in tmp_path.rglob("*") if atomic.is_temp_file(p)]


def test_replacing_a_file_keeps_its_mode(tmp_path):
    path = tmp_path / "state.json"
    atomic.write_json(path, {"a": 1})
    path.chmod(0o600)
    atomic.write_json(path, {"a": 2})
    assert _mode(path) == 0o600 and json.loads(path.read_text()) == {"a": 2}
    path.chmod(0o640)
    atomic.write_text(path, "x")
    assert _mode(path) == 0o640


def test_temporary_file_is_named_for_cleaning_and_removed_on_error(tmp_path):
    path = tmp_path / "metrics.json"
    atomic.write_text(path, "old")
    with pytest.raises(RuntimeError):
        with atomic.replacing(path) as file:
            file.write("new")
            (tmp,) = [p for p in tmp_path.iterdir() if p != path]
            assert tmp.name.startswith(".metrics.json.tmp-") and atomic.is_temp_file(tmp)
            raise RuntimeError("stop")
    assert [p.name for p in tmp_path.iterdir()] == ["metrics.json"]
    assert path.read_text() == "old"


def test_text_is_utf8(tmp_path):
    atomic.write_text(tmp_path / "recipe.yaml", "description: µ → ü\n")
    assert (tmp_path / "recipe.yaml").read_bytes() == "description: µ → ü\n".encode()


def test_remove_stale_temp_files(tmp_path):
    stale = [
        ".state.json.tmp-0123456789abcdef",
        "tickets/.ticket_0.keras.tmp-0123456789abcdef.keras",
        "eval/.metrics.json.ab_12cd3.tmp",  # tempfile.mkstemp names of earlier versions
        "checkpoints/.model.tmp.keras",  # the model name of earlier versions
    ]
    kept = [
        "state.json", "events.jsonl", ".hidden", "notes.tmp", ".x.tmp-short", "tmp-0123456789abcdef",
        "tickets/ticket_0.keras", "tensorboard/member_0/events.out.tfevents.1.host",
    ]  # fmt: skip
    for name in stale + kept:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x")
    removed = atomic.remove_stale_temp_files(tmp_path)
    assert removed == sorted(tmp_path / name for name in stale)
    left = sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*") if p.is_file())
    assert left == sorted(kept)
    assert atomic.remove_stale_temp_files(tmp_path / "missing") == []


def test_temp_file_of_a_killed_writer_is_cleaned(tmp_path):
    code = (
        "import os, sys\n"
        "from ftk import atomic\n"
        "with atomic.replacing(sys.argv[1]) as file:\n"
        "    file.write('half')\n"
        "    file.flush()\n"
        "    os._exit(9)  # killed in the middle of the write\n"
    )
    env = {**os.environ, "KERAS_BACKEND": "tensorflow", "TF_CPP_MIN_LOG_LEVEL": "3"}
    result = subprocess.run([sys.executable, "-c", code, str(tmp_path / "state.json")], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 9, result.stderr
    (left,) = tmp_path.iterdir()
    assert left.name.startswith(".state.json.tmp-")
    assert atomic.remove_stale_temp_files(tmp_path) == [left]
    assert list(tmp_path.iterdir()) == []


def test_uninterrupted_delivers_ctrl_c_after_the_block(tmp_path):
    import os
    import signal

    import pytest

    written = []
    with pytest.raises(KeyboardInterrupt):
        with atomic.uninterrupted():
            atomic.write_text(tmp_path / "model", "new model")
            os.kill(os.getpid(), signal.SIGINT)  # Ctrl-C between the two files
            written.append("model")
            atomic.write_text(tmp_path / "state", "records the new model")
            written.append("state")
    assert written == ["model", "state"]
    assert (tmp_path / "state").read_text() == "records the new model"
