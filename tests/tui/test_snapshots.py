"""Snapshot tests of the run list and the run view on fixed event files.

Regenerate after an intended change of the looks with
`pytest tests/tui/test_snapshots.py --snapshot-update`, then review the SVGs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from ftk_tui.app import FtkTui
from tests.tui.conftest import edst_events, fixed_clock, make_run

SIZES = [(80, 24), (120, 40)]


def _runs(folder: Path) -> Path:
    make_run(folder, "edst_wrn", edst_events())
    make_run(folder, "edst_failed", edst_events(end="failed"))
    make_run(folder, "edst_live", edst_events(end=None)[:12])
    ensemble = edst_events()
    ensemble[0] = ensemble[0] | {"protocol": "dst_ensemble", "single_run": False, "model": "wrn-28-10"}
    make_run(folder, "dst_ensemble_wrn-20261204-040102", ensemble)  # a long, timestamped name
    return folder


async def _settle(pilot: Any) -> None:
    await pilot.pause(0.2)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_run_list(snap_compare: Any, tmp_path: Path, size: tuple[int, int]) -> None:
    app = FtkTui(_runs(tmp_path / "runs"), clock=fixed_clock())
    assert snap_compare(app, terminal_size=size, run_before=_settle)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_run_view(snap_compare: Any, tmp_path: Path, size: tuple[int, int]) -> None:
    app = FtkTui(make_run(tmp_path / "runs", "edst_wrn", edst_events()), clock=fixed_clock())
    assert snap_compare(app, terminal_size=size, run_before=_settle)


def test_run_view_of_a_failed_run(snap_compare: Any, tmp_path: Path) -> None:
    app = FtkTui(make_run(tmp_path / "runs", "edst_failed", edst_events(end="failed")), clock=fixed_clock())
    assert snap_compare(app, terminal_size=(80, 24), run_before=_settle)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("pane", ["layers", "log"])
def test_run_view_with_a_maximised_pane(snap_compare: Any, tmp_path: Path, size: tuple[int, int], pane: str) -> None:
    app = FtkTui(make_run(tmp_path / "runs", "edst_wrn", edst_events()), clock=fixed_clock())
    keys = ["tab", "z"] if pane == "layers" else ["shift+tab", "z"]
    assert snap_compare(app, press=keys, terminal_size=size, run_before=_settle)
