"""Odd values in events (inf, nan, 1e400, huge ints, strings for numbers, markup, junk)
fold or count as malformed, and never crash the state, the formatting or the app."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest
from rich.text import Text
from textual.widgets import DataTable, Label

from ftk_tui import app as app_module
from ftk_tui import format as fmt
from ftk_tui.app import FtkTui
from ftk_tui.events import EVENT_TYPES, decode_lines
from ftk_tui.runs import RunSummarizer
from ftk_tui.state import RunState, fold
from ftk_tui.widgets.error_panel import ErrorPanel
from ftk_tui.widgets.run_header import RunHeader
from tests.tui.conftest import T0, edst_events, fixed_clock, make_run, wait_for
from tests.tui.odd_events import (
    FIELDS,
    HUGE,
    LAYER_FIELDS,
    ODD_VALUES,
    json_line,
    odd_events,
    render_all,
    through_json,
)


@pytest.mark.parametrize("value", ODD_VALUES, ids=lambda v: repr(v)[:20])
def test_every_event_type_folds_an_odd_value_in_every_field(value: Any) -> None:
    state = fold(edst_events(end=None)[:6])
    for type_ in sorted(EVENT_TYPES):
        event = {"type": type_, **{name: value for name in FIELDS}}
        state.apply(event)
        render_all(state)
        layer = {"type": type_, "t": T0, "layers": [{name: value for name in LAYER_FIELDS}]}
        state.apply(layer)
        render_all(state)
    assert state.events == 6 + 2 * len(EVENT_TYPES)


def test_t_of_1e400_is_ignored_as_a_time() -> None:
    events = decode_lines([json_line(e) for e in edst_events(end=None)[:6]] + [
        b'{"schema": 1, "t": 1e400, "type": "epoch_end", "member": 0, "epoch": 3, "global_epoch": 3}',
        b'{"schema": 1, "t": -1e400, "type": "checkpoint", "path": "x"}',
        b'{"schema": 1, "t": NaN, "type": "checkpoint", "path": "y"}',
    ])[0]  # fmt: skip
    assert events[-3]["t"] == math.inf
    state = fold(events)
    assert state.global_epoch == 3 and state.checkpoint == "y" and state.invalid == 0
    assert state.first_t == T0 and math.isfinite(state.last_t)
    assert fmt.duration(state.elapsed(T0 + 10_000)) == "2h46m"
    assert state.status(T0 + 10) == "running"
    assert all("+?:??:??" in line for line in state.log_lines()[-3:])


@pytest.mark.parametrize("seconds", [math.inf, -math.inf, math.nan, -5.0, 1e308, HUGE])
def test_eta_of_odd_epoch_seconds_is_unknown(seconds: Any) -> None:
    start = edst_events(end=None)[:2]
    epochs = [{**e, "seconds": seconds} for e in edst_events(end=None)[2:8] if e["type"] == "epoch_end"]
    state = fold(through_json(start + epochs))
    assert state.global_epoch == 3
    assert fmt.duration(state.eta()) == fmt.DASH  # 1e308 s x 7 epochs left is infinite too


@pytest.mark.parametrize(
    "value", [None, math.inf, -math.inf, math.nan, 1e308, HUGE, -HUGE, "3", [1], {"a": 1}, True]
)
def test_format_helpers_take_any_value(value: Any) -> None:
    for helper in (fmt.duration, fmt.number, fmt.percent, fmt.count, fmt.bar):
        assert isinstance(helper(value), str)  # type: ignore[operator]
    assert isinstance(fmt.clock_offset(value, T0), str)
    assert isinstance(fmt.clock_offset(T0, value), str)


def test_huge_durations_stay_short() -> None:
    assert fmt.duration(1e308) == ">9999d" and fmt.duration(HUGE) == fmt.DASH
    assert fmt.duration(9999 * 86400) == "9999d00h"


def test_markup_in_names_is_shown_as_text() -> None:
    start = {**edst_events()[0], "run": "[/]", "protocol": "[bold]edst", "layers": [{"name": "[red]x[/]"}]}
    state = fold([start])
    assert list(state.layers) == ["[red]x[/]"]
    assert "[bold]edst" in RunHeader._details(state)


def test_non_dict_events_and_non_string_types_are_invalid() -> None:
    state = RunState()
    for event in ([1, 2], "run_start", None, {"type": ["run_start"]}, {"type": {"a": 1}}):
        state.apply(event)  # type: ignore[arg-type]
    assert state.events == 0 and state.invalid == 5


def test_summaries_of_odd_runs(tmp_path: Path) -> None:
    make_run(tmp_path, "odd", edst_events(end=None)[:6] + odd_events())
    summary = RunSummarizer().summarize(tmp_path / "odd", now=T0)
    assert summary.name == "odd"


async def test_app_shows_a_run_with_1e400_odd_events_and_a_partial_last_line(tmp_path: Path) -> None:
    run = make_run(tmp_path, "odd", edst_events(end=None)[:12])
    lines = [json_line(e) for e in odd_events()]
    lines.insert(0, b'{"schema": 1, "t": 1e400, "type": "epoch_end", "member": 0, "epoch": 7, "global_epoch": 7}')
    lines.append(json_line({"type": "run_start", "t": T0, "run": "[/]", "protocol": "[bold]", "layers": [{"name": "[/]"}]}))
    lines.append(json_line({"type": "run_end", "t": math.inf, "status": "failed", "error": "[/] boom [bold]"}))
    with open(run / "events.jsonl", "ab") as file:
        file.write(b"\n".join(lines) + b'\n{"schema": 1, "t": 1e400, "type": "epoch_e')
    app = FtkTui(run, interval=0.05, clock=fixed_clock())
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: _label(app, "#run-status") == "FAILED")
        await pilot.pause(0.3)
        assert app.is_running
        assert _label(app, "#run-title") == "[/]"
        assert "[bold]" in _label(app, "#run-details") and "malformed" in _label(app, "#run-details")
        assert _shown(app.screen.query_one("#layers", DataTable).get_row_at(0)[0]) == "[/]"
        assert "[/] boom [bold]" in str(app.screen.query_one(ErrorPanel).content)
    assert not app.return_code  # no unhandled error


async def test_run_list_shows_odd_runs(tmp_path: Path) -> None:
    make_run(tmp_path, "[bold]odd", edst_events(end=None)[:6] + odd_events())
    start = {"type": "run_start", "t": T0, "run": "[/]", "protocol": "[/]", "model": "[red]", "density": math.inf}
    make_run(tmp_path, "markup", [start])
    app = FtkTui(tmp_path, interval=0.05, clock=fixed_clock())
    async with app.run_test(size=(120, 30)) as pilot:
        table = app.screen.query_one("#runs", DataTable)
        await wait_for(pilot, lambda: table.row_count == 2)
        await pilot.pause(0.2)
        assert _shown(table.get_row_at(0)[0]) == "[bold]odd" and _shown(table.get_row_at(1)[1]) == "[/]"
        await pilot.press("enter")
        await wait_for(pilot, lambda: _label(app, "#run-title") != "")
        await pilot.pause(0.2)
        assert app.is_running


def _label(app: FtkTui, selector: str) -> str:
    return str(app.screen.query_one(selector, Label).content)


def _shown(cell: str) -> str:
    """The text a `DataTable` shows for a string cell (it reads markup)."""
    return Text.from_markup(cell).plain


def test_main_returns_the_apps_exit_status(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    class Crashing(FtkTui):
        def run(self, *args: Any, **kwargs: Any) -> None:
            self._return_code = 1  # what Textual sets after an unhandled exception

    monkeypatch.setattr(app_module, "FtkTui", Crashing)
    assert app_module.main([str(tmp_path)]) == 1
