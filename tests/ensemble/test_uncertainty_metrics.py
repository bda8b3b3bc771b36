"""Temperature scaling, risk-coverage / AURC and mCE, each against an independent computation."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import minimize_scalar
from scipy.special import log_softmax, softmax

from ftk.ensemble import metrics as M


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(7)


def _loop_nll(z: np.ndarray, labels: np.ndarray, t: float) -> float:
    total = 0.0
    for row, y in zip(z, labels):
        scaled = [v / t for v in row]
        top = max(scaled)
        total -= scaled[y] - (top + np.log(sum(np.exp(v - top) for v in scaled)))
    return total / len(labels)


def test_apply_temperature_matches_scipy_softmax(rng) -> None:
    z = rng.normal(size=(30, 6)) * 3
    for t in (0.3, 1.0, 2.5):
        np.testing.assert_allclose(M.apply_temperature(z, t), softmax(z / t, axis=1), rtol=1e-12)
    probs = rng.dirichlet(np.ones(4), size=10)
    np.testing.assert_allclose(M.apply_temperature(np.log(probs), 1.0), probs, rtol=1e-10)


def test_temperature_nll_matches_loop(rng) -> None:
    z, y = rng.normal(size=(25, 5)), rng.integers(0, 5, 25)
    for t in (0.5, 1.7):
        assert M.temperature_nll(z, y, t) == pytest.approx(_loop_nll(z, y, t), rel=1e-10)


def test_fit_temperature_matches_scipy_bounded_search(rng) -> None:
    z = rng.normal(size=(400, 10)) * 4  # over-confident logits
    y = np.array([rng.choice(10, p=p) for p in softmax(z / 2.0, axis=1)])
    ref = minimize_scalar(lambda t: _loop_nll(z, y, t), bounds=(0.05, 20), method="bounded",
                          options={"xatol": 1e-7}).x
    fitted = M.fit_temperature(z, y)
    assert fitted == pytest.approx(ref, rel=1e-3)
    assert M.temperature_nll(z, y, fitted) <= M.temperature_nll(z, y, ref) + 1e-9
    grid = np.exp(np.linspace(np.log(0.05), np.log(20), 2001))
    assert M.temperature_nll(z, y, fitted) <= min(_loop_nll(z, y, t) for t in grid[::40]) + 1e-9


def test_fit_temperature_recovers_the_generating_temperature(rng) -> None:
    z = rng.normal(size=(20000, 5)) * 3
    y = (softmax(z / 2.0, axis=1).cumsum(axis=1) > rng.random((20000, 1))).argmax(axis=1)
    assert M.fit_temperature(z, y) == pytest.approx(2.0, rel=0.05)


def test_fit_temperature_hits_a_bound_and_lowers_nll_of_log_probs(rng) -> None:
    probs = rng.dirichlet(np.full(3, 0.1), size=200)
    y = rng.integers(0, 3, 200)  # labels unrelated to the predictions: flatten fully
    t = M.fit_temperature(np.log(probs), y, bounds=(0.5, 4.0))
    assert t == pytest.approx(4.0)
    assert M.temperature_nll(np.log(probs), y, t) < M.negative_log_likelihood(probs, y)


@pytest.mark.parametrize("kwargs", [{"bounds": (0.0, 1.0)}, {"bounds": (2.0, 1.0)}])
def test_fit_temperature_bad_bounds(kwargs) -> None:
    with pytest.raises(ValueError, match="bounds"):
        M.fit_temperature(np.zeros((2, 2)), np.array([0, 1]), **kwargs)


def test_apply_temperature_bad_temperature() -> None:
    with pytest.raises(ValueError, match="temperature"):
        M.apply_temperature(np.zeros((2, 2)), 0.0)


def _brute_risk_coverage(probs: np.ndarray, labels: np.ndarray):
    conf = probs.max(axis=1)
    risks = []
    for k in range(1, len(labels) + 1):
        threshold = sorted(conf, reverse=True)[k - 1]
        kept = [i for i in range(len(labels)) if conf[i] >= threshold]
        risks.append(sum(probs[i].argmax() != labels[i] for i in kept) / len(kept))
    return np.arange(1, len(labels) + 1) / len(labels), np.array(risks)


def test_risk_coverage_and_aurc_match_brute_force(rng) -> None:
    probs, labels = rng.dirichlet(np.ones(4), size=150), rng.integers(0, 4, 150)
    cov, risk = M.risk_coverage(probs, labels)
    ref_cov, ref_risk = _brute_risk_coverage(probs, labels)
    np.testing.assert_allclose(cov, ref_cov)
    np.testing.assert_allclose(risk, ref_risk)
    assert M.aurc(probs, labels) == pytest.approx(ref_risk.mean())
    assert risk[-1] == pytest.approx(1 - M.accuracy(probs, labels))


def test_aurc_bounds_perfect_ranking_and_all_correct() -> None:
    probs = np.array([[0.9, 0.1], [0.8, 0.2], [0.6, 0.4], [0.55, 0.45]])
    assert M.aurc(probs, np.array([0, 0, 0, 0])) == 0.0
    # errors on the two least confident: risks 0, 0, 1/3, 1/2
    assert M.aurc(probs, np.array([0, 0, 1, 1])) == pytest.approx((1 / 3 + 1 / 2) / 4)
    # errors on the two most confident: risks 1, 1, 2/3, 1/2
    assert M.aurc(probs, np.array([1, 1, 0, 0])) == pytest.approx((1 + 1 + 2 / 3 + 1 / 2) / 4)


def test_mean_corruption_error_matches_loops(rng) -> None:
    errors, base = rng.random((4, 5)), rng.random((4, 5)) + 0.1
    total = sum(errors[c, s] for c in range(4) for s in range(5))
    assert M.mean_corruption_error(errors) == pytest.approx(total / 20)
    ratios = [sum(errors[c]) / sum(base[c]) for c in range(4)]
    assert M.mean_corruption_error(errors, base) == pytest.approx(sum(ratios) / 4)
    assert M.mean_corruption_error(base, base) == pytest.approx(1.0)


@pytest.mark.parametrize("errors, baseline", [(np.ones(3), None), (np.ones((2, 2)), np.ones((2, 3))),
                                              (np.ones((2, 2)), np.zeros((2, 2)))])
def test_mean_corruption_error_bad_input(errors, baseline) -> None:
    with pytest.raises(ValueError):
        M.mean_corruption_error(errors, baseline)


def test_log_softmax_reference_is_scipy(rng) -> None:
    z = rng.normal(size=(5, 3))
    np.testing.assert_allclose(np.log(M.apply_temperature(z, 1.3)), log_softmax(z / 1.3, axis=1))
