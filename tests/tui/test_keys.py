"""Pilot tests of the keys: help, quit, moving between and within panes, maximising, back and reload."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import DataTable, Log, Static

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


PANES = [
    "curves-pane", "layers-pane", "layer-plots-pane", "topology-pane", "phases-pane", "ensemble-pane", "log-pane",
]  # fmt: skip


async def test_tab_moves_between_panes_and_arrows_do_not(run_dir: Path) -> None:
    app = FtkTui(run_dir, clock=fixed_clock())
    async with app.run_test(size=(80, 24)) as pilot:
        assert app.focused is not None and app.focused.id == "curves-pane"
        await pilot.press("tab")
        assert app.focused.id == "layers-pane"
        await pilot.press("down", "right", "up", "left")
        assert app.focused.id == "layers-pane"
        for expected in PANES[2:]:
            await pilot.press("tab")
            assert app.focused.id == expected
        await pilot.press("tab")
        assert app.focused.id == "curves-pane"  # wraps around
        await pilot.press("shift+tab")
        assert app.focused.id == "log-pane"


async def test_arrows_scroll_within_the_focused_log(run_dir: Path) -> None:
    app = FtkTui(run_dir, clock=fixed_clock())
    async with app.run_test(size=(80, 24)) as pilot:
        log = app.screen.query_one("#log", Log)
        await pilot.press("shift+tab")
        assert app.focused.id == "log-pane"
        await pilot.pause(0.1)
        assert log.max_scroll_y > 0 and log.scroll_y == log.max_scroll_y  # it follows the end
        await pilot.press("up")
        assert log.scroll_y == log.max_scroll_y - 1
        await pilot.press("home")
        assert log.scroll_y == 0
        await pilot.press("end")
        assert log.scroll_y == log.max_scroll_y
        assert log.max_scroll_x > 0  # the longest lines are wider than 80 columns
        await pilot.press("right", "right")
        assert log.scroll_x == 2
        await pilot.press("left")
        assert log.scroll_x == 1
        assert app.focused.id == "log-pane"


async def test_arrows_scroll_a_table_that_does_not_fit(tmp_path: Path) -> None:
    layers = [{"name": f"block{i}/conv", "shape": [3, 3, 16, 16], "density": 0.2} for i in range(20)]
    events = edst_events()
    events[0] = events[0] | {"layers": layers}
    app = FtkTui(make_run(tmp_path / "runs", "many_layers", events), clock=fixed_clock())
    async with app.run_test(size=(120, 40)) as pilot:
        table = app.screen.query_one("#layers", DataTable)
        await pilot.press("tab")
        assert app.focused.id == "layers-pane"
        await pilot.pause(0.1)
        assert table.max_scroll_y > 0 and table.scroll_y == 0
        await pilot.press("down", "down")
        assert table.scroll_y == 2
        await pilot.press("pagedown")
        assert table.scroll_y > 2
        await pilot.press("up")
        assert app.focused.id == "layers-pane"


async def test_arrows_scroll_the_view_when_the_pane_has_nothing_to_scroll(run_dir: Path) -> None:
    app = FtkTui(run_dir, clock=fixed_clock())
    async with app.run_test(size=(80, 24)) as pilot:
        panes = app.screen.query_one("#panes")
        assert app.focused.id == "curves-pane" and panes.max_scroll_y > 0 and panes.scroll_y == 0
        await pilot.press("down", "down", "down")
        assert panes.scroll_y == 3
        assert app.focused.id == "curves-pane"


async def test_z_maximises_the_focused_pane_and_escape_restores_it(tmp_path: Path) -> None:
    make_run(tmp_path / "runs", "a_run", edst_events())
    app = FtkTui(tmp_path / "runs", interval=0.05, clock=fixed_clock())
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, RunViewScreen))
        screen = app.screen
        await pilot.press("tab", "z")
        assert screen.maximized is not None and screen.maximized.id == "layers-pane"
        await pilot.pause(0.1)
        pane = screen.query_one("#layers-pane")
        assert pane.outer_size == (80, 24 - 3 - 1)  # all but the header's three lines and the footer
        assert screen.query_one("#run-header").display and screen.query_one("#run-header").region.height == 3
        await pilot.press("z")
        assert screen.maximized is None
        await pilot.press("shift+tab", "z")
        assert screen.maximized is not None and screen.maximized.id == "curves-pane"
        await pilot.press("escape")  # restores, and stays in the run
        assert screen.maximized is None and app.screen is screen
        await pilot.press("escape")  # back to the list
        assert isinstance(app.screen, RunListScreen)


async def test_help_lists_the_keys_of_panes(run_dir: Path) -> None:
    app = FtkTui(run_dir, clock=fixed_clock())
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("question_mark")
        text = str(app.screen.query_one("#help-keys", Static).content)
        assert "z " in text and "maximise" in text and "tab / shift+tab" in text
        assert "scroll in the pane" in text and "prunable" in text


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
