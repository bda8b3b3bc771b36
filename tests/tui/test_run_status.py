"""What the monitor says about a run: phase names, density, elapsed time, dead trainers."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from textual.widgets import DataTable, Label

from ftk_tui.app import FtkTui
from ftk_tui.format import event_line
from ftk_tui.monitor import RunMonitor
from ftk_tui.records import Phase
from ftk_tui.runs import RunSummarizer
from ftk_tui.state import fold
from ftk_tui.trainer_process import process_start
from ftk_tui.widgets.ensemble_table import EnsembleTable
from ftk_tui.widgets.phase_timeline import _fit
from tests.tui.conftest import (
    T0, edst_events, epoch_end, event, make_run, phase_start, run_start, topology_update, write_events,
)  # fmt: skip


@pytest.fixture(scope="module")
def dead_pid() -> int:
    """The pid of a process that has exited (and been reaped)."""
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def _trainer(pid: int, host: str | None = None) -> dict:
    return {"host": socket.gethostname() if host is None else host, "pid": pid}


# ---- one phase vocabulary: the protocol's labels -------------------------------------------------


def test_phase_labels_are_the_protocols_own_everywhere() -> None:
    said = phase_start("refinement", 2, 3, 4, T0) | {"label": "refine 2 of 3 (EDST)"}
    state = fold([run_start(), said])
    assert state.phase_label == "refine 2 of 3 (EDST)"
    assert state.phases[-1].label == "refine 2 of 3 (EDST)"
    assert "refine 2 of 3 (EDST) · member 0" in event_line(said, T0)


def test_events_without_a_label_get_the_trainers_default_form() -> None:
    state = fold([run_start(), phase_start("exploration", 1, 1, 0, T0), phase_start("refinement", 1, 3, 4, T0)])
    assert [p.label for p in state.phases] == ["exploration", "refinement 1/3"]
    assert state.phase_label == "refinement 1/3"
    assert "refinement 1/3 · member 0" in event_line(phase_start("refinement", 1, 3, 4, T0), T0)


def test_the_timeline_cuts_a_long_label_with_an_ellipsis_not_an_abbreviation() -> None:
    phase = Phase.from_event(phase_start("refinement", 2, 3, 4, T0))
    assert _fit(phase, 20) == "refinement 2/3"
    assert _fit(phase, 10) == "refin… 2/3"  # which refinement stays readable
    assert _fit(phase, 7) == "re… 2/3"
    assert _fit(phase, 6) == "refin…"
    assert _fit(phase, 1) == "…" and _fit(phase, 0) == ""


# ---- one density: of the prunable weights, from run_start and epoch_end -------------------------


def test_the_density_does_not_flip_with_topology_updates() -> None:
    update = topology_update(150, T0 + 90) | {"density": 0.17}  # an old file: dense layers left out
    state = fold([run_start(), epoch_end(1, T0 + 60), update])
    assert state.density == pytest.approx(0.2)
    state.apply(epoch_end(2, T0 + 120) | {"density": 0.19})
    assert state.density == pytest.approx(0.19)
    assert state.topology[-1].density == pytest.approx(0.17)  # still shown in the topology pane


async def test_the_header_says_what_the_density_is_of(tmp_path: Path) -> None:
    app = FtkTui(make_run(tmp_path, "run", edst_events()), clock=lambda: T0)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause(0.1)
        assert "density 0.200 of prunable weights" in str(app.screen.query_one("#run-details", Label).content)


# ---- elapsed time: the run's own events only --------------------------------------------------------


def _short_run(end: bool = True) -> list[dict]:
    events = [run_start(t=T0), epoch_end(1, T0 + 12), epoch_end(2, T0 + 24)]
    if end:
        events.append(event("run_end", T0 + 24, status="finished", error=None, summary=None))
    return events


def _eval(t: float) -> dict:
    return event("ensemble_eval", t, members=3, accuracy=0.9, nll=0.3, ece=0.02, member_accuracy=[0.9], source="eval")


def test_an_eval_an_hour_later_does_not_move_the_elapsed_time() -> None:
    state = fold([*_short_run(), _eval(T0 + 3600)])
    assert state.elapsed(T0 + 7200) == pytest.approx(24.0)
    assert state.ensemble[(3, "eval", -1)].accuracy == pytest.approx(0.9)  # still shown, apart from the run's
    assert [row[0] for row in EnsembleTable.state_rows(None, state)] == ["3 eval"]  # type: ignore[arg-type]


def test_an_eval_does_not_keep_a_silent_run_from_going_stale() -> None:
    state = fold([*_short_run(end=False), _eval(T0 + 3600)])
    assert state.status(T0 + 3600 + 10) == "stale"
    assert state.elapsed(T0 + 3600 + 10) == pytest.approx(3610.0)  # a live run's clock runs on


async def test_the_header_shows_the_runs_own_elapsed_time(tmp_path: Path) -> None:
    app = FtkTui(make_run(tmp_path, "run", [*_short_run(), _eval(T0 + 3600)]), clock=lambda: T0 + 7200)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause(0.1)
        assert str(app.screen.query_one("#run-timing", Label).content).startswith("elapsed 24s")


async def test_the_evaluations_of_ftk_eval_in_their_own_file_are_shown(tmp_path: Path) -> None:
    """`ftk eval` writes `eval/events.jsonl`: its rows show, the run's elapsed time stays its own."""
    run = make_run(tmp_path, "run", _short_run())
    write_events(run / "eval" / "events.jsonl", [_eval(T0 + 3600)])
    monitor = RunMonitor(run)
    monitor.poll()
    assert monitor.state.ensemble[(3, "eval", -1)].accuracy == pytest.approx(0.9)
    assert monitor.state.elapsed(T0 + 7200) == pytest.approx(24.0)
    assert monitor.state.status(T0 + 7200) == "finished"
    assert RunSummarizer().summarize(run, T0 + 7200).best_accuracy == pytest.approx(0.9)
    app = FtkTui(run, clock=lambda: T0 + 7200)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause(0.1)
        assert str(app.screen.query_one("#run-timing", Label).content).startswith("elapsed 24s")
        table = app.screen.query_one("#ensemble", DataTable)
        assert [str(table.get_row_at(i)[0]) for i in range(table.row_count)] == ["3 eval"]


