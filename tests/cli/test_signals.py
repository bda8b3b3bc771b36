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
