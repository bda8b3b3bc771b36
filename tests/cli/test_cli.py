"""The `ftk` command line: readable output and errors, no tracebacks."""

import json
import subprocess
import sys

import pytest

from ftk.cli import main


def test_recipes_lists_every_shipped_recipe(capsys):
    assert main(["recipes"]) == 0
    out = capsys.readouterr().out
    for name in ("edst_wrn", "edst_demo", "pf_wrn", "edst_resnet50_imagenet", "test_dst"):
        assert name in out


def test_validate_builds_the_model(capsys):
    assert main(["validate", "recipes/test_edst.yaml"]) == 0
    assert "ok" in capsys.readouterr().out


def test_validate_counts_parameters_without_masks(capsys):
    assert main(["validate", "recipes/edst_wrn.yaml"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    # WRN-28-10: 36,479,194 trainable + 17,952 BN statistics; Keras alone says 72,958,378.
    assert "36,497,146 parameters (36,479,194 trainable), 7.3M active at density 0.2" in out


def test_bad_recipe_is_one_readable_message(tmp_path, capsys):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\nprotocol: edst\nmodel: {name: mlp}\ndata: {name: digits}\n"
                   "training: {epochs: 10}\nsparsity: {density: 1.5}\ndst: {}\nedst: {explore_epochs: 20}\n")
    assert main(["validate", str(bad)]) == 1
    err = capsys.readouterr().err
    assert "sparsity.density" in err and "1.5" in err
    assert "Traceback" not in err


def test_set_overrides_fields(capsys):
    assert main(["validate", "test_edst", "--set", "ensemble.members=4", "--set", "training.epochs=10"]) == 0
    assert main(["validate", "test_edst", "--set", "ensemble.members=5"]) == 1
    assert "ensemble.members" in capsys.readouterr().err


def test_debug_shows_the_traceback(tmp_path):
    with pytest.raises(Exception):
        main(["--debug", "validate", str(tmp_path / "missing.yaml")])


def test_run_writes_a_run_directory(tmp_path, capsys):
    run_dir = tmp_path / "run"
    assert main(["run", "test_edst", "--run-dir", str(run_dir)]) == 0
    out = capsys.readouterr().out
    assert "ensemble" in out and "ticket 1" in out
    assert (run_dir / "recipe.yaml").is_file()
    assert sorted(p.name for p in (run_dir / "tickets").glob("*.keras")) == ["ticket_0.keras", "ticket_1.keras"]
    events = [json.loads(line) for line in (run_dir / "events.jsonl").read_text().splitlines()]
    assert events[-1]["type"] == "run_end" and events[-1]["status"] == "finished"
    start, summary = events[0], events[-1]["summary"]
    assert start["type"] == "run_start" and start["parameters"] == start["trainable"]  # MLP
    assert 0 < start["active"] < 0.3 * start["trainable"]
    assert [summary[k] for k in ("parameters", "active")] == [start["parameters"], start["active"]]
    assert f"Each ticket: {start['parameters']:,} parameters" in out
    sizes = summary["file_sizes"]
    assert sizes["tickets_bytes"] == [(run_dir / "tickets" / f"ticket_{i}.keras").stat().st_size for i in (0, 1)]
    assert sizes["ticket_vs_dense"] < 1 and "Sizes on disk:" in out and "tickets: 2 x" in out
    assert main(["run", "test_edst", "--run-dir", str(run_dir)]) == 1  # never overwritten
    assert "--resume" in capsys.readouterr().err


def test_flops_prints_every_protocol(capsys):
    assert main(["flops", "test_edst"]) == 0
    out = capsys.readouterr().out
    for name in ("dense", "deep_ensemble", "static_ensemble", "dst_ensemble", "edst", "pf_ensemble"):
        assert name in out
    out = " ".join(out.split())
    assert "active: non-zero weights" in out and "one sparse model has 85,002 parameters" in out


def test_run_with_tui_trains_in_a_child_and_opens_the_run(tmp_path, monkeypatch, capsys):
    from ftk.cli import watch

    opened = tmp_path / "opened"  # the stand-in TUI writes the run directory it was given
    record = f"import pathlib, sys; pathlib.Path({str(opened)!r}).write_text(sys.argv[1])"
    monkeypatch.setattr(watch, "TUI_COMMAND", (sys.executable, "-c", record))
    run_dir = tmp_path / "watched"
    status = main(["run", "test_dense", "--run-dir", str(run_dir), "--tui"])
    assert opened.read_text() == str(run_dir)
    events = [json.loads(line) for line in (run_dir / "events.jsonl").read_text().splitlines()]
    # Quitting the UI at once interrupts the trainer, which records it and can be resumed.
    assert events[-1]["type"] == "run_end" and events[-1]["status"] in ("interrupted", "finished")
    assert status in (0, 130)
    assert "Trainer exited" in capsys.readouterr().out


def test_the_tui_command_starts_ftk_tui(tmp_path):
    from ftk.cli.watch import TUI_COMMAND

    done = subprocess.run([*TUI_COMMAND, "--help"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and "run director" in done.stdout
    done = subprocess.run([*TUI_COMMAND, str(tmp_path / "missing")], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 2 and "no such run directory" in done.stderr


def test_run_needs_a_recipe_or_a_run_to_resume(capsys):
    with pytest.raises(SystemExit) as stop:
        main(["run"])
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert "give a RECIPE" in err and "--resume RUN_DIR" in err


def test_resume_of_a_folder_that_holds_no_run_says_so(tmp_path, capsys):
    assert main(["run", "--resume", str(tmp_path / "missing")]) == 1
    err = " ".join(capsys.readouterr().err.split())
    assert "does not exist" in err and "Traceback" not in err


def test_resume_without_a_recipe_continues_from_the_folders_own_recipe(tmp_path, capsys):
    run_dir = tmp_path / "run"
    assert main(["run", "test_dense", "--set", "training.epochs=3", "--run-dir", str(run_dir)]) == 0
    capsys.readouterr()
    # The recipe the folder holds has the --set: nothing to repeat, nothing differs.
    assert main(["run", "--resume", str(run_dir)]) == 0
    # A --set given must still be a field a resumed run may change.
    assert main(["run", "--resume", str(run_dir), "--set", "training.epochs=4"]) == 1
    err = " ".join(capsys.readouterr().err.split())
    assert "training.epochs" in err
    assert main(["run", "--resume", str(run_dir), "--set", "training.lr=0.01"]) == 0
    events = [json.loads(line) for line in (run_dir / "events.jsonl").read_text().splitlines()]
    assert [e["status"] for e in events if e["type"] == "run_end"] == ["finished"] * 3


def test_run_start_names_the_trainer_process_and_phases_their_label(tmp_path):
    import os
    import socket

    run_dir = tmp_path / "run"
    assert main(["run", "test_dst", "--run-dir", str(run_dir)]) == 0
    events = [json.loads(line) for line in (run_dir / "events.jsonl").read_text().splitlines()]
    start = events[0]
    assert start["type"] == "run_start"
    assert (start["host"], start["pid"]) == (socket.gethostname(), os.getpid())  # this process trained
    from ftk_tui.trainer_process import Trainer, process_start

    assert start["pid_start"] == process_start(os.getpid())  # None off Linux, on both sides
    assert Trainer.from_event(start).alive()
    assert start["target_density"] == 0.2 and abs(start["density"] - 0.2) < 0.01
    phases = [e for e in events if e["type"] == "phase_start"]
    assert phases and {p["label"] for p in phases} == {"training"}
    densities = {e["type"]: e["density"] for e in events if e["type"] in ("epoch_end", "topology_update")}
    assert densities["epoch_end"] == densities["topology_update"]  # one definition of density


def test_shipped_recipe_paths_resolve_from_any_folder(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)  # not the repository: `recipes/` is not here
    assert main(["validate", "recipes/test_dense.yaml", "--no-build"]) == 0
    assert main(["validate", "test_dense.yaml", "--no-build"]) == 0
    assert main(["validate", "recipes/test_dens.yaml", "--no-build"]) == 1
    err = " ".join(capsys.readouterr().err.split())
    assert "did you mean 'test_dense'" in err and "shipped recipes:" in err


def test_an_existing_run_folder_hint_is_the_command_to_copy(tmp_path, capsys):
    run_dir = tmp_path / "run"
    assert main(["run", "test_dense", "--run-dir", str(run_dir)]) == 0
    assert main(["run", "test_dense", "--run-dir", str(run_dir)]) == 1
    err = " ".join(capsys.readouterr().err.split())
    assert f"`ftk run --resume {run_dir}`" in err and "RECIPE" not in err


def test_an_interrupted_run_prints_the_command_that_continues_it(tmp_path, monkeypatch, capsys):
    import keras

    from ftk.protocols import runner

    class CtrlC(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            raise KeyboardInterrupt

    real = runner.run_recipe

    def interrupted(recipe, run_dir, **kwargs):
        return real(recipe, run_dir, **{**kwargs, "callbacks": [*kwargs["callbacks"], CtrlC()]})

    monkeypatch.setattr(runner, "run_recipe", interrupted)
    run_dir = tmp_path / "my run"  # quoted in the command to copy
    assert main(["run", "test_dense", "--run-dir", str(run_dir)]) == 130
    err = " ".join(capsys.readouterr().err.split())
    assert f"Continue with `ftk run --resume '{run_dir}'`" in err and "RECIPE" not in err


def test_the_trainer_log_ends_in_the_run_folder_or_on_screen_never_in_tmp(tmp_path, monkeypatch, capsys):
    from ftk.cli.watch import _TrainerLog

    monkeypatch.setenv("TMPDIR", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    monkeypatch.setattr("tempfile.tempdir", None)  # read TMPDIR again
    run_dir = tmp_path / "run"
    log = _TrainerLog(run_dir)  # a new run: no folder yet
    log.file.write(b"epoch 1\n")
    log.file.flush()
    run_dir.mkdir()
    (run_dir / "recipe.yaml").write_text("name: x\n")
    log.move_into(run_dir)
    log.file.write(b"Interrupted.\n")
    assert log.close() == run_dir / "logs" / "trainer.log"
    assert (run_dir / "logs" / "trainer.log").read_text() == "epoch 1\nInterrupted.\n"
    assert list((tmp_path / "tmp").iterdir()) == []

    gone = tmp_path / "gone"  # the trainer failed before it made its folder
    log = _TrainerLog(gone)
    log.file.write(b"error: the data cannot be read\n")
    assert log.close() is None
    assert "the data cannot be read" in capsys.readouterr().err
    assert list((tmp_path / "tmp").iterdir()) == [] and not gone.exists()


def test_the_end_of_input_stops_training_between_steps():
    import os

    import keras
    import numpy as np

    from ftk.cli.input_end import StopWhenInputEnds

    read, write = os.pipe()
    stopper = StopWhenInputEnds(os.fdopen(read, "rb"))
    steps = []

    class Count(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            steps.append(batch)
            if len(steps) == 3:
                os.close(write)  # the TUI quits in the middle of the third step
                stopper.ended.wait(10)

    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)])
    model.compile("sgd", "mse")
    x, y = np.zeros((64, 4), "float32"), np.zeros((64, 2), "float32")
    with pytest.raises(KeyboardInterrupt, match="ftk-tui was closed"):
        model.fit(x, y, batch_size=8, epochs=3, verbose=0, callbacks=[Count(), stopper])
    assert len(steps) == 3  # stopped at the end of the step in which the input ended
    with pytest.raises(KeyboardInterrupt):  # an input that ended before training: stops at its start
        model.fit(x, y, batch_size=8, epochs=1, verbose=0, callbacks=[stopper, Count()])
    assert len(steps) == 3  # no step ran