# ---- dead trainers: stale at once ---------------------------------------------------------------------


def test_a_run_whose_trainer_is_gone_is_stale_at_once(tmp_path: Path, dead_pid: int) -> None:
    run = make_run(tmp_path, "run", [run_start() | _trainer(dead_pid), epoch_end(1, T0 + 60)])
    monitor = RunMonitor(run)
    monitor.poll()
    assert monitor.state.status(T0 + 61) == "stale"  # not after 300 s
    assert RunSummarizer().summarize(run, T0 + 61).status == "stale"


@pytest.mark.parametrize("trainer", ["other-host", "no-pid", "alive"])
def test_a_trainer_that_cannot_be_seen_dead_keeps_the_time_rule(tmp_path: Path, trainer: str, dead_pid: int) -> None:
    fields = {
        "other-host": _trainer(dead_pid, host="the-gpu-box"),  # another machine: cannot be checked
        "no-pid": {},  # an ftk that did not record it
        "alive": _trainer(os.getpid()),
    }[trainer]
    run = make_run(tmp_path, "run", [run_start() | fields, epoch_end(1, T0 + 60)])
    monitor = RunMonitor(run)
    monitor.poll()
    assert monitor.state.status(T0 + 61) == "running"
    assert monitor.state.status(T0 + 60 + 301) == "stale"
    assert RunSummarizer().summarize(run, T0 + 61).status == "running"


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="process starts are read from /proc")
@pytest.mark.parametrize("recorded", ["same", "other"])
def test_a_reused_pid_does_not_keep_a_dead_run_alive(tmp_path: Path, recorded: str) -> None:
    """A live process with the trainer's pid but another start took the pid over: the run is dead."""
    start = process_start(os.getpid())
    trainer = _trainer(os.getpid()) | {"pid_start": start if recorded == "same" else start - 1}
    run = make_run(tmp_path, "run", [run_start() | trainer, epoch_end(1, T0 + 60)])
    monitor = RunMonitor(run)
    monitor.poll()
    assert monitor.state.status(T0 + 61) == ("running" if recorded == "same" else "stale")
    assert RunSummarizer().summarize(run, T0 + 61).status == monitor.state.status(T0 + 61)


def test_an_ended_run_is_not_stale_although_its_trainer_is_gone(tmp_path: Path, dead_pid: int) -> None:
    events = edst_events()
    events[0] = events[0] | _trainer(dead_pid)
    monitor = RunMonitor(make_run(tmp_path, "run", events))
    monitor.catch_up()
    assert monitor.state.status(T0 + 1e6) == "finished"


def test_a_resumed_run_is_judged_by_its_new_trainer(tmp_path: Path, dead_pid: int) -> None:
    run = make_run(tmp_path, "run", [run_start() | _trainer(dead_pid), epoch_end(1, T0 + 60)])
    monitor = RunMonitor(run)
    monitor.poll()
    assert monitor.state.status(T0 + 61) == "stale"
    write_events(run / "events.jsonl", [run_start(t=T0 + 100) | {"resumed": True} | _trainer(os.getpid())], mode="a")
    assert monitor.poll()
    assert monitor.state.status(T0 + 101) == "running"


async def test_the_run_view_shows_a_dead_trainer_as_stale(tmp_path: Path, dead_pid: int) -> None:
    run = make_run(tmp_path, "run", [run_start() | _trainer(dead_pid), epoch_end(1, T0 + 60)])
    app = FtkTui(run, clock=lambda: T0 + 61)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause(0.1)
        assert str(app.screen.query_one("#run-status", Label).content) == "STALE"


async def test_the_run_list_shows_a_dead_trainer_as_stale(tmp_path: Path, dead_pid: int) -> None:
    make_run(tmp_path / "runs", "killed", [run_start() | _trainer(dead_pid), epoch_end(1, T0 + 60)])
    make_run(tmp_path / "runs", "live", [run_start() | _trainer(os.getpid()), epoch_end(1, T0 + 60)])
    app = FtkTui(tmp_path / "runs", clock=lambda: T0 + 61)
    async with app.run_test(size=(120, 24)) as pilot:
        await pilot.pause(0.1)
        table = app.screen.query_one("#runs", DataTable)
        status = {str(table.get_row_at(i)[0]): str(table.get_cell_at((i, 4))) for i in range(table.row_count)}
        assert status == {"killed": "stale", "live": "running"}
