"""Runs never lose work or report wrong numbers: divergence, kills, broken run folders."""

import json
import shutil
from pathlib import Path

import keras
import numpy as np
import pytest

import ftk
from ftk.callbacks import TrainingDiverged
from ftk.run_dir import RunDirectoryError, RunState
from tests.protocols.test_resume import StopAfter

DETERMINISTIC = "run.deterministic=true"


def strict_events(run_dir):
    """The events, parsed as strict JSON (NaN or Infinity tokens fail)."""

    def refuse(token):
        raise ValueError(f"non-JSON token {token}")

    return [json.loads(line, parse_constant=refuse) for line in (run_dir / "events.jsonl").read_text().splitlines()]


def all_finite(path):
    return all(np.all(np.isfinite(w)) for w in keras.saving.load_model(path).get_weights())


def test_divergence_stops_the_run_and_resume_with_a_lower_rate_continues(run, tmp_path):
    folder = tmp_path / "diverged"
    with pytest.raises(TrainingDiverged, match=r"Training diverged: the loss is nan in epoch 3 .*lower the learning rate") as error:
        run("test_edst", "edst.lr_refine=1e6", run_dir=folder)
    # The command to copy: the folder's own recipe, the protocol's rates lowered.
    assert (f"`ftk run --resume {folder} --set edst.lr_explore=0.01 --set edst.lr_refine=1e+05`"
            in str(error.value))
    events = strict_events(folder)
    assert events[-1]["type"] == "run_end" and events[-1]["status"] == "failed"
    assert "diverged" in events[-1]["error"]
    state = RunState.read(folder)
    assert state.epoch == 2 and not state.tickets  # the last good checkpoint: exploration done
    assert all_finite(folder / "checkpoints" / "model.keras")
    assert not list((folder / "tickets").glob("*.keras"))  # no non-finite ticket

    result, events = run("test_edst", "edst.lr_refine=0.01", run_dir=folder, resume=True)
    resumed = [e for e in events if e["type"] == "run_start"][-1]
    assert resumed["resumed"] and resumed["changed"] == ["edst.lr_refine"]
    assert [e["global_epoch"] for e in events if e["type"] == "epoch_end"][-4:] == [3, 4, 5, 6]
    assert len(result.member_accuracy) == 2 and events[-1]["status"] == "finished"
    assert all(all_finite(path) for path in result.tickets)


@pytest.mark.parametrize("name, module", [
    ("test_dst", "ftk.protocols.run_loop"),
    pytest.param("test_edst", "ftk.callbacks.edst", marks=pytest.mark.slow),
])
def test_kill_between_ticket_and_state_counts_the_ticket_once(run, tmp_path, monkeypatch, name, module):
    full, _ = run(name, DETERMINISTIC, run_dir=tmp_path / "full")
    save_ticket = ftk.run_dir.tickets.save_ticket

    def save_then_die(model, path, meta):
        save_ticket(model, path, meta)
        if Path(path).name == "ticket_0.keras":
            raise KeyboardInterrupt  # as a kill -9 right after the ticket's write

    monkeypatch.setattr(f"{module}.save_ticket", save_then_die)
    with pytest.raises(KeyboardInterrupt):
        run(name, DETERMINISTIC, run_dir=tmp_path / "killed")
    monkeypatch.undo()
    assert (tmp_path / "killed" / "tickets" / "ticket_0.keras").is_file()
    assert 0 not in RunState.read(tmp_path / "killed").tickets  # written, not committed

    resumed, events = run(name, DETERMINISTIC, run_dir=tmp_path / "killed", resume=True)
    assert resumed.member_accuracy == full.member_accuracy  # two tickets, not three
    assert events[-1]["summary"]["member_accuracy"] == full.member_accuracy
    assert resumed.ensemble["accuracy"] == full.ensemble["accuracy"]
    assert ftk.Ensemble.load(tmp_path / "killed").members.__len__() == 2


def interrupted_dst_run(run, folder):
    """test_dst stopped in member 1 after one epoch: ticket 0 committed."""
    with pytest.raises(KeyboardInterrupt):
        run("test_dst", DETERMINISTIC, run_dir=folder, callbacks=[StopAfter(1, 1)])
    state = RunState.read(folder)
    assert (state.member, state.epoch, list(state.tickets)) == (1, 1, [0])
    return state


