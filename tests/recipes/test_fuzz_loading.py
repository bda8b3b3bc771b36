"""Fuzz: whatever a recipe file and its `--set` overrides hold, only `RecipeError` escapes.

Documents are the shipped test recipes with random edits (huge numbers, deep
lists, odd strings, wrong types), dumped to YAML, then sometimes cut up with
fragments that YAML treats specially (anchors, aliases, tags, brackets, BOMs)
and saved in a random encoding. Runs are derandomized: the same test command
draws the same examples. (Hypothesis also mixes in literals of the local
modules already imported, so this file alone draws a few different examples
than the whole suite does; both are fixed.)
"""

from __future__ import annotations

import itertools
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ftk.recipes import Recipe, RecipeError, load_recipe, shipped_recipes
from ftk.recipes.schema import section_model

BASES = [
    yaml.safe_load(shipped_recipes()[name].read_text(encoding="utf-8"))
    for name in ("test_dense", "test_static", "test_dst", "test_edst", "test_pf", "edst_wrn")
]


def _schema_paths(prefix: tuple[str, ...] = ()) -> list[str]:
    model = section_model(prefix)
    paths = []
    for key in model.model_fields:
        path = (*prefix, key)
        paths.append(".".join(path))
        if section_model(path) is not None:
            paths += _schema_paths(path)
    return paths


PATHS = _schema_paths() + ["epochs", "data.nme", "training.epochs.x", "a..b", ""]
NASTY_TEXT = [
    "&a ", "*a", "&a [1, 2]", "[" * 40, "{" * 40, "]", "}", "!!python/object:os.system ",
    "!!binary ", "!!set ", "!!float ", "!!int ", "? ", "<<: ", "- ", ": ", "\t", "\x00", "\x85",
    "\ufeff", "\u2028", "'", '"', "\\", "|", ">", "%YAML 1.1\n", "---\n", "...\n", "#", "\n  ",
    "1e400", "1.0e400", "1" + "0" * 400, "9" * 5000, "2020-13-45", "0x" + "f" * 120, "1:2:3:4:5",
    ".nan", "-.inf", "é", "\U0001f600",
]
SCALARS = st.one_of(
    st.integers(min_value=-(2**70), max_value=2**70),
    st.sampled_from([0, -1, 1, 2**31, 2**32 - 1, 2**32, 10**12, 10**400, 10000000001]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([1e-9, 1.0, 0.999999, 0.5, 1e308]),
    st.booleans(),
    st.none(),
    st.text(max_size=12),
    st.sampled_from(NASTY_TEXT + ["mlp", "cifar11", "resnt18", "wrn-27-10", "edst", "cosine"]),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4)
    | st.dictionaries(st.sampled_from(PATHS) | st.text(max_size=6), inner, max_size=4),
    max_leaves=12,
)
ENCODINGS = ["utf-8"] * 10 + ["utf-8-sig", "utf-16", "utf-16-le", "utf-32", "latin-1", "cp1252"]


def _edit(data: dict[str, Any], path: str, value: Any) -> None:
    *parents, last = path.split(".")
    node: Any = data
    for key in parents:
        if not isinstance(node, dict):
            return
        node = node.setdefault(key, {})
    if isinstance(node, dict):
        node[last] = value


@st.composite
def recipe_bytes(draw: st.DrawFn) -> bytes:
    if draw(st.integers(0, 19)) == 0:
        return draw(st.binary(max_size=300))
    data = yaml.safe_load(yaml.safe_dump(draw(st.sampled_from(BASES))))
    for path, value in draw(st.lists(st.tuples(st.sampled_from(PATHS), VALUES), max_size=4)):
        _edit(data, path, value)
    text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=10**6)
    for _ in range(draw(st.sampled_from([0, 0, 0, 1, 2, 3]))):
        at = draw(st.integers(0, len(text)))
        text = text[:at] + draw(st.sampled_from(NASTY_TEXT) | st.text(max_size=5)) + text[at:]
    return text.encode(draw(st.sampled_from(ENCODINGS)), errors="replace")


@st.composite
def override(draw: st.DrawFn) -> str:
    path = draw(st.sampled_from(PATHS) | st.text(max_size=8))
    if draw(st.booleans()):
        value = yaml.safe_dump(draw(VALUES), default_flow_style=True, width=10**6)
        value = value.removesuffix("\n...\n").strip()
    else:
        parts = st.lists(st.sampled_from(NASTY_TEXT) | st.text(max_size=4), max_size=3)
        value = "".join(draw(parts))
    return path + draw(st.sampled_from(["=", "=", "=", "", "=="])) + value


_names = itertools.count()


@pytest.mark.timeout(120)
@settings(
    max_examples=300,
    deadline=timedelta(seconds=2),
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(content=recipe_bytes(), overrides=st.lists(override(), max_size=3))
def test_only_recipe_errors_escape(
    tmp_path_factory: pytest.TempPathFactory, content: bytes, overrides: list[str]
) -> None:
    path = tmp_path_factory.getbasetemp() / f"fuzz_{next(_names)}.yaml"
    path.write_bytes(content)
    start = time.perf_counter()
    try:
        recipe = load_recipe(path, overrides)
    except RecipeError as error:
        assert str(error).startswith(f"{path}: invalid recipe (")
        assert error.problems and all(": " in problem for problem in error.problems)
    else:
        assert isinstance(recipe, Recipe)
    finally:
        path.unlink()
    assert time.perf_counter() - start < 2.0


def test_fuzz_documents_reach_the_schema(tmp_path: Path) -> None:
    """The unedited bases load, so the fuzz explores the schema and rules, not only YAML errors."""
    for index, data in enumerate(BASES):
        path = tmp_path / f"base_{index}.yaml"
        path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
        assert isinstance(load_recipe(path), Recipe)
