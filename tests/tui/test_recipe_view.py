"""The recipe view: `v` in the run view shows the run's `recipe.yaml`, or says why it cannot."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from ftk_tui.app import FtkTui
from ftk_tui.screens.recipe_view import MAX_BYTES, RecipeViewScreen, read_recipe
from ftk_tui.screens.run_view import RunViewScreen
from tests.tui.conftest import edst_events, fixed_clock, make_run

SIZES = [(80, 24), (120, 40)]
RECIPE = """\
# EDST on WRN-28-10: 450 epochs = 150 explore + 3 x 100 refine
name: edst_wrn
protocol: edst
model: {name: wrn-28-10}
sparsity:
  density: 0.2
  distribution: erk
""" + "".join(f"# padding line {i}\n" for i in range(60))


def _run(tmp_path: Path) -> Path:
    run = make_run(tmp_path / "runs", "edst_wrn", edst_events())
    (run / "recipe.yaml").write_text(RECIPE, encoding="utf-8")
    return run


def _shown(app: FtkTui) -> str:
    """The text of what the recipe view shows: the recipe, or the message."""
    screen = app.screen
    assert isinstance(screen, RecipeViewScreen)
    widget = screen.query_one("#recipe-text, #recipe-message")
    content = widget.content  # type: ignore[attr-defined]
    return content.code if hasattr(content, "code") else str(content)


async def test_v_shows_the_recipe_and_escape_or_v_closes_it(tmp_path: Path) -> None:
    app = FtkTui(_run(tmp_path), clock=fixed_clock())
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("v")
        assert isinstance(app.screen, RecipeViewScreen)
        assert app.screen.text == RECIPE
        assert "450 epochs = 150 explore" in _shown(app)
        await pilot.press("escape")
        assert isinstance(app.screen, RunViewScreen)
        await pilot.press("v")
        assert isinstance(app.screen, RecipeViewScreen)
        await pilot.press("v")
        assert isinstance(app.screen, RunViewScreen)


async def test_the_recipe_scrolls(tmp_path: Path) -> None:
    app = FtkTui(_run(tmp_path), clock=fixed_clock())
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("v")
        scroll = app.screen.query_one("#recipe-scroll")
        assert scroll.has_focus and scroll.max_scroll_y > 0
        await pilot.press("pagedown")
        await pilot.pause(0.1)
        assert scroll.scroll_y > 0


async def test_a_missing_recipe_says_so(tmp_path: Path) -> None:
    run = _run(tmp_path)
    (run / "recipe.yaml").unlink()
    app = FtkTui(run, clock=fixed_clock())
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("v")
        assert app.screen.text is None
        assert "recipe.yaml does not exist" in _shown(app)


def test_an_unreadable_recipe_says_why(tmp_path: Path) -> None:
    (tmp_path / "recipe.yaml").mkdir()  # read() of a folder fails, even as root
    text, message = read_recipe(tmp_path / "recipe.yaml")
    assert text is None and message is not None
    assert message.startswith(f"Could not read {tmp_path / 'recipe.yaml'}")


def test_a_huge_recipe_is_cut(tmp_path: Path) -> None:
    (tmp_path / "recipe.yaml").write_bytes(b"x" * (MAX_BYTES + 10))
    text, message = read_recipe(tmp_path / "recipe.yaml")
    assert message is None and text is not None
    assert text.startswith("x" * 100) and text.rstrip().endswith("larger than 1024 KiB")


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_recipe_view_snapshot(
    snap_compare: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, size: tuple[int, int]
) -> None:
    monkeypatch.chdir(tmp_path)  # the title shows the path as given: keep it the same each time
    app = FtkTui(_run(tmp_path).relative_to(tmp_path), clock=fixed_clock())
    assert snap_compare(app, terminal_size=size, press=["v"])


def test_missing_recipe_snapshot(snap_compare: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    run = _run(tmp_path)
    (run / "recipe.yaml").unlink()
    app = FtkTui(run.relative_to(tmp_path), clock=fixed_clock())
    assert snap_compare(app, terminal_size=(80, 24), press=["v"])
