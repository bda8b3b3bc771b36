"""Pilot tests of the run list: live rows and a long run read in chunks."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import DataTable

from ftk_tui.app import FtkTui
from ftk_tui.screens.run_view import RunViewScreen
from ftk_tui.widgets.run_header import RunHeader
from tests.tui.conftest import T0, edst_events, epoch_end, event, fixed_clock, make_run, wait_for, write_events


async def test_run_list_follows_new_runs_and_status(tmp_path: Path) -> None:
    runs = tmp_path / "runs"
    live = make_run(runs, "a_live", edst_events(end=None)[:8] + [epoch_end(3, T0 + 1150)])
    app = FtkTui(runs, interval=0.05, clock=fixed_clock())
    async with app.run_test(size=(100, 30)) as pilot:
        table = app.screen.query_one("#runs", DataTable)
        assert table.row_count == 1 and table.get_row_at(0)[4] == "running"
        write_events(live / "events.jsonl", [event("run_end", T0 + 1160, status="failed", error="x", summary=None)], mode="a")
        await wait_for(pilot, lambda: table.get_row_at(0)[4] == "failed")
        make_run(runs, "b_new", edst_events())
        await wait_for(pilot, lambda: table.row_count == 2)
        assert table.get_row_at(1)[0] == "b_new" and table.get_row_at(1)[6] == "0.9600"


async def test_empty_folder_says_so(tmp_path: Path) -> None:
    app = FtkTui(tmp_path, interval=0.05, clock=fixed_clock())
    async with app.run_test(size=(80, 24)):
        assert "no run directories" in str(app.screen.query_one("#runs-empty").content)


async def test_run_view_reads_a_long_file_in_chunks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(RunViewScreen, "FIRST_CHUNK_BYTES", 1500)
    monkeypatch.setattr(RunViewScreen, "CHUNK_BYTES", 1500)
    run = make_run(tmp_path, "long", edst_events())
    app = FtkTui(run, interval=0.05, clock=fixed_clock())
    async with app.run_test(size=(100, 40)) as pilot:
        screen = app.screen
        assert isinstance(screen, RunViewScreen)
        await wait_for(pilot, lambda: not screen.monitor.loading and not screen._catching_up)
        await pilot.pause()
        assert screen.query_one("#tickets", DataTable).row_count == 3
        assert screen.query_one(RunHeader).loading is None
        assert "reading" not in str(screen.query_one("#run-details").content)
