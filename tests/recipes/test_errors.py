"""RecipeError: all problems in one message, safe YAML loading, missing files."""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import Any

import pytest

from ftk.recipes import RecipeError, load_recipe
from tests.recipes.test_broken_recipes import _unchanged, _write


def test_all_problems_in_one_message(tmp_path: Path) -> None:
    def edit(data: dict[str, Any]) -> None:
        data["data"]["batchsize"] = 64
        data["sparsity"]["density"] = 1.5
        data["training"]["lr"] = -1
        data["dst"]["growth"] = "rigl"

    with pytest.raises(RecipeError) as info:
        load_recipe(_write(tmp_path, edit))
    problems = info.value.problems
    assert len(problems) == 4
    assert str(info.value).count("\n") == 4
    assert [p.split(":")[0] for p in problems] == [
        "data.batchsize",
        "training.lr",
        "sparsity.density",
        "dst.growth",
    ]


def test_all_cross_field_problems_in_one_message(tmp_path: Path) -> None:
    def edit(data: dict[str, Any]) -> None:
        data["training"]["epochs"] = 7
        data["edst"]["ticket"] = "best_val"
        data["pf"] = {}
        del data["dst"]

    with pytest.raises(RecipeError) as info:
        load_recipe(_write(tmp_path, edit))
    heads = sorted(p.split(":")[0] for p in info.value.problems)
    assert heads == ["dst", "edst.ticket", "pf", "training.epochs"]


def test_python_tag_is_refused(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    path = tmp_path / "evil.yaml"
    evil = f'name: !!python/object/apply:os.system ["touch {marker}"]\n'
    path.write_text(evil, encoding="utf-8")
    with pytest.raises(RecipeError) as info:
        load_recipe(path)
    assert str(info.value).startswith(str(path))
    assert "python/object/apply:os.system" in str(info.value)
    assert "line 1" in str(info.value)
    assert not marker.exists()


def test_python_tag_in_override_is_refused(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    evil = f'name=!!python/object/apply:os.system ["touch {marker}"]'
    with pytest.raises(RecipeError, match="not valid YAML"):
        load_recipe(_write(tmp_path, _unchanged), [evil])
    assert not marker.exists()


def test_missing_file() -> None:
    with pytest.raises(FileNotFoundError, match="no such recipe file"):
        load_recipe("no/such/recipe.yaml")


def test_recipe_error_pickles() -> None:
    error = RecipeError("a.yaml", ["x: bad"])
    again = pickle.loads(pickle.dumps(error))
    assert str(again) == str(error) and again.problems == ("x: bad",)
