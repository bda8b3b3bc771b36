"""Tests for `ftk.sparse.density_distributions` (pure NumPy, no Keras)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from ftk.sparse.density_distributions import DISTRIBUTIONS, active_counts, target_densities


def wrn_28_10_shapes() -> dict[str, tuple[int, ...]]:
    """Kernel shapes of WRN-28-10 for CIFAR-10, in model order."""
    shapes: dict[str, tuple[int, ...]] = {"stem": (3, 3, 3, 16)}
    cin = 16
    for stage, width in enumerate((160, 320, 640), start=1):
        for block in range(4):
            prefix = f"s{stage}b{block}"
            shapes[f"{prefix}_conv1"] = (3, 3, cin, width)
            shapes[f"{prefix}_conv2"] = (3, 3, width, width)
            if block == 0:
                shapes[f"{prefix}_shortcut"] = (1, 1, cin, width)
            cin = width
    shapes["fc"] = (640, 10)
    return shapes


def reference_erk(shapes, density, power=1.0):
    """RigL-style reference: densify only the largest exceeder per iteration.

    Follows `get_sparsities_erdos_renyi` from the RigL code: the right-hand
    side adds `d * N` for sparse layers and subtracts `(1 - d) * N` for dense
    ones, and the single layer with the largest `eps * raw` is made dense.
    """
    dense = set()
    while True:
        rhs, divisor, raw = 0.0, 0.0, {}
        for name, shape in shapes.items():
            n = float(np.prod(shape))
            if name in dense:
                rhs -= (1.0 - density) * n
            else:
                rhs += density * n
                raw[name] = (sum(shape) / np.prod(shape)) ** power
                divisor += raw[name] * n
        eps = rhs / divisor
        worst = max(raw, key=lambda k: raw[k])
        if eps * raw[worst] > 1.0:
            dense.add(worst)
        else:
            break
    return {n: 1.0 if n in dense else eps * raw[n] for n in shapes}, dense


def total_size(shapes) -> int:
    return sum(math.prod(s) for s in shapes.values())


# ----------------------------------------------------------------- hand cases


def test_erk_two_dense_layers_by_hand():
    # raw: (2+2)/4 = 1 and (2+4)/8 = 0.75; N = 4 and 8.
    # target = 0.5 * 12 = 6; eps = 6 / (1*4 + 0.75*8) = 6 / 10 = 0.6.
    result = target_densities({"a": (2, 2), "b": (2, 4)}, 0.5)
    assert list(result) == ["a", "b"]
    np.testing.assert_allclose([result["a"], result["b"]], [0.6, 0.45], rtol=1e-12)


def test_erk_densifies_exceeding_layer_by_hand():
    # a: raw = 11/10 = 1.1, N = 10; b: raw = 200/10000 = 0.02, N = 10000.
    # target = 0.1 * 10010 = 1001; eps = 1001 / (11 + 200) = 4.744... so
    # eps * 1.1 > 1 and "a" becomes dense. Re-solve over "b":
    # eps = (1001 - 10) / 200 = 4.955; density_b = 4.955 * 0.02 = 0.0991.
    result = target_densities({"a": (1, 10), "b": (100, 100)}, 0.1, "erk")
    assert result["a"] == 1.0
    np.testing.assert_allclose(result["b"], 0.0991, rtol=1e-12)


def test_er_uses_channels_only_by_hand():
    # conv (3,3,4,8): raw = (4+8)/(4*8) = 0.375, N = 288.
    # dense (8,2):    raw = (8+2)/(8*2) = 0.625, N = 16.
    # target = 0.5 * 304 = 152; eps = 152 / (0.375*288 + 0.625*16) = 152 / 118.
    result = target_densities({"conv": (3, 3, 4, 8), "fc": (8, 2)}, 0.5, "er")
    eps = 152 / 118
    np.testing.assert_allclose(
        [result["conv"], result["fc"]], [0.375 * eps, 0.625 * eps], rtol=1e-12
    )
    # ERK on the same shapes differs (kernel dims count): (3+3+4+8)/288.
    erk = target_densities({"conv": (3, 3, 4, 8), "fc": (8, 2)}, 0.5, "erk")
    assert not np.isclose(erk["conv"], result["conv"])


def test_er_rank_one_treats_n_in_as_one():
    # bias-like (5,): raw = (1+5)/5 = 1.2, N = 5; (10, 10): raw = 0.2, N = 100.
    # target = 0.2 * 105 = 21; eps = 21 / (6 + 20) = 21/26; 1.2 * 21/26 < 1.
    result = target_densities({"v": (5,), "w": (10, 10)}, 0.2, "er")
    np.testing.assert_allclose(
        [result["v"], result["w"]], [1.2 * 21 / 26, 0.2 * 21 / 26], rtol=1e-12
    )


def test_erk_power_scales_raw_share():
    # power 0.5: raw = sqrt(1) = 1 and sqrt(0.75); eps = 6 / (4 + 8*sqrt(0.75)).
    result = target_densities({"a": (2, 2), "b": (2, 4)}, 0.5, erk_power=0.5)
    eps = 6 / (4 + 8 * math.sqrt(0.75))
    np.testing.assert_allclose(
        [result["a"], result["b"]], [eps, eps * math.sqrt(0.75)], rtol=1e-12
    )
    assert not np.isclose(result["a"], 0.6)


# ---------------------------------------------------------------- WRN-28-10


def test_wrn_28_10_erk_matches_reference():
    shapes = wrn_28_10_shapes()
    assert len(shapes) == 29
    result = target_densities(shapes, 0.2, "erk")
    expected, expected_dense = reference_erk(shapes, 0.2)
    np.testing.assert_allclose(
        [result[n] for n in shapes], [expected[n] for n in shapes], rtol=1e-10
    )
    dense = {n for n, d in result.items() if d == 1.0}
    print("WRN-28-10 ERK@0.2 dense layers:", sorted(dense))
    assert dense == expected_dense
    assert dense  # at least one layer's raw share exceeds 1
    # Dense layers are exactly those with the largest raw shares.
    raw = {n: sum(s) / math.prod(s) for n, s in shapes.items()}
    assert min(raw[n] for n in dense) > max(raw[n] for n in shapes if n not in dense)

    counts = active_counts(shapes, result)
    target = round(0.2 * total_size(shapes))
    assert abs(sum(counts.values()) - target) <= len(shapes)


def test_wrn_28_10_erk_power_matches_reference():
    shapes = wrn_28_10_shapes()
    result = target_densities(shapes, 0.2, "erk", erk_power=0.5)
    expected, _ = reference_erk(shapes, 0.2, power=0.5)
    np.testing.assert_allclose(
        [result[n] for n in shapes], [expected[n] for n in shapes], rtol=1e-10
    )


# -------------------------------------------------------- uniform and custom


def test_uniform_with_and_without_dense_first_layer():
    shapes = {"a": (3, 3, 3, 8), "b": (8, 4), "c": (4, 2)}
    assert target_densities(shapes, 0.3, "uniform") == {"a": 0.3, "b": 0.3, "c": 0.3}
    first_dense = target_densities(shapes, 0.3, "uniform", dense_first_layer=True)
    assert first_dense == {"a": 1.0, "b": 0.3, "c": 0.3}


def test_erk_dense_first_layer_counts_towards_target():
    shapes = {"a": (3, 3, 3, 8), "b": (8, 40), "c": (40, 20)}
    result = target_densities(shapes, 0.3, "erk", dense_first_layer=True)
    assert result["a"] == 1.0
    total = sum(result[n] * math.prod(s) for n, s in shapes.items())
    np.testing.assert_allclose(total, 0.3 * total_size(shapes), rtol=1e-12)


def test_dense_first_layer_larger_than_target_raises():
    with pytest.raises(ValueError, match="first layer"):
        target_densities({"a": (100, 100), "b": (2, 2)}, 0.1, dense_first_layer=True)


def test_custom_returns_user_map():
    shapes = {"a": (2, 2), "b": (2, 4)}
    result = target_densities(shapes, 0.5, "custom", custom={"b": 0.25, "a": 1})
    assert result == {"a": 1.0, "b": 0.25}
    assert list(result) == ["a", "b"]
    assert all(type(v) is float for v in result.values())


def test_custom_dense_first_layer_overrides_first():
    shapes = {"a": (2, 2), "b": (2, 4)}
    custom = {"a": 0.25, "b": 0.25}
    result = target_densities(
        shapes, 0.5, "custom", custom=custom, dense_first_layer=True
    )
    assert result == {"a": 1.0, "b": 0.25}
    assert custom == {"a": 0.25, "b": 0.25}  # the user's map is not mutated


@pytest.mark.parametrize(
    "custom, match",
    [
        (None, "`custom` is required"),
        ({"a": 0.5}, "missing.*'b'"),
        ({"a": 0.5, "b": 0.5, "zzz": 0.5}, "not in `shapes`.*'zzz'"),
        ({"a": 0.0, "b": 0.5}, r"`custom` densities must be in \(0, 1\]"),
        ({"a": 1.5, "b": 0.5}, r"`custom` densities must be in \(0, 1\]"),
        ({"a": float("nan"), "b": 0.5}, r"`custom` densities must be in \(0, 1\]"),
    ],
)
def test_custom_validation(custom, match):
    with pytest.raises(ValueError, match=match):
        target_densities({"a": (2, 2), "b": (2, 4)}, 0.5, "custom", custom=custom)


# ---------------------------------------------------------------- validation


@pytest.mark.parametrize("density", [0.0, -0.1, 1.5, float("nan")])
def test_invalid_density_raises(density):
    with pytest.raises(ValueError, match=r"`density` must be in \(0, 1\]"):
        target_densities({"a": (2, 2)}, density)


def test_invalid_density_message_shows_value():
    with pytest.raises(ValueError, match=r"Received: density=1\.5"):
        target_densities({"a": (2, 2)}, 1.5)


@pytest.mark.parametrize("name", ["ERK", "rigl", ""])
def test_unknown_distribution_raises(name):
    with pytest.raises(ValueError, match="`distribution` must be one of.*'uniform'"):
        target_densities({"a": (2, 2)}, 0.5, name)


@pytest.mark.parametrize("power", [0.0, -1.0, float("nan"), float("inf")])
def test_invalid_erk_power_raises(power):
    with pytest.raises(ValueError, match="`erk_power`"):
        target_densities({"a": (2, 2)}, 0.5, erk_power=power)


@pytest.mark.parametrize("shapes", [{}, {"a": ()}, {"a": (3, 0)}])
def test_invalid_shapes_raise(shapes):
    with pytest.raises(ValueError, match="`shapes`"):
        target_densities(shapes, 0.5)


def test_distributions_constant():
    assert DISTRIBUTIONS == ("uniform", "er", "erk", "custom")


@pytest.mark.parametrize("distribution", ["uniform", "er", "erk"])
def test_full_density_is_all_dense(distribution):
    result = target_densities(wrn_28_10_shapes(), 1.0, distribution)
    assert set(result.values()) == {1.0}


def test_active_counts_rounds_per_layer():
    shapes = {"a": (4, 4), "b": (3,)}
    assert active_counts(shapes, {"a": 0.4, "b": 0.5}) == {"a": 6, "b": 2}
    assert active_counts(shapes, {"a": 1.0, "b": 1.0}) == {"a": 16, "b": 3}


# ------------------------------------------------------------ property-style


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("distribution", ["er", "erk"])
def test_random_shapes_hit_target(seed, distribution):
    rng = np.random.default_rng(seed)
    shapes = {}
    for i in range(int(rng.integers(1, 12))):
        rank = int(rng.choice([1, 2, 4]))
        if rank == 4:
            k = int(rng.choice([1, 3, 5]))
            shape = (k, k, *rng.integers(1, 300, size=2))
        else:
            shape = tuple(rng.integers(1, 500, size=rank))
        shapes[f"w{i}"] = tuple(int(x) for x in shape)
    for density in (0.01, 0.1, float(rng.uniform(0.05, 0.95)), 0.999):
        result = target_densities(shapes, density, distribution)
        assert list(result) == list(shapes)
        assert all(type(v) is float and 0.0 < v <= 1.0 for v in result.values())
        counts = active_counts(shapes, result)
        target = round(density * total_size(shapes))
        assert abs(sum(counts.values()) - target) <= len(shapes)
        if distribution == "erk":
            expected, _ = reference_erk(shapes, density)
            np.testing.assert_allclose(
                [result[n] for n in shapes], [expected[n] for n in shapes], rtol=1e-9
            )
