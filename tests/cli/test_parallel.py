"""`ftk run --member I` and `ftk run --parallel N`: one ensemble trained by several processes."""

import json
import os
import signal
import subprocess
import sys
import time

import keras
import numpy as np
import pytest

import ftk
from ftk.cli import main
from ftk.cli.parallel import assign_members
from ftk.protocols import run_directory
from ftk.protocols.runner import run_recipe
from ftk.recipes import find_recipe, load_recipe
from ftk.run_dir import RunDirectoryError, RunState, committed_ticket_paths
from ftk.run_dir.state import committed_tickets
from ftk_tui.monitor import RunMonitor
from ftk_tui.runs import RunSummarizer

DETERMINISTIC = "run.deterministic=true"
ENV = {**os.environ, "KERAS_BACKEND": "tensorflow", "TF_CPP_MIN_LOG_LEVEL": "3"}


def ftk_process(*args):
    return subprocess.Popen([sys.executable, "-m", "ftk.cli", "run", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, env=ENV)


def events_of(path):
    return [json.loads(line) for line in path.read_text().splitlines()]


def member_events(folder, index):
    return events_of(folder / "members" / f"member_{index}" / "events.jsonl")


def assert_trained_at_once(folder):
    """Each member's training began before the other's ended."""
    spans = [(e[0]["t"], e[-1]["t"]) for e in (member_events(folder, 0), member_events(folder, 1))]
    assert spans[0][0] < spans[1][1] and spans[1][0] < spans[0][1], spans


def assert_whole_ensemble(folder, members=2):
    assert len(committed_ticket_paths(folder)) == members
    assert len(ftk.Ensemble.load(folder).members) == members
    monitor = RunMonitor(folder)
    monitor.catch_up()
    state = monitor.state
    assert state.status() == "finished", state.error
    assert sorted(state.tickets) == list(range(members))
    assert {p.member for p in state.history} == set(range(members))
    assert state.summary is not None and state.summary["ensemble_accuracy"] is not None
    assert RunSummarizer().summarize(folder, time.time()).status == "finished"


def test_members_are_spread_over_the_processes():
    assert assign_members(5, 2) == [[0, 2, 4], [1, 3]]
    assert assign_members(2, 4) == [[0], [1]]
    assert assign_members(3, 1) == [[0, 1, 2]]


@pytest.mark.parametrize("args, message", [
    (["test_edst", "--member", "0"], "'edst' (EDST) makes all its tickets in one run"),
    (["test_edst", "--parallel", "2"], "'edst' (EDST) makes all its tickets in one run"),
    (["test_dst", "--member", "2"], "No member 2: the recipe has 2 member runs"),
    (["test_dense", "--member", "1"], "No member 1: the recipe has 1 member run "),
    (["test_dst", "--member", "0", "--parallel", "2"], "Give --member or --parallel, not both"),
    (["test_dst", "--parallel", "0"], "--parallel needs at least 1 process"),
    (["test_dst", "--member", "0", "--tui"], "watch the run folder with `ftk-tui {folder}`"),
])
def test_member_arguments_that_cannot_work_are_refused_before_anything_is_created(
        tmp_path, capsys, args, message):
    folder = tmp_path / "run"
    assert main(["run", *args, "--run-dir", str(folder)]) == 1
    assert message.format(folder=folder) in " ".join(capsys.readouterr().err.split())
    assert not folder.exists()


def test_a_member_run_from_the_command_line_says_what_is_left(tmp_path, capsys):
    folder = tmp_path / "run"
    assert main(["run", "test_dst", "--run-dir", str(folder), "--member", "1"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "1 of 2 members are done; still to train: 0" in out
    assert main(["run", "test_dst", "--resume", str(folder), "--member", "1"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "Member 1 is already finished (its ticket is committed): nothing to train." in out
    assert [e["type"] for e in member_events(folder, 1)].count("run_end") == 1  # the no-op wrote nothing
    other = ["--set", "training.epochs=4", "--run-dir", str(folder), "--member", "0"]
    assert main(["run", "test_dst", *other]) == 1
    assert "another recipe" in " ".join(capsys.readouterr().err.split())


@pytest.mark.slow
def test_two_member_processes_train_one_folder_at_once(tmp_path):
    folder = tmp_path / "run"
    processes = [ftk_process("test_dst", "--set", DETERMINISTIC, "--run-dir", str(folder), "--member", str(i))
                 for i in (0, 1)]
    outputs = [p.communicate(timeout=300)[0] for p in processes]
    assert [p.returncode for p in processes] == [0, 0], outputs
    assert_trained_at_once(folder)
    assert_whole_ensemble(folder)
    sequential = run_recipe(load_recipe(find_recipe("test_dst"), [DETERMINISTIC]), tmp_path / "sequential")
    for a, b in zip(sequential.tickets, committed_ticket_paths(folder), strict=True):
        for u, v in zip(keras.saving.load_model(a).weights, keras.saving.load_model(b).weights, strict=True):
            np.testing.assert_array_equal(u.numpy(), v.numpy())


@pytest.mark.slow
def test_parallel_trains_every_member_and_summarises_once(tmp_path):
    folder = tmp_path / "run"
    process = ftk_process("test_dst", "--set", DETERMINISTIC, "--run-dir", str(folder), "--parallel", "2")
    output = process.communicate(timeout=300)[0]
    assert process.returncode == 0, output
    assert "Child 0" in output and "Child 1" in output and "ensemble" in output
    assert_trained_at_once(folder)
    assert_whole_ensemble(folder)
    run_ends = [e for e in events_of(folder / "events.jsonl") if e["type"] == "run_end"]
    assert len(run_ends) == 1 and run_ends[0]["summary"]["member_accuracy"]


@pytest.mark.slow
def test_parallel_names_the_member_that_failed(tmp_path):
    folder = run_directory.join(load_recipe(find_recipe("test_dst")), tmp_path / "run")
    broken = folder / "members" / "member_1" / "checkpoints" / "state.json"
    broken.parent.mkdir(parents=True)
    broken.write_text("{not json")
    process = ftk_process("test_dst", "--resume", str(folder), "--parallel", "2")
    output = " ".join(process.communicate(timeout=300)[0].split())
    assert process.returncode == 1, output
    assert "Member 1 failed" in output and "not a valid run state" in output
    assert set(committed_tickets(folder, strict=False)) == {0}  # member 0 was trained all the same
    with pytest.raises(RunDirectoryError, match="member_1"):
        committed_ticket_paths(folder)
    with pytest.raises(RunDirectoryError):
        RunState.read(folder / "members" / "member_1")


@pytest.mark.slow
def test_a_stopped_parallel_run_stops_its_children_and_resumes(tmp_path):
    folder = tmp_path / "run"
    longer = "training.epochs=30"
    process = subprocess.Popen(
        [sys.executable, "-m", "ftk.cli", "run", "test_dst", "--set", longer, "--run-dir", str(folder),
         "--parallel", "2"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=ENV,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    try:
        start = time.monotonic()
        while time.monotonic() - start < 240:
            assert process.poll() is None, process.stdout.read()
            try:
                if all(RunState.read(folder / "members" / f"member_{i}").epoch >= 1 for i in (0, 1)):
                    break
            except RunDirectoryError:
                pass
            time.sleep(0.1)
        process.send_signal(signal.SIGTERM)
        output = process.communicate(timeout=120)[0]
    finally:
        process.kill()
    assert process.returncode == 130, output
    # On an idle machine one child may finish its 30 epochs before the other's first: every
    # member run ends with a run_end, and the ones still training when stopped are interrupted.
    statuses = []
    for index in (0, 1):
        last = member_events(folder, index)[-1]
        assert last["type"] == "run_end" and last["status"] in ("interrupted", "finished"), last
        statuses.append(last["status"])
    assert "interrupted" in statuses, statuses
    monitor = RunMonitor(folder)
    monitor.catch_up()
    assert monitor.state.status() == "interrupted"

    resumed = ftk_process("test_dst", "--set", longer, "--resume", str(folder), "--parallel", "2")
    output = resumed.communicate(timeout=600)[0]
    assert resumed.returncode == 0, output
    assert_whole_ensemble(folder)