def test_a_stale_state_never_overwrites_a_good_ticket(run, tmp_path):
    folder = tmp_path / "r"
    copies = []

    class KeepState(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            copies.append((folder / "checkpoints" / "state.json").read_text())

    with pytest.raises(KeyboardInterrupt):
        run("test_dst", DETERMINISTIC, run_dir=folder, callbacks=[KeepState(), StopAfter(1, 1)])
    ticket = (folder / "tickets" / "ticket_0.keras").read_bytes()
    (folder / "checkpoints" / "state.json").write_text(copies[0])  # member 0, epoch 1
    with pytest.raises(RunDirectoryError, match=r"model.keras' .*(checksum|bytes).*member 0, epoch 1"):
        run("test_dst", DETERMINISTIC, run_dir=folder, resume=True)
    assert (folder / "tickets" / "ticket_0.keras").read_bytes() == ticket


@pytest.mark.parametrize("damage, message", [
    (lambda p: p.unlink(), "state.json' is missing"),
    (lambda p: p.write_text('{"member": 1, "epo'), "not a valid run state .*JSONDecodeError"),
    (lambda p: p.write_text('{"member": -1, "epoch": 0, "tickets": {}}'), "not a valid run state .*member"),
])
def test_a_missing_or_broken_state_is_an_error_not_a_restart(run, tmp_path, damage, message):
    folder = tmp_path / "r"
    interrupted_dst_run(run, folder)
    damage(folder / "checkpoints" / "state.json")
    with pytest.raises(RunDirectoryError, match=message):
        run("test_dst", run_dir=folder, resume=True)


def test_a_truncated_checkpoint_is_named(run, tmp_path):
    folder = tmp_path / "r"
    interrupted_dst_run(run, folder)
    checkpoint = folder / "checkpoints" / "model.keras"
    checkpoint.write_bytes(checkpoint.read_bytes()[:1000])
    with pytest.raises(RunDirectoryError, match=r"model.keras' has 1000 bytes where \d+ were written"):
        run("test_dst", run_dir=folder, resume=True)


@pytest.mark.parametrize("damage, problem", [
    (lambda p: p.unlink(), "is missing"),
    pytest.param(lambda p: p.write_bytes(p.read_bytes()[:-100]), "bytes where", marks=pytest.mark.slow),
    pytest.param(lambda p: p.write_bytes(p.read_bytes()[:50] + b"garbage!" + p.read_bytes()[58:]), "checksum",
                 marks=pytest.mark.slow),
])
def test_a_lost_ticket_is_refused_by_eval_and_trained_again_by_resume(run, tmp_path, damage, problem):
    folder = tmp_path / "r"
    full, _ = run("test_dst", DETERMINISTIC, run_dir=folder)
    shutil.copytree(folder, tmp_path / "copy")
    damage(folder / "tickets" / "ticket_0.keras")
    with pytest.raises(RunDirectoryError, match=f"tickets/ticket_0.keras .*{problem}"):
        ftk.Ensemble.load(folder)
    with pytest.warns(UserWarning, match=f"ticket_0.keras .*{problem}.*member 0 is trained again"):
        resumed, events = run("test_dst", DETERMINISTIC, run_dir=folder, resume=True)
    assert resumed.member_accuracy == full.member_accuracy
    assert len(ftk.Ensemble.load(folder)) == 2
    remade = keras.saving.load_model(folder / "tickets" / "ticket_0.keras").get_weights()
    for a, b in zip(remade, keras.saving.load_model(tmp_path / "copy" / "tickets" / "ticket_0.keras").get_weights()):
        np.testing.assert_array_equal(a, b)


def test_edst_refuses_to_resume_without_a_committed_ticket(run, tmp_path):
    folder = tmp_path / "r"
    run("test_edst", run_dir=folder)
    (folder / "tickets" / "ticket_1.keras").unlink()
    with pytest.raises(RunDirectoryError, match="ticket_1.keras is missing. EDST makes all its tickets in one run"):
        run("test_edst", run_dir=folder, resume=True)


def test_a_garbled_ticket_names_the_file(tmp_path):
    from ftk.run_dir import load_keras_file

    path = tmp_path / "ticket_3.keras"
    path.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(RunDirectoryError, match="ticket 3 '.*ticket_3.keras' is not a .keras file"):
        load_keras_file(path, "ticket 3")


def test_a_run_that_fails_before_training_leaves_no_folder(run, tmp_path, monkeypatch):
    def no_data(*args, **kwargs):
        raise FileNotFoundError("no data here")

    monkeypatch.setattr("ftk.protocols.run_loop.load_data", no_data)
    folder = tmp_path / "early"
    with pytest.raises(FileNotFoundError, match="no data here") as failure:
        run("test_dense", run_dir=folder)
    assert not folder.exists()
    assert any("was removed" in note for note in getattr(failure.value, "__notes__", ["was removed"]))
    monkeypatch.undo()
    result, events = run("test_dense", run_dir=folder)  # the same command runs again
    assert events[-1]["status"] == "finished"


def test_an_event_after_a_partial_line_starts_a_new_line(tmp_path):
    log = ftk.callbacks.EventLog(tmp_path)
    (tmp_path / "events.jsonl").write_text('{"schema": 1, "type": "epoch_e')  # a killed writer
    log.emit("run_end", status="interrupted", error=None, summary={"loss": float("nan")})
    lines = (tmp_path / "events.jsonl").read_text().splitlines()
    assert lines[0] == '{"schema": 1, "type": "epoch_e'
    assert json.loads(lines[1])["summary"] == {"loss": None}  # strict JSON: NaN is null


@pytest.mark.slow
def test_resume_cleans_the_temporary_files_of_a_kill(run, tmp_path):
    folder = tmp_path / "r"
    interrupted_dst_run(run, folder)
    stale = [folder / "checkpoints" / ".model.keras.tmp-0123456789abcdef.keras",
             folder / "tickets" / ".ticket_1.keras.tmp-fedcba9876543210.keras"]
    for path in stale:
        path.write_bytes(b"half a model")
    run("test_dst", run_dir=folder, resume=True)
    assert not any(path.exists() for path in stale)
