"""`ftk run` stopped by SIGTERM (job schedulers) or SIGINT (Ctrl-C) can be resumed."""

import json
import os
import signal
import subprocess
import sys
import time

import pytest

from ftk.protocols.runner import run_recipe
from ftk.recipes import find_recipe, load_recipe
from ftk.run_dir import RunDirectoryError, RunState

pytestmark = pytest.mark.slow  # two real `ftk run` processes: about 35 s

LONGER = "training.epochs=42"  # 2 exploration + 2 x 20 refinement epochs: time to be stopped


def wait_for_a_checkpoint(folder, process, timeout=180):
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        assert process.poll() is None, process.stdout.read()
        try:
            if RunState.read(folder).epoch >= 1:
                return
        except RunDirectoryError:
            pass
        time.sleep(0.1)
    raise AssertionError("no checkpoint in time")


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_stopped_run_ends_interrupted_and_resumes(tmp_path, signum):
    folder = tmp_path / "run"
    env = {**os.environ, "KERAS_BACKEND": "tensorflow", "TF_CPP_MIN_LOG_LEVEL": "3"}
    process = subprocess.Popen(
        [sys.executable, "-m", "ftk.cli", "run", "test_edst", "--set", LONGER, "--run-dir", str(folder)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env,
        # A shell that starts the tests in the background ignores SIGINT for its children.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    try:
        wait_for_a_checkpoint(folder, process)
        process.send_signal(signum)
        output, _ = process.communicate(timeout=120)
    finally:
        process.kill()
    assert process.returncode == 130, output
    assert "Interrupted" in output
    events = [json.loads(line) for line in (folder / "events.jsonl").read_text().splitlines()]
    assert events[-1]["type"] == "run_end" and events[-1]["status"] == "interrupted"
    done = RunState.read(folder).epoch
    assert done >= 1

    recipe = load_recipe(find_recipe("test_edst"), [LONGER])
    result = run_recipe(recipe, folder, resume=True)
    assert len(result.member_accuracy) == 2
    events = [json.loads(line) for line in (folder / "events.jsonl").read_text().splitlines()]
    assert events[-1]["status"] == "finished"
    resumed_epochs = [e["global_epoch"] for e in events if e["type"] == "epoch_end"]
    assert resumed_epochs[-1] == 42 and done + 1 in resumed_epochs


#: A stand-in for `ftk-tui RUN_DIR`: quits once the run's events hold `<type>:<count>` events
#: (or at once for `now`), as a user pressing `q` would.
FAKE_TUI = '''
import json, sys, time
from pathlib import Path
kind, _, count = sys.argv[1].partition(":")
events = Path(sys.argv[2]) / "events.jsonl"
deadline = time.monotonic() + 240
while kind != "now" and time.monotonic() < deadline:
    try:
        lines = events.read_text().splitlines()
    except OSError:
        lines = []
    if sum(line.startswith("{") and json.loads(line)["type"] == kind for line in lines[:-1] + [
            l for l in lines[-1:] if l.endswith("}")]) >= int(count or 1):
        break
    time.sleep(0.02)
'''


@pytest.mark.parametrize("moment", ["now", "run_start", "phase_start", "epoch_end:1", "epoch_end:3"])
def test_quitting_the_tui_interrupts_the_trainer_cleanly(tmp_path, moment):
    """`ftk run --tui`, then `q`: the trainer ends interrupted, with its events and checkpoint."""
    (tmp_path / "fake_tui.py").write_text(FAKE_TUI)
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    folder = tmp_path / "run"
    env = {**os.environ, "KERAS_BACKEND": "tensorflow", "TF_CPP_MIN_LOG_LEVEL": "3",
           "TMPDIR": str(temporary),
           "FTK_TUI_COMMAND": f"{sys.executable} {tmp_path / 'fake_tui.py'} {moment}"}
    done = subprocess.run(
        [sys.executable, "-m", "ftk.cli", "run", "test_edst", "--set", LONGER, "--run-dir", str(folder),
         "--tui"], capture_output=True, text=True, env=env, timeout=300,
    )
    output = done.stdout + done.stderr
    assert done.returncode == 130, output  # interrupted, not killed (-11 was a segfault)
    assert f"continue with `ftk run --resume {folder} --tui`" in output.replace("\n", "")
    events = [json.loads(line) for line in (folder / "events.jsonl").read_text().splitlines()]
    assert events[-1]["type"] == "run_end" and events[-1]["status"] == "interrupted", output
    epochs = [e for e in events if e["type"] == "epoch_end"]
    if epochs:  # a checkpoint after every epoch (run.checkpoint_every: 1)
        assert RunState.read(folder).epoch >= 1 and (folder / "checkpoints" / "model.keras").is_file()
    log = (folder / "logs" / "trainer.log").read_text()
    assert "Interrupted. Continue with `ftk run --resume" in " ".join(log.split())
    assert f"`ftk run --resume {folder}`" in log  # the command to copy, on one line
    assert list(temporary.iterdir()) == []  # no /tmp/ftk-run-*.log left behind


def test_a_tui_run_resumes_from_its_folder_without_the_recipe(tmp_path):
    (tmp_path / "fake_tui.py").write_text(FAKE_TUI)
    folder = tmp_path / "run"
    env = {**os.environ, "KERAS_BACKEND": "tensorflow", "TF_CPP_MIN_LOG_LEVEL": "3",
           "FTK_TUI_COMMAND": f"{sys.executable} {tmp_path / 'fake_tui.py'} epoch_end:2"}
    first = subprocess.run([sys.executable, "-m", "ftk.cli", "run", "test_edst", "--set", LONGER,
                            "--run-dir", str(folder), "--tui"], capture_output=True, text=True, env=env,
                           timeout=300)
    assert first.returncode == 130, first.stdout + first.stderr
    env["FTK_TUI_COMMAND"] = f"{sys.executable} {tmp_path / 'fake_tui.py'} epoch_end:3"  # 2 were before
    again = subprocess.run([sys.executable, "-m", "ftk.cli", "run", "--resume", str(folder), "--tui"],
                           capture_output=True, text=True, env=env, timeout=300)
    assert again.returncode == 130, again.stdout + again.stderr
    events = [json.loads(line) for line in (folder / "events.jsonl").read_text().splitlines()]
    starts = [e for e in events if e["type"] == "run_start"]
    assert [s["resumed"] for s in starts] == [False, True]
    assert starts[1]["total_epochs"] == 42  # the folder's recipe, with its --set
    assert events[-1]["type"] == "run_end" and events[-1]["status"] == "interrupted"
    log = (folder / "logs" / "trainer.log").read_text()
    assert log.count("Interrupted") == 2  # each --tui run appends its output

    # Quit before the resumed trainer is ready: it stops once it can, never half-started (-2).
    env["FTK_TUI_COMMAND"] = f"{sys.executable} {tmp_path / 'fake_tui.py'} now"
    early = subprocess.run([sys.executable, "-m", "ftk.cli", "run", "--resume", str(folder), "--tui"],
                           capture_output=True, text=True, env=env, timeout=300)
    assert early.returncode == 130, early.stdout + early.stderr
    assert (folder / "logs" / "trainer.log").read_text().count("Interrupted") == 3
