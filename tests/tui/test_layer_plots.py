"""The per-layer density and turnover plots: their data, live updates, layer choice and looks."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from ftk_tui.app import FtkTui
from ftk_tui.layer_history import LayerHistory
from ftk_tui.state import fold
from ftk_tui.widgets.layer_plots import TOP_LAYERS, LayerPlots, short_names
from ftk_tui.widgets.metric_plot import MetricPlot
from tests.tui.conftest import (
    LAYERS,
    STEPS,
    T0,
    edst_events,
    epoch_end,
    event,
    fixed_clock,
    make_run,
    run_start,
    topology_update,
    wait_for,
    write_events,
)

SIZES = [(80, 24), (120, 40)]
NAMES = [layer["name"] for layer in LAYERS]


def _app(run_dir: Path) -> FtkTui:
    return FtkTui(run_dir, interval=0.05, clock=fixed_clock())


def _plot(app: FtkTui, plot_id: str) -> MetricPlot:
    return app.screen.query_one(f"#{plot_id}", MetricPlot)


def _wide_update(step: int, t: float, layers: int) -> dict[str, Any]:
    """An update of `layers` layers; layer `i` has turnover `i / 100` and density `0.5 - i / 100`."""
    entries = [
        {"name": f"wrn/block{i // 10}/unit{i % 10}/conv", "density": 0.5 - i / 100, "turnover": i / 100}
        for i in range(layers)
    ]
    return event("topology_update", t, member=0, epoch=step // STEPS, step=step, kind="regular", layers=entries)


def test_history_builds_one_series_per_layer_placed_within_its_epoch() -> None:
    state = fold(edst_events())
    series = state.layer_history.series(state.info.steps_per_epoch)
    assert list(series) == NAMES
    # Exploration's updates fall at step 50 of global epochs 0..3; the jump of
    # refinement 2 at the start of global epoch 6.
    assert series["conv1"].epochs[:4] == [0.5, 1.5, 2.5, 3.5]
    assert 6.0 in series["conv1"].epochs
    assert series["block1/conv"].density == [0.2] * len(state.topology)
    # topology_update(step, pruned=10 * epoch) gives turnover epoch / 100.
    assert series["dense"].turnover[:2] == [0.01, 0.02]
    assert series["dense"].steps[:2] == [50.0, 150.0]


def test_history_is_built_lazily_and_then_only_from_new_updates() -> None:
    history = LayerHistory()
    layers = [{"name": "a", "density": 0.3, "turnover": 0.1}]
    history.note(10, 0, layers)
    layers.append({"name": "b", "density": 0.4, "turnover": 0.2})  # read when built, not when noted
    first = history.series(100)
    assert list(first) == ["a", "b"] and first["a"].epochs == [0.1]
    layers.append({"name": "c"})  # read already: not read again
    history.note(110, 1, [{"name": "a", "density": 0.25, "turnover": None}])
    second = history.series(100)
    assert list(second) == ["a", "b"]
    assert second["a"].density == [0.3, 0.25] and second["a"].turnover == [0.1, None]
    assert second["a"].mean_turnover == pytest.approx(0.1)
    assert history.series(0)["a"].epochs == [0.0, 1.0]  # another epoch length: read again
    assert list(history.series(0)) == ["a", "b", "c"]


def test_series_stay_bounded_while_updates_keep_coming() -> None:
    history = LayerHistory(maxlen=10)
    for step in range(95):
        history.note(step, step // 10, [{"name": "a", "density": 0.5, "turnover": step / 100}])
        series = history.series(10)["a"]
        assert len(series.epochs) < 20
    assert series.steps[-1] == 94.0 and series.epochs[-1] == pytest.approx(9.4)
    assert series.mean_turnover == pytest.approx(sum(range(95)) / 95 / 100)  # over the whole run


def test_history_skips_odd_entries_and_keeps_a_bounded_number_of_updates() -> None:
    history = LayerHistory(maxlen=2)
    history.note("x", 0, "not a list")
    history.note(5, 0, [None, 3, {"name": "a", "density": "high", "turnover": float("nan")}])
    history.note(6, 1, [{"name": "a", "density": 0.1}])
    assert len(history) == 2
    series = history.series(0)["a"]
    assert series.epochs == [0.0, 1.0] and series.density == [None, 0.1] and series.turnover == [None, None]


def test_folding_notes_each_update_without_reading_its_layers() -> None:
    events = edst_events()
    state = fold(events)
    assert len(state.layer_history) == sum(e["type"] == "topology_update" for e in events)


def test_short_names_are_distinct_tails_of_bounded_length() -> None:
    assert short_names(["a/b1/conv", "a/b2/conv", "dense"]) == {
        "a/b1/conv": "b1/conv", "a/b2/conv": "b2/conv", "dense": "dense",
    }  # fmt: skip
    wrn = short_names(["wrn/block1/unit2/conv", "wrn/block2/unit2/conv"])
    assert wrn == {"wrn/block1/unit2/conv": "b1/u2/conv", "wrn/block2/unit2/conv": "b2/u2/conv"}
    long = short_names(["model/a_very_long_block_name/convolution_with_a_long_name"])
    assert long == {"model/a_very_long_block_name/convolution_with_a_long_name": "…h_a_long_name"}  # one name: its last part, cut


async def test_plots_show_each_layer_after_topology_updates(tmp_path: Path) -> None:
    app = _app(make_run(tmp_path, "edst_wrn", edst_events()))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause(0.1)
        density = _plot(app, "layer-density-plot").series
        turnover = _plot(app, "layer-turnover-plot").series
        assert [label for label, _, _ in density] == ["conv1", "conv", "dense"]
        assert [label for label, _, _ in turnover] == ["conv1", "conv", "dense"]
        label, xs, ys = density[0]
        assert xs[:2] == [0.5, 1.5] and set(ys) == {0.5}
        assert turnover[2][2][:2] == [0.01, 0.02]


async def test_new_updates_show_up_live(tmp_path: Path) -> None:
    run = make_run(tmp_path, "live", edst_events(end=None)[:4])  # one update so far
    app = _app(run)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: len(_plot(app, "layer-density-plot").series[0][1]) == 1)
        write_events(run / "events.jsonl", [topology_update(150, T0 + 90, pruned=70), epoch_end(2, T0 + 120)], "a")
        await wait_for(pilot, lambda: len(_plot(app, "layer-turnover-plot").series[0][1]) == 2)
        label, xs, ys = _plot(app, "layer-turnover-plot").series[0]
        assert xs == [0.5, 1.5] and ys == [0.01, 0.07]


async def test_many_layers_show_the_largest_turnover_and_brackets_step_through(tmp_path: Path) -> None:
    events = [run_start(), _wide_update(50, T0 + 30, 30), _wide_update(150, T0 + 90, 30)]
    app = _app(make_run(tmp_path, "wrn", events))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause(0.1)
        plots = app.screen.query_one(LayerPlots)
        assert len(plots.by_layer) == 30
        assert plots.shown == [f"wrn/block2/unit{i}/conv" for i in range(10 - TOP_LAYERS, 10)]
        assert len(_plot(app, "layer-density-plot").series) == TOP_LAYERS
        app.screen.query_one("#layer-plots-pane").focus()
        await pilot.press("right_square_bracket")
        assert plots.shown == ["wrn/block0/unit0/conv"]
        assert [s[0] for s in _plot(app, "layer-density-plot").series] == ["b0/u0/conv"]
        await pilot.press("left_square_bracket", "left_square_bracket")
        assert plots.shown == ["wrn/block2/unit9/conv"]
        await pilot.press("right_square_bracket")
        assert len(plots.shown) == TOP_LAYERS


async def test_a_run_without_updates_says_so(tmp_path: Path) -> None:
    app = _app(make_run(tmp_path, "new", [run_start()]))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause(0.1)
        assert _plot(app, "layer-density-plot").series == []
        assert "no topology updates yet" in str(app.screen.query_one("#layer-plots-note").render())


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_layer_plots_snapshot(snap_compare: Any, tmp_path: Path, size: tuple[int, int]) -> None:
    app = FtkTui(make_run(tmp_path / "runs", "edst_wrn", edst_events()), clock=fixed_clock())

    async def maximise(pilot: Any) -> None:
        await pilot.pause(0.2)
        pane = pilot.app.screen.query_one("#layer-plots-pane")
        pane.focus()
        pilot.app.screen.maximize(pane, container=False)
        await pilot.pause(0.2)

    assert snap_compare(app, terminal_size=size, run_before=maximise)
