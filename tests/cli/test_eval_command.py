"""`ftk eval` output: skipped modes say why; a mode without plots does not claim any."""

import json

import pytest

from ftk.cli import main
from ftk.protocols.runner import run_recipe
from ftk.recipes import find_recipe, load_recipe


@pytest.fixture(scope="module")
def dense_run(tmp_path_factory):
    run_dir = tmp_path_factory.mktemp("eval_cli") / "test_dense"
    run_recipe(load_recipe(find_recipe("test_dense"), ["run.tensorboard=false"]), run_dir)
    return run_dir


def test_a_skipped_mode_says_why(dense_run, capsys):
    assert main(["eval", str(dense_run), "--mode", "tsne"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "tsne skipped: no predictions were recorded" in out
    assert "metrics.json." in out and "and plots" not in out


def test_sizes_alone_print_sizes_and_no_empty_table(dense_run, capsys):
    assert main(["eval", str(dense_run), "--mode", "sizes"]) == 0
    out = capsys.readouterr().out
    assert "Sizes on disk:" in out and "members (mean" not in out and "and plots" not in out
    assert json.loads((dense_run / "eval" / "metrics.json").read_text())["sizes"]["tickets_bytes"]


def test_a_command_in_a_skip_reason_is_never_broken(dense_run, capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "40")
    assert main(["eval", str(dense_run), "--mode", "tsne"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert any(line.strip() == "`--set run.record_every=1`" for line in lines), lines
    assert max(len(line) for line in lines if not line.startswith("Wrote")) <= 40
