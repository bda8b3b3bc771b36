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
