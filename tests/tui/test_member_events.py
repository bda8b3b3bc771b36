"""Runs whose members were trained on their own: one event file per member, merged by time."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

from ftk_tui.events import EventReader
from ftk_tui.monitor import RunMonitor
from ftk_tui.run_events import MemberMerge, RunEventReader, event_files, merge
from ftk_tui.runs import RunSummarizer, is_run_dir
from ftk_tui.widgets.ensemble_table import EnsembleTable

T0 = 1_700_000_000.0


def event(type_: str, t: float, **fields: Any) -> dict[str, Any]:
    return {"schema": 1, "t": t, "type": type_, **fields}


def member_run(member: int, start: float, epochs: int = 3, status: str = "finished",
               error: str | None = None, members: int = 2) -> list[dict[str, Any]]:
    """The events one `ftk run --member` process writes: epochs 10 s apart."""
    offset = member * epochs
    events = [
        event("run_start", start, run="r", protocol="dst_ensemble", single_run=False, model="mlp",
              dataset="digits", density=0.2, members=members, member_runs=members, epochs=epochs,
              total_epochs=members * epochs, steps_per_epoch=8, resumed=False, layers=[],
              trained_member=member),
        event("phase_start", start + 1, member=member, phase="training", index=1, of=1, epoch=0, step=0),
    ]
    for epoch in range(1, epochs + 1):
        events.append(event("epoch_end", start + 10 * epoch, member=member, epoch=epoch,
                            global_epoch=offset + epoch, step=8 * epoch, lr=0.1, density=0.2,
                            metrics={"loss": 1.0, "accuracy": 0.5}, seconds=10.0))
    if status == "finished":
        end = start + 10 * epochs + 1
        events += [
            event("ticket_saved", end, index=member, member=member, epoch=epochs,
                  path=f"tickets/ticket_{member}.keras", val_accuracy=None, test_accuracy=0.5 + member / 10,
                  density=0.2),
            event("ensemble_eval", end, members=member + 1, accuracy=0.6, nll=1.0, ece=0.1,
                  member_accuracy=[0.5] * (member + 1), source="run"),
        ]
    finished = status == "finished"
    summary = {"member_accuracy": [0.5, 0.6], "ensemble_accuracy": 0.6 + member / 100} if finished else None
    events.append(event("run_end", start + 10 * epochs + 2, status=status, error=error, summary=summary))
    return events


def write(path: Path, events: list[dict[str, Any]], mode: str = "w") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, mode) as file:
        file.writelines(json.dumps(e) + "\n" for e in events)


def member_file(run: Path, member: int) -> Path:
    return run / "members" / f"member_{member}" / "events.jsonl"


def two_members(tmp_path: Path, **second: Any) -> Path:
    run = tmp_path / "run"
    write(member_file(run, 0), member_run(0, T0))
    write(member_file(run, 1), member_run(1, T0 + 5, **second))  # started 5 s later, interleaved
    (run / "recipe.yaml").write_text("name: r\n")
    return run


def read_all(run: Path, max_bytes: int | None = None) -> list[dict[str, Any]]:
    reader = RunEventReader(run, max_bytes=max_bytes)
    events = []
    while True:
        poll = reader.poll()
        events += poll.events
        if not poll.more:
            return events


def test_member_files_merge_in_time_order_with_one_run_start_and_one_run_end(tmp_path):
    run = two_members(tmp_path)
    assert list(event_files(run)) == [-1, 0, 1]
    events = read_all(run)
    times = [e["t"] for e in events]
    assert times == sorted(times)
    assert [e["type"] for e in events].count("run_start") == 1
    assert [e["type"] for e in events].count("run_end") == 1 and events[-1]["type"] == "run_end"
    assert events[-1]["status"] == "finished"
    assert events[-1]["summary"]["ensemble_accuracy"] == 0.61  # the member that ended last
    assert {e["member"] for e in events if e["type"] == "epoch_end"} == {0, 1}
    assert [e["member"] for e in events if e["type"] == "epoch_end"] == [0, 1, 0, 1, 0, 1]


def test_reading_in_small_chunks_gives_the_same_stream(tmp_path):
    run = two_members(tmp_path)
    assert read_all(run, max_bytes=300) == read_all(run)


def test_the_run_ends_only_when_every_member_has_ended(tmp_path):
    run = tmp_path / "run"
    write(member_file(run, 0), member_run(0, T0))
    monitor = RunMonitor(run)
    monitor.catch_up()
    assert monitor.state.status(now=None) == "running"  # member 1 has not even started
    assert sorted(monitor.state.tickets) == [0]

    write(member_file(run, 1), member_run(1, T0 + 100, status="failed", error="diverged"))
    assert monitor.poll()
    state = monitor.state
    assert state.status() == "failed" and state.error == "member 1: diverged"
    assert sorted(state.tickets) == [0] and state.summary is None
    assert {p.member for p in state.history} == {0, 1}
    assert state.info.members == 2


def test_a_resumed_member_reopens_the_run(tmp_path):
    run = two_members(tmp_path, status="interrupted")
    monitor = RunMonitor(run)
    monitor.catch_up()
    assert monitor.state.status() == "interrupted"
    resumed = member_run(1, T0 + 200)
    write(member_file(run, 1), resumed, mode="a")
    monitor.poll()
    assert monitor.state.status() == "finished" and sorted(monitor.state.tickets) == [0, 1]


def test_the_parent_summary_of_a_parallel_run_is_read_too(tmp_path):
    run = two_members(tmp_path)
    write(run / "events.jsonl", [event("run_end", T0 + 100, status="finished", error=None,
                                       summary={"member_accuracy": [0.5, 0.6], "ensemble_accuracy": 0.9})])
    monitor = RunMonitor(run)
    monitor.catch_up()
    assert monitor.state.summary["ensemble_accuracy"] == 0.9
    summary = RunSummarizer().summarize(run, T0 + 100)
    assert summary.status == "finished" and summary.best_accuracy == 0.9
    assert summary.protocol == "dst_ensemble" and summary.total_epochs == 6


def test_the_run_list_merges_member_files(tmp_path):
    run = two_members(tmp_path, status="failed", error="boom")
    assert is_run_dir(run)
    summary = RunSummarizer().summarize(run, T0 + 50)
    assert summary.status == "failed"
    assert summary.global_epoch in (3, 6)


def test_a_run_without_member_files_reads_as_before(tmp_path):
    run = tmp_path / "run"
    events = member_run(0, T0, members=1)
    write(run / "events.jsonl", events[:4])
    with open(run / "events.jsonl", "a") as file:
        file.write('{"schema": 1, "t": ')  # a partial last line
    plain, merged = EventReader(run / "events.jsonl"), RunEventReader(run)
    assert merged.poll().events == plain.poll().events == events[:4]


def test_merging_keeps_files_in_their_own_order_when_times_are_odd():
    merged = merge({0: [event("epoch_end", T0 + 5, member=0), {"type": "epoch_end", "t": "x", "member": 0}],
                    1: [event("epoch_end", T0 + 1, member=1)]}, MemberMerge())
    assert [(e["member"], e["t"]) for e in merged] == [(1, T0 + 1), (0, T0 + 5), (0, "x")]


def _with_trainer(events: list[dict[str, Any]], pid: int) -> list[dict[str, Any]]:
    return [e | {"host": socket.gethostname(), "pid": pid} if e["type"] == "run_start" else e for e in events]


def _dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def test_progress_counts_the_epochs_of_every_member_training_at_once(tmp_path):
    run = tmp_path / "run"
    write(member_file(run, 0), member_run(0, T0, epochs=3)[:4])  # epochs 1 and 2 of 3
    write(member_file(run, 1), member_run(1, T0 + 5, epochs=3)[:3])  # epoch 1 of 3
    monitor = RunMonitor(run)
    monitor.catch_up()
    assert monitor.state.global_epoch == 3  # 2 + 1, not the last event's global_epoch (4)
    assert RunSummarizer().summarize(run, T0 + 30).global_epoch == 3
    write(member_file(run, 1), member_run(1, T0 + 5, epochs=3)[3:5], mode="a")  # member 1: epochs 2, 3
    monitor.poll()
    assert monitor.state.global_epoch == 5 and monitor.state.info.total_epochs == 6


def test_members_reporting_the_same_ensemble_size_at_once_make_two_rows(tmp_path):
    run = tmp_path / "run"
    first, second = member_run(0, T0), member_run(1, T0)
    for events, accuracy in ((first, 0.61), (second, 0.62)):  # each saw one ticket: both say `members: 1`
        ensemble = next(e for e in events if e["type"] == "ensemble_eval")
        ensemble.update(members=1, accuracy=accuracy)
    write(member_file(run, 0), first)
    write(member_file(run, 1), second)
    monitor = RunMonitor(run)
    monitor.catch_up()
    rows = monitor.state.ensemble
    assert sorted(rows) == [(1, "run", 0), (1, "run", 1)]
    assert [rows[key].accuracy for key in sorted(rows)] == [0.61, 0.62]
    cells = [row[0] for row in EnsembleTable.state_rows(None, monitor.state)]  # type: ignore[arg-type]
    assert cells == ["1 m0", "1 m1"]


def test_a_parallel_run_is_stale_only_when_every_member_process_is_gone(tmp_path):
    run = tmp_path / "run"
    dead = _dead_pid()
    write(member_file(run, 0), _with_trainer(member_run(0, T0)[:3], dead))
    write(member_file(run, 1), _with_trainer(member_run(1, T0 + 5)[:3], os.getpid()))
    monitor = RunMonitor(run)
    monitor.catch_up()
    assert monitor.state.status(T0 + 30) == "running"
    assert RunSummarizer().summarize(run, T0 + 30).status == "running"

    write(member_file(run, 1), _with_trainer(member_run(1, T0 + 5)[:3], dead))  # replaced: now gone too
    monitor = RunMonitor(run)
    monitor.catch_up()
    assert monitor.state.status(T0 + 30) == "stale"
    assert RunSummarizer().summarize(run, T0 + 30).status == "stale"


def test_a_member_that_ended_does_not_keep_the_run_alive_or_dead(tmp_path):
    run = tmp_path / "run"
    dead = _dead_pid()
    write(member_file(run, 0), _with_trainer(member_run(0, T0), os.getpid()))  # ended
    write(member_file(run, 1), _with_trainer(member_run(1, T0 + 5)[:3], dead))  # killed
    monitor = RunMonitor(run)
    monitor.catch_up()
    assert monitor.state.status(T0 + 40) == "stale"
