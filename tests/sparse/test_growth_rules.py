"""Growth rules (`ftk.sparse.growth_rules`): hand-worked masks and invariants of every rule."""

import numpy as np
import pytest

from ftk.sparse.growth_rules import (
    GradientGrowth,
    MomentumGrowth,
    RandomGrowth,
    get_growth_rule,
    growth_rule_names,
)
from ftk.sparse.layer_state import LayerState
from ftk.sparse.selection import layer_rng


def grow(rule, mask, k, gradient=None, rng=None, weights=None):
    weights = np.zeros(mask.size) if weights is None else weights
    return get_growth_rule(rule).grow(LayerState("w", weights, mask, gradient), k, rng)


def test_gradient_growth_takes_largest_inactive_scores():
    m = np.array([1, 0, 0, 1, 0, 0, 0, 1], np.float32)
    g = np.array([9.0, 0.1, -0.8, 9.0, 0.3, -0.5, 0.8, 9.0])
    # inactive |g|: 0.1 (1), 0.8 (2), 0.3 (4), 0.5 (5), 0.8 (6) -> top 2 = 2 and 6 (tie kept both)
    expected = np.array([1, 0, 1, 1, 0, 0, 1, 1], np.float32)
    np.testing.assert_array_equal(grow("gradient", m, 2, gradient=g), expected)
    # a tie at the cut goes to the lower index
    np.testing.assert_array_equal(grow("momentum", m, 1, gradient=g), [1, 0, 1, 1, 0, 0, 0, 1])


def test_random_growth_is_exact_and_seeded():
    m = np.zeros(100, np.float32)
    m[:10] = 1
    a = grow("random", m, 20, rng=layer_rng(0, 5, 1))
    b = grow("random", m, 20, rng=layer_rng(0, 5, 1))
    c = grow("random", m, 20, rng=layer_rng(0, 5, 2))
    assert a.sum() == 30 and np.all(a[:10] == 1)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)


def test_gradient_and_momentum_override_only_the_score():
    assert issubclass(GradientGrowth, RandomGrowth) and issubclass(MomentumGrowth, GradientGrowth)
    assert GradientGrowth.grow is RandomGrowth.grow and MomentumGrowth.score is GradientGrowth.score
    flags = {name: (get_growth_rule(name).needs_dense_gradient, get_growth_rule(name).uses_momentum)
             for name in ("random", "gradient", "momentum")}
    assert flags == {"random": (False, False), "gradient": (True, False), "momentum": (True, True)}


def test_gradient_growth_without_a_gradient_is_a_clear_error():
    with pytest.raises(ValueError, match="needs the dense gradient of 'w'"):
        grow("gradient", np.zeros(4, np.float32), 1)


@pytest.mark.parametrize("rule", ["random", "gradient", "momentum"])
@pytest.mark.parametrize("density", [0.1, 0.5, 0.9])
@pytest.mark.parametrize("shape", [(8,), (3, 5), (3, 3, 4, 2)])
def test_every_rule_grows_exactly_k_inactive_entries(rule, density, shape):
    rng = np.random.default_rng(0)
    size = int(np.prod(shape))
    mask = np.zeros(size, np.float32)
    mask[rng.choice(size, round(density * size), replace=False)] = 1
    k = int(size - mask.sum()) // 2
    new = grow(rule, mask, k, gradient=rng.normal(size=size), rng=layer_rng(0, 1, 0))
    assert new.sum() == mask.sum() + k
    assert np.all(new[mask == 1] == 1) and set(np.unique(new)) <= {0.0, 1.0}


def test_registry_names_and_errors():
    assert growth_rule_names()[:3] == ("random", "gradient", "momentum")
    with pytest.raises(ValueError, match=r"`growth` must be one of \('random', 'gradient', 'momentum'"):
        get_growth_rule("rigl")
    with pytest.raises(TypeError, match="`growth` must be a name"):
        get_growth_rule(3)
