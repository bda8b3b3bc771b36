"""The compare view: two runs' curves overlaid, opened from the run list or `--compare`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.widgets import DataTable, Label

from ftk_tui import app as app_module
from ftk_tui.app import FtkTui, main
from ftk_tui.screens.compare_view import FIRST_CHUNK_BYTES, CompareViewScreen, run_labels
from ftk_tui.screens.run_list import MARK, RunListScreen
from ftk_tui.widgets.metric_plot import MetricPlot
from tests.tui.conftest import T0, edst_events, epoch_end, fixed_clock, make_run, wait_for, write_events

SIZES = [(80, 24), (120, 40)]


def _runs(folder: Path) -> tuple[Path, Path]:
    """A finished EDST run of 10 epochs and one still in its third epoch."""
    return make_run(folder, "edst_a", edst_events()), make_run(folder, "edst_b", edst_events(end=None)[:6])


def _compare(run_a: Path, run_b: Path) -> FtkTui:
    return FtkTui(run_a, interval=0.05, clock=fixed_clock(), compare=(run_a, run_b))


def _series(app: FtkTui, plot_id: str) -> dict[str, tuple[list[float], list[float]]]:
    return {label: (list(xs), list(ys)) for label, xs, ys in app.screen.query_one(f"#{plot_id}", MetricPlot).series}


def _table(app: FtkTui) -> list[list[str]]:
    table = app.screen.query_one("#compare-table", DataTable)
    return [[str(cell) for cell in table.get_row_at(i)] for i in range(table.row_count)]


async def test_compare_view_overlays_both_runs_curves(tmp_path: Path) -> None:
    run_a, run_b = _runs(tmp_path)
    app = _compare(run_a, run_b)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause(0.1)
        assert isinstance(app.screen, CompareViewScreen)
        loss = _series(app, "compare-loss")
        assert list(loss) == ["edst_a", "edst_b"]
        assert loss["edst_a"][0] == [float(e) for e in range(1, 11)]
        assert loss["edst_b"] == ([1.0, 2.0], [2.0, 1.0])  # loss 2 / epoch
        assert _series(app, "compare-accuracy")["edst_b"][1] == [0.5, 0.75]
        assert _series(app, "compare-val")["edst_a"][1][-1] == pytest.approx(1 - 0.6 / 10)
        ensemble = _series(app, "compare-ensemble")
        assert ensemble["edst_a"] == ([1.0, 2.0, 3.0], [pytest.approx(0.90 + m / 50) for m in (1, 2, 3)])
        assert ensemble["edst_b"] == ([], [])  # no ticket yet
        rows = _table(app)
        assert [row[0] for row in rows] == ["edst_a", "edst_b"]
        assert rows[0][1:4] == ["edst", "0.200", "10/10"]
        assert rows[0][5] == f"{0.90 + 3 / 50:.4f}" and rows[1][3] == "2/10" and rows[1][5] == "–"


async def test_compare_view_follows_new_epochs(tmp_path: Path) -> None:
    run_a, run_b = _runs(tmp_path)
    app = _compare(run_a, run_b)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause(0.1)
        write_events(run_b / "events.jsonl", [epoch_end(3, T0 + 180)], mode="a")
        await wait_for(pilot, lambda: len(_series(app, "compare-loss")["edst_b"][0]) == 3)
        assert _table(app)[1][3] == "3/10"


async def test_a_long_run_is_read_in_chunks_after_the_first_paint(tmp_path: Path) -> None:
    run_a = make_run(tmp_path, "long", edst_events(explore=3000))
    assert (run_a / "events.jsonl").stat().st_size > FIRST_CHUNK_BYTES
    run_b = make_run(tmp_path, "short", edst_events())
    app = FtkTui(run_a, interval=60.0, clock=fixed_clock(), compare=(run_a, run_b))  # no timer poll
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: len(_series(app, "compare-loss")["long"][0]) == 3006, timeout=5)
        assert "reading" not in str(app.screen.query_one("#compare-title", Label).content)


def test_runs_of_the_same_name_get_distinct_labels(tmp_path: Path) -> None:
    assert run_labels(tmp_path / "x" / "edst", tmp_path / "y" / "edst") == ("x/edst", "y/edst")
    assert run_labels(tmp_path / "a", tmp_path / "b") == ("a", "b")


async def test_space_and_c_in_the_run_list_open_the_compare_view(tmp_path: Path) -> None:
    run_a, run_b = _runs(tmp_path / "runs")
    make_run(tmp_path / "runs", "edst_c", edst_events())
    app = FtkTui(tmp_path / "runs", interval=0.05, clock=fixed_clock())
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause(0.1)
        table = app.screen.query_one("#runs", DataTable)
        await pilot.press("c")  # nothing marked: says what to do and stays
        assert isinstance(app.screen, RunListScreen)
        await pilot.press("space")
        assert str(table.get_row_at(0)[0]) == MARK + "edst_a"
        await pilot.press("down", "space", "space")  # mark and unmark edst_b
        assert str(table.get_row_at(1)[0]) == "edst_b"
        await pilot.press("down", "space", "c")  # edst_a and edst_c
        assert isinstance(app.screen, CompareViewScreen)
        assert [m.run_dir.name for m in app.screen.monitors] == ["edst_a", "edst_c"]
        await pilot.pause(0.1)
        assert list(_series(app, "compare-loss")) == ["edst_a", "edst_c"]
        await pilot.press("escape")
        assert isinstance(app.screen, RunListScreen)
        assert str(table.get_row_at(0)[0]) == MARK + "edst_a"  # marks survive refreshes


async def test_c_compares_the_marked_run_with_the_one_under_the_cursor(tmp_path: Path) -> None:
    _runs(tmp_path / "runs")
    app = FtkTui(tmp_path / "runs", interval=0.05, clock=fixed_clock())
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause(0.1)
        await pilot.press("down", "space", "up", "c")
        assert isinstance(app.screen, CompareViewScreen)
        assert [m.run_dir.name for m in app.screen.monitors] == ["edst_b", "edst_a"]


def test_compare_option_opens_the_compare_view(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    run_a, run_b = _runs(tmp_path)
    started: list[FtkTui] = []
    monkeypatch.setattr(app_module.FtkTui, "run", lambda self: started.append(self))
    assert main(["--compare", str(run_a), str(run_b)]) == 0
    assert started[0].compare == (run_a, run_b)


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--compare", "RUN_A_MISSING", "."], "no such directory: RUN_A_MISSING"),
        (["runs", "--compare", ".", "."], "not both"),
        ([], "give a run directory"),
    ],
)
def test_compare_option_errors_say_what_to_do(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit):
        main(argv)
    assert message in capsys.readouterr().err


async def test_compare_option_app_shows_both_runs(tmp_path: Path) -> None:
    run_a, run_b = _runs(tmp_path)
    app = FtkTui(run_a, clock=fixed_clock(), compare=(run_a, run_b))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause(0.1)
        assert isinstance(app.screen, CompareViewScreen)
        assert [row[0] for row in _table(app)] == ["edst_a", "edst_b"]
        await pilot.press("escape")  # nothing below: escape does nothing
        assert isinstance(app.screen, CompareViewScreen)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_compare_view_snapshot(snap_compare: Any, tmp_path: Path, size: tuple[int, int]) -> None:
    run_a, run_b = _runs(tmp_path)
    app = FtkTui(run_a, clock=fixed_clock(), compare=(run_a, run_b))
    assert snap_compare(app, terminal_size=size, run_before=lambda pilot: pilot.pause(0.2))
