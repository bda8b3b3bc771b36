"""Tests of run discovery and the cheap per-run summaries of the run list."""

from __future__ import annotations

from pathlib import Path

import pytest

from ftk_tui.runs import RunSummarizer, discover_runs, is_run_dir
from tests.tui.conftest import T0, edst_events, epoch_end, make_run, write_events


def test_discover_runs(tmp_path: Path) -> None:
    make_run(tmp_path, "b_run", edst_events())
    (tmp_path / "a_recipe_only").mkdir()
    (tmp_path / "a_recipe_only" / "recipe.yaml").write_text("name: x\n")
    (tmp_path / "not_a_run").mkdir()
    (tmp_path / "file.txt").write_text("")
    assert [p.name for p in discover_runs(tmp_path)] == ["a_recipe_only", "b_run"]
    assert discover_runs(tmp_path / "missing") == []
    assert is_run_dir(tmp_path / "b_run") and not is_run_dir(tmp_path)


def test_summary_of_a_finished_run(tmp_path: Path) -> None:
    run = make_run(tmp_path, "edst", edst_events())
    summary = RunSummarizer().summarize(run, now=T0)
    assert (summary.name, summary.protocol, summary.model, summary.density) == ("edst", "edst", "wrn-16-2", 0.2)
    assert (summary.status, summary.global_epoch, summary.total_epochs) == ("finished", 10, 10)
    assert summary.best_accuracy == pytest.approx(0.96)


def test_summary_reads_head_and_tail_only(tmp_path: Path) -> None:
    run = make_run(tmp_path, "edst", edst_events(end=None))
    summarizer = RunSummarizer(stale_after=60.0, tail_bytes=700)
    summary = summarizer.summarize(run, now=T0 + 10 * 60 + 1)
    assert summary.protocol == "edst" and summary.total_epochs == 10  # from the first line
    assert summary.global_epoch == 10 and summary.status == "running"
    assert summarizer.summarize(run, now=T0 + 10_000).status == "stale"
    write_events(run / "events.jsonl", [epoch_end(11, T0 + 700)], mode="a")
    summary = summarizer.summarize(run, now=T0 + 700)
    assert summary.global_epoch == 11
    assert summary.best_accuracy == pytest.approx(0.96)  # kept from the earlier tail


def test_summary_without_events(tmp_path: Path) -> None:
    run = tmp_path / "new"
    run.mkdir()
    (run / "recipe.yaml").write_text("name: new\n")
    summarizer = RunSummarizer()
    assert summarizer.summarize(run, now=T0).status == "missing"
    (run / "events.jsonl").write_bytes(b"")
    assert summarizer.summarize(run, now=T0).status == "empty"
