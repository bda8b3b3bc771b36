"""A table of broken recipes: each fails with one readable message naming the field path."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from ftk.recipes import RecipeError, load_recipe

# A valid EDST recipe; each case below breaks one thing.
BASE: dict[str, Any] = {
    "name": "broken",
    "protocol": "edst",
    "model": {"name": "mlp"},
    "data": {"name": "digits", "batch_size": 32},
    "training": {"epochs": 6},
    "sparsity": {"density": 0.2},
    "dst": {"update_frequency": 4},
    "ensemble": {"members": 2},
    "edst": {"explore_epochs": 2},
}


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def edit(data: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        node = data
        for key in parents:
            node = node.setdefault(key, {})
        node[last] = value

    return edit


def _drop(key: str) -> Callable[[dict[str, Any]], None]:
    return lambda data: data.pop(key)


def _dense(data: dict[str, Any]) -> None:
    data["protocol"] = "dense"
    for key in ("sparsity", "dst", "edst", "ensemble"):
        data.pop(key)


def _both(*edits: Callable[[dict[str, Any]], None]) -> Callable[[dict[str, Any]], None]:
    def edit(data: dict[str, Any]) -> None:
        for one in edits:
            one(data)

    return edit


def case(name: str, recipe: Any, *fragments: str, overrides: tuple[str, ...] = ()) -> Any:
    """A broken recipe (an edit of `BASE`, or raw YAML) and what its message must contain."""
    return pytest.param(recipe, overrides, fragments, id=name)


def _unchanged(data: dict[str, Any]) -> None:
    del data


CASES = [
    case(
        "unknown_top_key",
        _set("epochs", 5),
        "epochs: unknown key 'epochs'; did you mean 'training.epochs'?",
    ),
    case(
        "unknown_key_no_match",
        _set("zzz", 5),
        "zzz: unknown key 'zzz'; valid keys: name, description",
    ),
    case(
        "unknown_nested_key",
        _set("data.batchsize", 64),
        "data.batchsize: unknown key 'batchsize'; did you mean 'batch_size'?",
    ),
    case(
        "string_for_int",
        _set("data.batch_size", "big"),
        "data.batch_size: must be an integer; received 'big'",
    ),
    case(
        "bool_for_int",
        _set("training.epochs", True),
        "training.epochs: must be an integer; received true",
    ),
    case(
        "density_0",
        _set("sparsity.density", 0),
        "sparsity.density: must be in (0, 1]; received 0",
    ),
    case(
        "density_1.5",
        _set("sparsity.density", 1.5),
        "sparsity.density: must be in (0, 1]; received 1.5",
    ),
    case("members_0", _set("ensemble.members", 0), "ensemble.members: must be >= 1; received 0"),
    case(
        "explore_ge_epochs",
        _set("edst.explore_epochs", 6),
        "edst.explore_epochs: must be less than training.epochs (6); received 6",
    ),
    case(
        "refinement_not_divisible",
        _set("training.epochs", 7),
        "training.epochs:",
        "ensemble.members (2)",
        "2.50 epochs per phase",
        "received 7",
        "6 or 8",
    ),
    case(
        "refinement_shorter_than_members",
        _set("training.epochs", 3),
        "training.epochs:",
        "0.50 epochs per phase",
        "use training.epochs 6",
    ),
    case(
        "refinement_phase_too_short",
        _set("training.epochs", 4),
        "ensemble.members: each EDST refinement phase needs at least 2 epochs",
        "received 2",
    ),
    case(
        "dst_missing",
        _both(_set("protocol", "dst_ensemble"), _drop("dst"), _drop("edst")),
        "dst: required for protocol 'dst_ensemble'",
    ),
    case(
        "edst_for_dst_ensemble",
        _set("protocol", "dst_ensemble"),
        "edst: not allowed for protocol 'dst_ensemble'",
    ),
    case(
        "sparsity_for_dense",
        _both(_dense, _set("sparsity", {"density": 0.5})),
        "sparsity: not allowed for protocol 'dense'",
    ),
    case(
        "members_2_for_dense",
        _both(_dense, _set("ensemble.members", 2)),
        "ensemble.members: must be 1 for protocol 'dense'; received 2",
    ),
    case(
        "bad_protocol",
        _set("protocol", "edts"),
        "protocol: must be one of 'dense', 'deep_ensemble', 'static_ensemble', 'dst_ensemble'",
        "did you mean 'edst'?",
    ),
    case(
        "bad_growth",
        _set("dst.growth", "rigl"),
        "dst.growth: must be one of 'random', 'gradient', 'momentum'; received 'rigl'",
    ),
    case(
        "bad_lr_schedule",
        _set("training.lr_schedule", "exponential"),
        "training.lr_schedule: must be one of 'constant', 'step', 'cosine'; received 'exponential'",
    ),
    case(
        "milestones_not_increasing",
        _set("training.lr_milestones", [0.75, 0.5]),
        "training.lr_milestones: must be a strictly increasing list",
        "received [0.75, 0.5]",
    ),
    case(
        "milestone_outside_0_1",
        _set("training.lr_milestones", [0.5, 1.0]),
        "training.lr_milestones:",
        "each in (0, 1)",
    ),
    case(
        "warmup_ge_epochs",
        _set("training.warmup_epochs", 6),
        "training.warmup_epochs: must be less than training.epochs (6); received 6",
    ),
    case(
        "best_val_without_validation",
        _set("edst.ticket", "best_val"),
        "edst.ticket: 'best_val' needs a validation set",
        "data.validation_split",
    ),
    case(
        "negative_weight_decay",
        _set("training.weight_decay", -0.1),
        "training.weight_decay: must be >= 0; received -0.1",
    ),
    case("batch_size_0", _set("data.batch_size", 0), "data.batch_size: must be >= 1; received 0"),
    case(
        "validation_split_1",
        _set("data.validation_split", 1.0),
        "data.validation_split: must be in [0, 1); received 1.0",
    ),
    case(
        "death_rate_1",
        _set("dst.death_rate", 1.0),
        "dst.death_rate: must be in (0, 1); received 1.0",
    ),
    case("model_missing", _drop("model"), "model: required, but missing"),
    case(
        "section_not_mapping",
        _set("data", "cifar10"),
        "data: must be a mapping of keys to values; received 'cifar10'",
    ),
    case(
        "bad_run_name",
        _set("name", "my run"),
        "name: must be a folder name",
        "received 'my run'",
    ),
    case("two_line_description", _set("description", "one\ntwo"), "description: must be one line"),
    case(
        "malformed_yaml",
        "name: broken\nprotocol: edst\nmodel: {name: mlp\ndata: x\n",
        "line 4",
        "not valid YAML",
    ),
    case(
        "yaml_list",
        "- name: a\n- protocol: edst\n",
        "must be a mapping of keys to values",
        "list",
    ),
    case("empty_file", "", "must be a mapping of keys to values; received an empty file"),
    case(
        "duplicate_key",
        "name: a\nprotocol: dense\nmodel: {name: mlp}\ndata: {name: digits}\nprotocol: edst\n",
        "protocol: duplicate key (line 5; first on line 2)",
    ),
    case(
        "set_unknown_path",
        _unchanged,
        "--set 'data.nme=cifar100': unknown key 'nme' in 'data'; did you mean 'name'?",
        "valid keys: name, batch_size",
        overrides=("data.nme=cifar100",),
    ),
    case(
        "set_without_equals",
        _unchanged,
        "--set 'data.name': expected PATH=VALUE",
        overrides=("data.name",),
    ),
    case(
        "set_below_a_value",
        _unchanged,
        "'data.name' is a value, not a section",
        overrides=("data.name.x=1",),
    ),
]


def _write(tmp_path: Path, recipe: Any) -> Path:
    if isinstance(recipe, str):
        text = recipe
    else:
        data = copy.deepcopy(BASE)
        recipe(data)
        text = yaml.safe_dump(data, sort_keys=False)
    path = tmp_path / "broken.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_base_recipe_is_valid(tmp_path: Path) -> None:
    recipe = load_recipe(_write(tmp_path, _unchanged))
    assert recipe.protocol == "edst" and recipe.ensemble.members == 2


def test_table_is_large_enough() -> None:
    assert len(CASES) >= 20


@pytest.mark.parametrize(("recipe", "overrides", "fragments"), CASES)
def test_broken_recipe(
    tmp_path: Path, recipe: Any, overrides: tuple[str, ...], fragments: tuple[str, ...]
) -> None:
    path = _write(tmp_path, recipe)
    with pytest.raises(RecipeError) as info:
        load_recipe(path, overrides)
    message = str(info.value)
    assert message.startswith(str(path))
    for fragment in fragments:
        assert fragment in message
    # pydantic's own wording and links never reach the user.
    for raw in ("Input should", "pydantic", "validation error for", "function-plain"):
        assert raw not in message
