"""Every shipped recipe validates and builds its model."""

import pytest

import ftk
from ftk import flops
from ftk.cli.recipe_models import build_recipe_model
from ftk.recipes import load_recipe, shipped_recipes

# Independent counts of WRN-28-10 for CIFAR-10 (tests/models/test_wrn.py and
# tests/test_flops.py derive them in closed form from the architecture).
WRN_28_10_PARAMS = 36_479_194  # trainable
WRN_28_10_FORWARD_FLOPS = 10_494_775_818


@pytest.mark.parametrize("name", sorted(shipped_recipes()))
def test_shipped_recipe_builds(name):
    recipe = load_recipe(shipped_recipes()[name])
    model, info = build_recipe_model(recipe)
    assert model.optimizer is not None and model.output.shape[-1] == info.num_classes
    if recipe.protocol in ("static_ensemble", "dst_ensemble", "edst"):
        assert ftk.density(model) == pytest.approx(recipe.sparsity.density, abs=1e-3)
    if recipe.model.name == "wrn-28-10":
        plain = ftk.strip(model) if ftk.sparse_weights(model) else model
        assert ftk.active_count(plain) == WRN_28_10_PARAMS
        assert ftk.parameter_count(model) == plain.count_params()  # the masks do not count
        assert flops.forward_flops(plain) == WRN_28_10_FORWARD_FLOPS
