"""Tests of `RunState`: folding events without a terminal."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from ftk_tui.monitor import RunMonitor
from ftk_tui.state import LOG_LINES, RunState, apply, fold
from tests.tui.conftest import (
    EPOCH_SECONDS,
    T0,
    edst_events,
    epoch_end,
    event,
    phase_start,
    run_start,
    topology_update,
    write_events,
)


def test_fold_of_a_whole_edst_run() -> None:
    state = fold(edst_events())
    info = state.info
    assert (info.name, info.protocol, info.model, info.dataset) == ("edst_wrn", "edst", "wrn-16-2", "cifar10")
    assert (info.density, info.members, info.total_epochs, info.steps_per_epoch) == (0.2, 3, 10, 100)
    assert info.recipe_name == "edst_wrn"
    assert state.phase_label == "refinement 3/3"
    assert [p.label for p in state.phases] == [
        "exploration", "refinement 1/3", "refinement 2/3", "refinement 3/3",
    ]  # fmt: skip
    assert (state.global_epoch, state.step) == (10, 1000)
    assert [p.global_epoch for p in state.history] == list(range(1, 11))
    assert len(state.topology) == 12 and sum(p.kind == "jump" for p in state.topology) == 2
    assert list(state.layers) == ["conv1", "block1/conv", "dense"]
    assert state.layers["conv1"].pruned == 100 and state.layers["conv1"].turnover == pytest.approx(0.1)
    assert state.layers["block1/conv"].size == 3 * 3 * 16 * 32
    assert [(t.index, t.epoch) for t in state.tickets.values()] == [(0, 6), (1, 8), (2, 10)]
    assert sorted(state.ensemble) == [(1, "run", -1), (2, "run", -1), (3, "run", -1)]
    assert state.best_accuracy == pytest.approx(0.96)
    assert state.status() == "finished" and state.error is None
    assert state.malformed == state.invalid == 0


def test_apply_function_returns_the_state() -> None:
    state = RunState()
    assert apply(state, run_start()) is state
    assert state.info.name == "edst_wrn"


def test_layer_table_follows_topology_updates() -> None:
    state = fold([run_start()])
    assert state.layers["dense"].pruned is None and state.layers["dense"].density == 0.1
    before = state.version("layers")
    state.apply(topology_update(150, T0, pruned=7))
    assert state.layers["dense"].pruned == 7 and state.layers["dense"].grown == 7
    assert state.version("layers") != before


def test_eta_from_epoch_seconds_and_epochs_left() -> None:
    state = fold(edst_events(end=None)[:2])
    assert state.eta() is None
    for epoch in range(1, 5):
        state.apply(epoch_end(epoch, T0 + epoch * EPOCH_SECONDS))
    assert state.eta() == pytest.approx(6 * EPOCH_SECONDS)  # 10 - 4 epochs left
    state.apply(event("run_end", T0 + 300, status="interrupted", error=None, summary=None))
    assert state.eta() is None


def test_elapsed_follows_the_clock_until_the_run_ends() -> None:
    state = fold(edst_events(end=None)[:4])
    assert state.elapsed(T0 + 1000) == pytest.approx(1000)
    state.apply(event("run_end", T0 + 100, status="finished", error=None, summary=None))
    assert state.elapsed(T0 + 5000) == pytest.approx(100)


@pytest.mark.parametrize(
    ("events", "now", "expected"),
    [
        ([], T0, "empty"),
        ([run_start()], T0 + 10, "running"),
        ([run_start()], T0 + 301, "stale"),
        ([run_start(), event("run_end", T0, status="finished", error=None, summary=None)], T0 + 9999, "finished"),
        ([run_start(), event("run_end", T0, status="interrupted", error=None, summary=None)], T0, "interrupted"),
    ],
)
def test_status(events: list[dict], now: float, expected: str) -> None:
    assert fold(events, RunState(stale_after=300.0)).status(now) == expected


def test_missing_and_failed_status(tmp_path: Path) -> None:
    monitor = RunMonitor(tmp_path / "nothing")
    monitor.poll()
    assert monitor.state.status(T0) == "missing"
    state = fold([run_start(), event("run_end", T0, status="failed", error="OOM in layer dense", summary=None)])
    assert state.status(T0) == "failed" and state.error == "OOM in layer dense"


def test_resumed_run_clears_the_end_status() -> None:
    state = fold([run_start(), event("run_end", T0, status="interrupted", error=None, summary=None)])
    state.apply(run_start(t=T0 + 10) | {"resumed": True})
    assert state.status(T0 + 11) == "running" and state.info.resumed


def test_unknown_types_are_ignored() -> None:
    state = fold([run_start(), event("from_the_future", T0, foo=1)])
    assert state.events == 1 and state.invalid == 0 and len(state.log) == 1


def test_events_with_wrong_fields_are_counted_not_raised() -> None:
    state = fold(
        [
            run_start(),
            event("epoch_end", T0, metrics="not a dict", epoch=1),
            event("topology_update", T0, layers=[1, 2]),
            event("ticket_saved", T0, index="seven", val_accuracy="high"),
            epoch_end(1, T0 + 60),
        ]
    )
    assert state.invalid == 2
    assert state.tickets[0].val_accuracy is None
    assert state.global_epoch == 1


def test_malformed_lines_reach_the_state_through_the_monitor(tmp_path: Path) -> None:
    path = tmp_path / "events.jsonl"
    write_events(path, [run_start()])
    with open(path, "ab") as file:
        file.write(b"{broken\n\xff\n")
    monitor = RunMonitor(tmp_path)
    assert monitor.poll()
    assert monitor.state.malformed == 2 and monitor.state.info.name == "edst_wrn"


def test_member_label_for_ensembles_of_separate_runs() -> None:
    start = run_start() | {"protocol": "deep_ensemble", "single_run": False, "members": 3}
    state = fold([start, phase_start("training", 1, 1, 0, T0) | {"member": 1}])
    assert state.phase_label == "member 2 of 3 · training"


def test_single_run_comes_from_run_start_and_old_edst_runs_are_one() -> None:
    refinement = phase_start("refinement", 2, 3, 4, T0)
    said = run_start() | {"protocol": "mc_dropout", "single_run": True, "members": 3}
    assert fold([said, refinement]).phase_label.startswith("refinement")
    old = {k: v for k, v in run_start().items() if k != "single_run"}  # ftk 0.1: not said
    assert fold([old, refinement]).info.single_run
    unsaid = old | {"protocol": "dst_ensemble"}
    assert not fold([unsaid, refinement]).info.single_run


def test_buffers_are_bounded_and_100k_events_fold_quickly() -> None:
    events = [run_start()]
    for i in range(1, 50_001):
        events.append(topology_update(i, T0 + i))
        events.append(epoch_end(i, T0 + i))
    start = time.perf_counter()
    state = fold(events)
    seconds = time.perf_counter() - start
    assert state.events == 100_001
    assert len(state.log) == LOG_LINES and len(state.log_lines()) == LOG_LINES
    assert len(state.history) <= 20_000 and len(state.topology) <= 20_000
    assert seconds < 10.0, f"folding 100k events took {seconds:.1f}s"


def test_monitor_reads_a_long_file_in_chunks(tmp_path: Path) -> None:
    write_events(tmp_path / "events.jsonl", edst_events())
    monitor = RunMonitor(tmp_path, chunk_bytes=1000)
    assert monitor.poll() and monitor.loading
    assert 0 < monitor.progress < 1
    monitor.catch_up()
    assert not monitor.loading and monitor.progress == 1.0
    whole = fold(edst_events())
    assert (monitor.state.events, monitor.state.global_epoch) == (whole.events, whole.global_epoch)
    assert monitor.state.layers == whole.layers


def test_non_finite_event_times_do_not_break_the_log() -> None:
    from ftk_tui.format import clock_offset

    assert clock_offset(float("nan"), 100.0) == "+?:??:??"
    assert clock_offset(float("inf"), 100.0) == "+?:??:??"
    assert clock_offset(3761.0, 100.0) == "+1:01:01"
