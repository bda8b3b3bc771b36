"""Pilot tests: a writer appends events while the app runs, and the widgets follow."""

from __future__ import annotations

import json
from pathlib import Path

from textual.widgets import DataTable, Label

from ftk_tui.app import FtkTui
from ftk_tui.widgets.error_panel import ErrorPanel
from tests.tui.conftest import (
    T0,
    edst_events,
    epoch_end,
    event,
    fixed_clock,
    make_run,
    phase_start,
    run_start,
    ticket_saved,
    topology_update,
    wait_for,
    write_events,
)

SIZE = (100, 40)


def _app(run_dir: Path) -> FtkTui:
    return FtkTui(run_dir, interval=0.05, clock=fixed_clock())


def _text(app: FtkTui, selector: str) -> str:
    return str(app.screen.query_one(selector, Label).content)


def _start(tmp_path: Path) -> Path:
    """A run that has just finished two epochs of exploration."""
    return make_run(tmp_path, "live", edst_events(end=None)[:6])


async def test_header_follows_phase_changes(tmp_path: Path) -> None:
    run = _start(tmp_path)
    app = _app(run)
    async with app.run_test(size=SIZE) as pilot:
        assert _text(app, "#run-phase") == "exploration"
        assert "epoch 2/10" in _text(app, "#run-position")
        write_events(run / "events.jsonl", [phase_start("refinement", 1, 3, 4, T0 + 240)], mode="a")
        await wait_for(pilot, lambda: _text(app, "#run-phase") == "refinement 1/3")
        write_events(run / "events.jsonl", [epoch_end(5, T0 + 300)], mode="a")
        await wait_for(pilot, lambda: "epoch 5/10" in _text(app, "#run-position"))


async def test_tickets_table_gains_a_row(tmp_path: Path) -> None:
    run = _start(tmp_path)
    app = _app(run)
    async with app.run_test(size=SIZE) as pilot:
        table = app.screen.query_one("#tickets", DataTable)
        assert table.row_count == 0
        write_events(run / "events.jsonl", [ticket_saved(0, 6, T0 + 360)], mode="a")
        await wait_for(pilot, lambda: table.row_count == 1)
        assert table.get_row_at(0)[0] == "#0"


async def test_topology_update_changes_the_layer_table(tmp_path: Path) -> None:
    run = _start(tmp_path)
    app = _app(run)
    async with app.run_test(size=SIZE) as pilot:
        table = app.screen.query_one("#layers", DataTable)
        assert table.row_count == 3 and table.get_row_at(2)[3] == "20"  # pruned at the last update
        write_events(run / "events.jsonl", [topology_update(250, T0 + 150, pruned=777)], mode="a")
        await wait_for(pilot, lambda: table.get_row_at(2)[3] == "777")


async def test_partial_line_is_shown_once_completed(tmp_path: Path) -> None:
    run = _start(tmp_path)
    app = _app(run)
    line = (json.dumps(epoch_end(3, T0 + 180)) + "\n").encode()
    async with app.run_test(size=SIZE) as pilot:
        with open(run / "events.jsonl", "ab") as file:
            file.write(line[:40])
        await pilot.pause(0.3)
        assert "epoch 2/10" in _text(app, "#run-position")
        assert "malformed" not in _text(app, "#run-details")
        with open(run / "events.jsonl", "ab") as file:
            file.write(line[40:])
        await wait_for(pilot, lambda: "epoch 3/10" in _text(app, "#run-position"))


async def test_truncated_file_is_read_again(tmp_path: Path) -> None:
    run = make_run(tmp_path, "live", edst_events())
    app = _app(run)
    async with app.run_test(size=SIZE) as pilot:
        tickets = app.screen.query_one("#tickets", DataTable)
        assert tickets.row_count == 3 and _text(app, "#run-status") == "FINISHED"
        write_events(run / "events.jsonl", [run_start(name="restarted", t=T0 + 1100)])
        await wait_for(pilot, lambda: _text(app, "#run-title").startswith("restarted"))
        assert tickets.row_count == 0 and _text(app, "#run-status") == "RUNNING"


async def test_failed_run_shows_its_error(tmp_path: Path) -> None:
    run = _start(tmp_path)
    app = _app(run)
    async with app.run_test(size=(80, 24)) as pilot:
        panel = app.screen.query_one(ErrorPanel)
        assert not panel.has_class("-failed") and panel.region.height == 0
        error = "ResourceExhaustedError: OOM when allocating tensor with shape [128,640,8,8]"
        write_events(run / "events.jsonl", [event("run_end", T0 + 200, status="failed", error=error, summary=None)], mode="a")
        await wait_for(pilot, lambda: panel.has_class("-failed"))
        await pilot.pause()
        assert error in str(panel.content) and panel.region.height > 2
        assert _text(app, "#run-status") == "FAILED"


async def test_missing_events_file_then_first_events(tmp_path: Path) -> None:
    run = tmp_path / "new"
    run.mkdir()
    (run / "recipe.yaml").write_text("name: new\n")
    app = _app(run)
    async with app.run_test(size=SIZE) as pilot:
        assert _text(app, "#run-status") == "MISSING"
        write_events(run / "events.jsonl", [run_start(name="new", t=T0 + 1100)])
        await wait_for(pilot, lambda: _text(app, "#run-status") == "RUNNING")
