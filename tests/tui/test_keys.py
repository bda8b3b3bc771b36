"""Pilot tests of the keys: help, quit, moving between panes, back and reload."""

from __future__ import annotations

from pathlib import Path

from ftk_tui.app import FtkTui
from ftk_tui.screens.help import HelpScreen
from ftk_tui.screens.run_list import RunListScreen
from ftk_tui.screens.run_view import RunViewScreen
from tests.tui.conftest import edst_events, fixed_clock, make_run, wait_for


async def test_question_mark_opens_and_closes_help(run_dir: Path) -> None:
    app = FtkTui(run_dir, clock=fixed_clock())
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("question_mark")
        assert isinstance(app.screen, RunViewScreen)
        await pilot.press("question_mark", "escape")
        assert isinstance(app.screen, RunViewScreen)


async def test_q_exits(run_dir: Path) -> None:
    app = FtkTui(run_dir, clock=fixed_clock())
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("q")
        await pilot.pause()
        assert not app.is_running
    assert app.return_code == 0


async def test_tab_and_arrows_move_between_panes(run_dir: Path) -> None:
    app = FtkTui(run_dir, clock=fixed_clock())
    async with app.run_test(size=(80, 24)) as pilot:
        assert app.focused is not None and app.focused.id == "curves-pane"
        await pilot.press("tab")
        assert app.focused.id == "layers-pane"
        await pilot.press("down", "right")
        assert app.focused.id == "phases-pane"
        await pilot.press("up")
        assert app.focused.id == "topology-pane"
        await pilot.press("shift+tab", "left")
        assert app.focused.id == "curves-pane"
        await pilot.press("left")
        assert app.focused.id == "log-pane"  # wraps around


async def test_list_opens_a_run_and_escape_goes_back(tmp_path: Path) -> None:
    make_run(tmp_path / "runs", "a_run", edst_events())
    make_run(tmp_path / "runs", "b_run", edst_events(end=None)[:8])
    app = FtkTui(tmp_path / "runs", interval=0.05, clock=fixed_clock())
    async with app.run_test(size=(80, 24)) as pilot:
        assert isinstance(app.screen, RunListScreen)
        await pilot.press("down", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, RunViewScreen))
        assert app.screen.monitor.run_dir.name == "b_run"
        await pilot.press("escape")
        assert isinstance(app.screen, RunListScreen)


async def test_escape_does_nothing_without_a_run_list(run_dir: Path) -> None:
    app = FtkTui(run_dir, clock=fixed_clock())
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("escape")
        assert isinstance(app.screen, RunViewScreen)


async def test_r_reloads_from_the_start(run_dir: Path) -> None:
    app = FtkTui(run_dir, clock=fixed_clock())
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        assert isinstance(screen, RunViewScreen)
        before = screen.monitor.state
        await pilot.press("r")
        assert screen.monitor.state is not before
        assert screen.monitor.state.events == before.events and len(screen.monitor.state.tickets) == 3
