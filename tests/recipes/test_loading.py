"""Shipped recipes, dumping, overrides and finding recipes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from ftk.recipes import (
    protocol_names,
    Recipe,
    RecipeError,
    apply_overrides,
    dump_recipe,
    find_recipe,
    load_recipe,
    parse_override,
    recipe_to_dict,
    shipped_recipes,
)

REPO = Path(__file__).resolve().parents[2]
PAPER = ("dense_wrn", "deep_ensemble_wrn", "static_wrn", "dst_wrn", "edst_wrn", "pf_wrn")
TESTS = ("test_dense", "test_deep_ensemble", "test_static", "test_dst", "test_edst", "test_pf",
         "test_mc_dropout")
SHIPPED = sorted(shipped_recipes())


def test_expected_recipes_are_shipped() -> None:
    assert set(PAPER + TESTS + ("edst_demo", "edst_resnet50_imagenet")) <= set(SHIPPED)
    assert all(path.parent == REPO / "recipes" for path in shipped_recipes().values())


@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_recipe_loads_and_round_trips(name: str, tmp_path: Path) -> None:
    recipe = load_recipe(shipped_recipes()[name])
    assert recipe.name == name
    assert recipe.description and "\n" not in recipe.description
    dumped = tmp_path / "recipe.yaml"
    dumped.write_text(dump_recipe(recipe), encoding="utf-8")
    again = load_recipe(dumped)
    assert again == recipe
    assert recipe_to_dict(again) == recipe_to_dict(recipe)


def test_one_test_recipe_per_protocol() -> None:
    protocols = {load_recipe(name).protocol for name in TESTS}
    assert protocols == set(protocol_names())
    for name in (*TESTS, "edst_demo"):
        recipe = load_recipe(name)
        assert (recipe.data.name, recipe.model.name) == ("digits", "mlp")
        assert recipe.training.epochs <= (40 if name == "edst_demo" else 6)
        if name != "edst_demo":
            assert recipe.ensemble.members == (1 if recipe.protocol == "dense" else 2)
        assert not recipe.run.tensorboard or name == "edst_demo"


def test_edst_wrn_is_the_paper_command() -> None:
    recipe = load_recipe("edst_wrn")
    assert recipe.sparsity is not None and recipe.dst is not None and recipe.edst is not None
    assert (recipe.model.name, recipe.data.name) == ("wrn-28-10", "cifar10")
    assert recipe.training.epochs == 450  # 150 exploration + 3 x 100 refinement
    assert (recipe.edst.explore_epochs, recipe.ensemble.members) == (150, 3)
    assert (recipe.sparsity.density, recipe.sparsity.distribution) == (0.2, "erk")
    assert (recipe.edst.large_death_rate, recipe.dst.death_rate) == (0.8, 0.5)
    assert recipe.dst.death_rate_schedule == "constant"
    assert recipe.dst.update_frequency == 1000


def test_imagenet_recipe() -> None:
    recipe = load_recipe("edst_resnet50_imagenet")
    training = recipe.training
    assert (recipe.model.name, recipe.data.name, recipe.data.batch_size) == (
        "resnet50_imagenet",
        "imagenet2012",
        64,
    )
    assert (training.lr, training.warmup_epochs, training.label_smoothing) == (0.1, 5, 0.1)
    assert training.weight_decay == 1e-4 and set(training.weight_decay_exclude) == {"gamma", "beta"}
    assert recipe.dst is not None and recipe.dst.update_frequency == 4000


def test_defaults_are_the_paper_cifar_setting() -> None:
    recipe = load_recipe("dense_wrn")
    training = recipe.training
    assert recipe.ensemble.members == 1 and recipe.sparsity is None
    assert (training.epochs, training.optimizer, training.lr) == (250, "sgd", 0.1)
    assert (training.momentum, training.weight_decay) == (0.9, 5e-4)
    assert (training.lr_schedule, training.lr_milestones) == ("step", (0.5, 0.75))
    assert recipe.data.batch_size == 128
    assert load_recipe("static_wrn").ensemble.members == 3


def test_recipe_is_frozen() -> None:
    recipe = load_recipe("test_dense")
    with pytest.raises(Exception, match="frozen"):
        recipe.seed = 3  # type: ignore[misc]


def test_members_default_per_protocol() -> None:
    base = {"name": "x", "model": {"name": "mlp"}, "data": {"name": "digits"}}
    assert Recipe.model_validate({**base, "protocol": "dense"}).ensemble.members == 1
    assert Recipe.model_validate({**base, "protocol": "deep_ensemble"}).ensemble.members == 3
    empty = {**base, "protocol": "deep_ensemble", "training": None, "ensemble": None}
    assert Recipe.model_validate(empty).ensemble.members == 3


def test_overrides_on_edst_wrn() -> None:
    recipe = load_recipe("edst_wrn", ["data.name=cifar100", "ensemble.members=5"])
    assert recipe.data.name == "cifar100" and recipe.ensemble.members == 5
    assert recipe.training.epochs == 450


def test_override_that_breaks_divisibility() -> None:
    with pytest.raises(RecipeError) as info:
        load_recipe("edst_wrn", ["ensemble.members=7"])
    message = str(info.value)
    assert message.startswith(str(shipped_recipes()["edst_wrn"]))
    assert "training.epochs:" in message and "ensemble.members (7)" in message
    assert "42.86 epochs per phase" in message and "444 or 451" in message


def test_override_values_are_yaml() -> None:
    recipe = load_recipe(
        "test_dense",
        [
            "training.lr_milestones=[0.3,0.6]",
            "training.weight_decay=5e-4",
            "training.lr=0.05",
            "run.tensorboard=true",
            "data.limit=null",
            "data.validation_split=0.1",
            "seed=7",
            "seed=8",
        ],
    )
    assert recipe.training.lr_milestones == (0.3, 0.6)
    assert recipe.training.weight_decay == 5e-4 and recipe.training.lr == 0.05
    assert recipe.run.tensorboard is True and recipe.data.limit is None
    assert recipe.data.validation_split == 0.1 and recipe.seed == 8  # the last override wins


def test_override_creates_missing_sections() -> None:
    overrides = ["protocol=static_ensemble", "sparsity.density=0.3", "ensemble.members=2"]
    recipe = load_recipe("test_dense", overrides)
    assert recipe.sparsity is not None and recipe.sparsity.density == 0.3
    assert recipe.ensemble.members == 2


def test_override_all_problems_listed() -> None:
    with pytest.raises(RecipeError) as info:
        load_recipe("test_dense", ["trainig.lr=1", "data.name", "=3"])
    problems = info.value.problems
    assert len(problems) == 3
    assert "did you mean 'training'?" in problems[0]
    assert "expected PATH=VALUE" in problems[1]
    assert "empty key" in problems[2]


def test_apply_overrides_does_not_change_its_input() -> None:
    data = {"name": "x", "training": {"lr": 0.1}}
    result = apply_overrides(data, ["training.lr=0.2"])
    assert data == {"name": "x", "training": {"lr": 0.1}}
    assert result["training"]["lr"] == 0.2
    keys, value = parse_override("training.lr_milestones=[0.3, 0.6]")
    assert (keys, value) == (("training", "lr_milestones"), [0.3, 0.6])


def test_find_recipe(tmp_path: Path) -> None:
    shipped = shipped_recipes()
    assert find_recipe("edst_demo") == shipped["edst_demo"]
    assert find_recipe("edst_demo.yaml") == shipped["edst_demo"]
    assert find_recipe(shipped["edst_demo"]) == shipped["edst_demo"]
    local = tmp_path / "edst_demo.yaml"
    local.write_text("x: 1\n", encoding="utf-8")
    assert find_recipe(local) == local  # an existing path wins over a shipped name
    with pytest.raises(FileNotFoundError, match="did you mean 'edst_demo'"):
        find_recipe("edst_dmeo")
    with pytest.raises(FileNotFoundError):
        find_recipe(tmp_path / "elsewhere" / "edst_demo.yaml")


def test_dump_is_complete_and_readable() -> None:
    text = dump_recipe(load_recipe("edst_wrn"))
    assert text.startswith("name: edst_wrn\n")
    assert "  lr_milestones: [0.5, 0.75]\n" in text
    assert "pf: null\n" in text and "  explore_epochs: 150\n" in text
    assert "!!" not in text


def test_recipes_package_imports_no_tensorflow() -> None:
    code = (
        "import sys, types\n"
        f"pkg = types.ModuleType('ftk'); pkg.__path__ = [{str(REPO / 'ftk')!r}]\n"
        "sys.modules['ftk'] = pkg\n"
        "import ftk.recipes\n"
        "ftk.recipes.load_recipe('edst_demo')\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('tensorflow', 'keras'))\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=REPO)
