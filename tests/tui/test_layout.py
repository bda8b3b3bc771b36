"""Every pane usable at 80x24 and 120x40: what must stay in view, stays in view."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import DataTable, Log

from ftk_tui.app import FtkTui
from ftk_tui.screens.run_list import COLUMNS, fit_columns
from ftk_tui.screens.run_view import RunViewScreen
from ftk_tui.widgets.layer_table import fit_names, middle_cut
from tests.tui.conftest import T0, edst_events, fixed_clock, make_run, topology_update, wait_for

WRN_LAYERS = [
    {"name": f"stage{s}_block{b}_{kind}", "shape": [3, 3, 16 * 2**s, 16 * 2**s], "density": 0.2}
    for s in range(1, 4)
    for b in range(2)
    for kind in ("conv1", "conv2", "shortcut")
]


def _columns_width(table: DataTable, upto: str | None = None) -> int:
    """Cells from the table's left edge to the end of column `upto` (all columns when `None`)."""
    width = 0
    for column in table.columns.values():
        width += column.get_render_width(table)
        if str(column.label) == upto:
            break
    return width


def _wrn_run(folder: Path) -> Path:
    events = edst_events()
    events[0] = events[0] | {"layers": WRN_LAYERS}
    for i, e in enumerate(events):
        if e["type"] == "topology_update":
            update = topology_update(e["step"], e["t"], pruned=12345)
            update["layers"] = [
                layer | {"name": w["name"], "shape": w["shape"]} for layer, w in zip(update["layers"] * 6, WRN_LAYERS)
            ]
            events[i] = update
    return make_run(folder, "edst_demo-20261204-033512", events)


def _columns(table: DataTable) -> list[str]:
    return [str(column.label) for column in table.columns.values()]


async def test_the_run_list_at_80_columns_drops_columns_whole(tmp_path: Path) -> None:
    for name in ("edst_demo-20261204-033512", "dst_ensemble_mlp-20261204-040102"):
        events = edst_events()
        events[0] = events[0] | {"run": name, "protocol": "dst_ensemble", "model": "wrn-28-10"}
        make_run(tmp_path / "runs", name, events)
    app = FtkTui(tmp_path / "runs", clock=fixed_clock())
    async with app.run_test(size=(80, 24)) as pilot:
        table = app.screen.query_one("#runs", DataTable)
        await wait_for(pilot, lambda: table.row_count == 2)
        assert _columns(table)[0] == "run" and {"status", "progress", "best acc"} <= set(_columns(table))
        assert "model" not in _columns(table)
        assert _columns_width(table) <= 80  # nothing cut at the right edge: no `best e`
        await pilot.resize_terminal(140, 24)
        await pilot.pause(0.1)
        assert _columns(table) == list(COLUMNS)


def test_fit_columns_keeps_all_when_they_fit_and_drops_in_order() -> None:
    row = ("a" * 30, "dst_ensemble", "wrn-28-10", "0.20", "finished", "10/10", "0.9600")
    assert fit_columns([row], 200) == COLUMNS
    assert fit_columns([row], 0) == COLUMNS  # not laid out yet
    assert "model" not in fit_columns([row], 95) and "protocol" in fit_columns([row], 95)
    assert fit_columns([row], 40) == ("run", "status", "progress", "best acc")


async def test_the_layer_pane_at_120x40_keeps_pruned_grown_and_turnover(tmp_path: Path) -> None:
    app = FtkTui(_wrn_run(tmp_path / "runs"), clock=fixed_clock())
    async with app.run_test(size=(120, 40)) as pilot:
        table = app.screen.query_one("#layers", DataTable)
        await wait_for(pilot, lambda: table.row_count == len(WRN_LAYERS))
        await pilot.pause(0.1)
        assert _columns(table) == ["layer", "density", "pruned", "grown", "turnover"]  # the shape left out whole
        assert _columns_width(table) <= table.scrollable_content_region.width
        names = [str(table.get_row_at(i)[0]) for i in range(table.row_count)]
        assert "12,345" in [str(cell) for cell in table.get_row_at(0)]
        assert all("…" in name and len(name) < 22 for name in names)  # shortened, not cut at the edge
        assert len(set(names)) == len(names)  # and still told apart
        await pilot.press("tab", "z")  # maximised: room for the whole names and the shapes
        await pilot.pause(0.1)
        names = [str(table.get_row_at(i)[0]) for i in range(table.row_count)]
        assert names == [layer["name"] for layer in WRN_LAYERS]
        assert _columns(table)[-1] == "shape" and str(table.get_row_at(0)[-1]) == "3×3×32×32"


def test_middle_cut_keeps_both_ends() -> None:
    assert middle_cut("stage3_block1_shortcut", 11) == "stage…rtcut"
    assert middle_cut("conv1", 11) == "conv1"
    assert len(middle_cut("stage3_block1_shortcut", 8)) == 8


def test_fit_names_cuts_where_the_names_stay_apart() -> None:
    names = ["model/encoder/block1/conv", "model/encoder/block2/conv", "model/decoder/block1/conv"]
    fitted = fit_names(names, 16)
    assert all(len(name) == 16 for name in fitted) and len(set(fitted)) == 3
    assert fit_names(["dense"], 16) == ["dense"]


async def test_the_ensemble_table_and_the_events_fit_at_120x40(tmp_path: Path) -> None:
    app = FtkTui(make_run(tmp_path / "runs", "run", edst_events()), clock=fixed_clock())
    async with app.run_test(size=(120, 40)) as pilot:
        assert isinstance(app.screen, RunViewScreen)
        await pilot.pause(0.2)
        ensemble = app.screen.query_one("#ensemble", DataTable)
        assert _columns(ensemble)[-1] == "gain"
        assert _columns_width(ensemble) <= ensemble.scrollable_content_region.width
        log = app.screen.query_one("#log", Log)
        assert log.max_scroll_x == 0  # every line whole: the log spans the width
        assert max(len(line) for line in log.lines) > 80
        assert app.screen.query_one("#log-pane").outer_size.width == 120


async def test_every_pane_has_room_at_120x40(tmp_path: Path) -> None:
    app = FtkTui(make_run(tmp_path / "runs", "run", edst_events()), clock=lambda: T0 + 600)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause(0.2)
        for pane in app.screen.query("Pane"):
            assert pane.outer_size.height >= 8 and pane.outer_size.width >= 58, pane.id
            assert pane.region.bottom <= 40 - 1  # above the footer: no scrolling needed
