"""A growth rule defined outside ftk: registered here, used by name in `fit` and in a recipe."""

import numpy as np
import pytest
import yaml

import ftk
from ftk.recipes import RECIPES_DIR, RecipeError, recipe_from_dict
from ftk.sparse.growth_rules import (
    GROWTH_RULES,
    RandomGrowth,
    get_growth_rule,
    register_growth_rule,
)
from tests.callbacks.test_dynamic_sparsity import BATCH, MaskSnapshot, make_data, make_model


def fixed_scores(size: int) -> np.ndarray:
    """A fixed array per weight size, the same in every call."""
    return np.random.default_rng(size).normal(size=size)


class FixedScoreGrowth(RandomGrowth):
    """Grows where |a fixed array| is largest: no dense gradient, no randomness."""

    def score(self, layer):
        return np.abs(fixed_scores(layer.mask.size))


@pytest.fixture(autouse=True)
def registered(monkeypatch):
    """`fixed_scores` is registered during each test of this module, and only then."""
    monkeypatch.setattr(GROWTH_RULES, "_rules", dict(GROWTH_RULES._rules))
    register_growth_rule("fixed_scores", FixedScoreGrowth())


def test_registered_by_name_and_refused_twice():
    assert isinstance(get_growth_rule("fixed_scores"), FixedScoreGrowth)
    with pytest.raises(ValueError, match="already registered"):
        register_growth_rule("fixed_scores", FixedScoreGrowth())
    with pytest.raises(TypeError, match="must be a `RandomGrowth`"):
        register_growth_rule("not_a_rule", object())


def test_fit_grows_where_the_user_rule_scores_highest():
    update_step, rate = 3, 0.3
    model = make_model()
    snapshot = MaskSnapshot()
    dst = ftk.DynamicSparsity(update_frequency=update_step, death_rate=rate, growth="fixed_scores",
                              death_rate_schedule="constant", total_steps=100)
    x, y = make_data()
    model.fit(x, y, batch_size=BATCH, epochs=1, steps_per_epoch=update_step, shuffle=False,
              callbacks=[snapshot, dst], verbose=0)
    assert [u.step for u in dst.updates] == [update_step]
    assert dst.dense_gradients() == {}  # the rule reads no dense gradient: no taps
    for weight in ftk.sparse_weights(model):
        if weight.name not in snapshot.masks or weight.density() == 1.0:
            continue
        old, kernel = snapshot.masks[weight.name].ravel(), snapshot.kernels[weight.name].ravel()
        active = np.flatnonzero(old)
        k = int(np.ceil(rate * active.size))
        after_prune = old.copy()
        after_prune[active[np.argsort(np.abs(kernel[active]), kind="stable")[:k]]] = 0
        inactive = np.flatnonzero(after_prune == 0)
        scores = np.abs(fixed_scores(old.size)[inactive])
        expected = after_prune.copy()
        expected[inactive[np.argsort(-scores, kind="stable")[:k]]] = 1
        np.testing.assert_array_equal(weight.mask.numpy().ravel(), expected, err_msg=weight.name)


def dst_recipe(growth: str) -> dict:
    data = yaml.safe_load((RECIPES_DIR / "test_dst.yaml").read_text(encoding="utf-8"))
    data["dst"]["growth"] = growth
    return data


def test_a_recipe_may_name_the_registered_rule():
    assert recipe_from_dict(dst_recipe("fixed_scores")).dst.growth == "fixed_scores"


def test_a_recipe_lists_the_registered_rule_among_the_choices():
    with pytest.raises(RecipeError) as info:
        recipe_from_dict(dst_recipe("fixed_score"))
    assert list(info.value.problems) == [
        "dst.growth: must be one of 'random', 'gradient', 'momentum', 'fixed_scores'; "
        "received 'fixed_score'; did you mean 'fixed_scores'?"
    ]
