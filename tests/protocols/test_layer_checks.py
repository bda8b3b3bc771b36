"""Masks that cannot train are refused by `ftk validate`, and by `ftk run` before it writes."""

from __future__ import annotations

from pathlib import Path

import pytest

from ftk.cli import main
from ftk.cli.recipe_models import build_recipe_model
from ftk.protocols import get_protocol
from ftk.recipes import RecipeError, load_recipe


def layer_problems(recipe, layers):
    """What the recipe's protocol says about masks with these `(name, active, size)`."""
    return get_protocol(recipe.protocol).layer_problems(recipe, layers)


# (weight, active, size) of the test recipes' MLP at density 0.2 (ERK keeps the classifier dense).
MLP = [
    ("dense1/kernel", 5514, 16384),
    ("dense2/kernel", 8822, 65536),
    ("predictions/kernel", 2560, 2560),
]


def test_masks_that_keep_a_weight_in_every_layer_pass() -> None:
    for name in ("test_static", "test_dst", "test_edst", "test_pf"):
        assert layer_problems(load_recipe(name), MLP) == []
    assert layer_problems(load_recipe("test_dense"), []) == []


def test_a_layer_without_active_weight_names_density_and_layer() -> None:
    layers = [("dense1/kernel", 0, 16384), *MLP[1:]]
    [(path, message)] = layer_problems(load_recipe("test_static"), layers)
    assert path == "sparsity.density"
    assert "leaves 1 of the 3 prunable layers of model 'mlp' with no active weight" in message
    assert "('dense1/kernel')" in message and "received 0.2" in message


def test_dst_needs_a_sparse_layer() -> None:
    dense = [(name, size, size) for name, _, size in MLP]
    [(path, message)] = layer_problems(load_recipe("test_dst"), dense)
    assert path == "sparsity.density" and "DST has no weight to prune and regrow" in message
    assert layer_problems(load_recipe("test_static"), dense) == []  # fixed masks: harmless


def test_pf_keeps_at_least_one_weight_per_layer() -> None:
    parent = [(name, size, size) for name, _, size in MLP]  # the dense parent, before pruning
    recipe = load_recipe("test_pf", ["sparsity.density=1e-9"])
    [(path, message)] = layer_problems(recipe, parent)
    assert path == "sparsity.density"
    assert "keeps round(1e-09 * 84,480) = 0 weights" in message
    assert "use sparsity.density >= 3.6e-05" in message
    assert layer_problems(load_recipe("test_pf", ["sparsity.density=3.6e-05"]), parent) == []


@pytest.mark.timeout(60)
def test_build_refuses_a_density_that_empties_layers() -> None:
    recipe = load_recipe("test_static", ["sparsity.density=1e-9"])
    with pytest.raises(RecipeError) as info:
        build_recipe_model(recipe, "recipes/test_static.yaml")
    message = str(info.value)
    assert message.startswith("recipes/test_static.yaml: invalid recipe")
    assert "sparsity.density: leaves 3 of the 3 prunable layers" in message
    assert "'dense1/kernel'" in message and "received 1e-09" in message


@pytest.mark.timeout(60)
def test_build_refuses_a_batch_larger_than_the_data() -> None:
    overrides = ["data.name=cifar10", "data.limit=100", "data.batch_size=128"]
    recipe = load_recipe("test_edst", overrides)
    with pytest.raises(RecipeError, match="data.batch_size: must be at most the 100 training"):
        build_recipe_model(recipe, "x.yaml")


@pytest.mark.timeout(60)
def test_build_refuses_an_unknown_keras_application() -> None:
    recipe = load_recipe("test_edst", ["model.name=keras.applications.MobileNetV9"])
    with pytest.raises(RecipeError, match="model.name: keras.applications has no model 'Mobil"):
        build_recipe_model(recipe, "x.yaml")


@pytest.mark.timeout(60)
def test_validate_reports_the_empty_layers(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", "test_edst", "--set", "sparsity.density=1e-9"]) == 1
    err = " ".join(capsys.readouterr().err.split())
    assert "RecipeError" in err and "test_edst.yaml" in err
    assert "sparsity.density: leaves 3 of the 3 prunable layers" in err and "1e-09" in err


@pytest.mark.timeout(60)
def test_run_fails_the_same_way_before_creating_anything(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run_dir = tmp_path / "run"
    argv = ["run", "test_dst", "--set", "sparsity.density=1e-9", "--run-dir", str(run_dir)]
    assert main(argv) == 1
    err = " ".join(capsys.readouterr().err.split())
    assert "sparsity.density: leaves 3 of the 3 prunable layers" in err
    assert not run_dir.exists()
