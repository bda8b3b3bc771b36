"""Tests for `ftk.ensemble.metrics` (NumPy + scikit-learn only, no TensorFlow)."""

from __future__ import annotations

import dataclasses
import doctest
import importlib
import itertools
import math
import pathlib

import numpy as np
import pytest
from scipy.special import rel_entr
from scipy.stats import entropy as scipy_entropy
from sklearn.metrics import (
    accuracy_score,
    average_precision_score,
    brier_score_loss,
    log_loss,
    roc_auc_score,
)

from ftk.ensemble import metrics as M

METRIC_MODULES = [importlib.import_module(f"ftk.ensemble.metrics.{name}")
                  for name in ("point", "calibration", "diversity", "ood", "selective", "robustness")]


def _random_probs(rng: np.random.Generator, *shape: int) -> np.ndarray:
    """Strictly positive rows that sum to one, shape `(*shape)`."""
    return rng.dirichlet(np.ones(shape[-1]), size=shape[:-1])


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(0)


# ----------------------------------------------------------------------------- accuracy


def test_accuracy_hand_worked() -> None:
    probs = np.array([[0.9, 0.1], [0.4, 0.6], [0.3, 0.7], [0.2, 0.8]])
    # argmax = [0, 1, 1, 1]; labels = [0, 1, 0, 1] -> 3 of 4 right.
    assert M.accuracy(probs, np.array([0, 1, 0, 1])) == 0.75


def test_accuracy_all_correct_and_all_wrong() -> None:
    probs = np.array([[0.9, 0.1, 0.0], [0.1, 0.2, 0.7], [0.2, 0.5, 0.3]])
    assert M.accuracy(probs, np.array([0, 2, 1])) == 1.0
    assert M.accuracy(probs, np.array([1, 0, 2])) == 0.0


def test_accuracy_matches_sklearn(rng: np.random.Generator) -> None:
    probs = _random_probs(rng, 500, 7)
    labels = rng.integers(0, 7, size=500)
    expected = accuracy_score(labels, probs.argmax(axis=1))
    assert M.accuracy(probs, labels) == pytest.approx(expected, abs=1e-15)


# ----------------------------------------------------------------------------- NLL


def test_nll_hand_worked() -> None:
    probs = np.array([[0.5, 0.5], [0.25, 0.75]])
    # -(log 0.5 + log 0.75) / 2 = (0.693147 + 0.287682) / 2 = 0.490415
    assert M.negative_log_likelihood(probs, np.array([0, 1])) == pytest.approx(0.4904146, abs=1e-7)


def test_nll_matches_sklearn_log_loss(rng: np.random.Generator) -> None:
    probs = _random_probs(rng, 400, 5)
    labels = rng.integers(0, 5, size=400)
    expected = log_loss(labels, probs, labels=np.arange(5))
    assert M.negative_log_likelihood(probs, labels) == pytest.approx(expected, rel=1e-10)


def test_nll_is_mean_over_whole_set_not_mean_of_batches() -> None:
    # Samples' -log p: [log 2, log 4, log 4] -> mean = (log 2 + 2 log 4) / 3 = 5/3 log 2.
    probs = np.array([[0.5, 0.5], [0.25, 0.75], [0.75, 0.25]])
    got = M.negative_log_likelihood(probs, np.array([0, 0, 1]))
    assert got == pytest.approx(5 / 3 * math.log(2), rel=1e-12)


def test_nll_clips_zero_probability_at_eps() -> None:
    probs = np.array([[1.0, 0.0]])
    assert M.negative_log_likelihood(probs, np.array([1])) == pytest.approx(-math.log(1e-12))
    got = M.negative_log_likelihood(probs, np.array([1]), eps=1e-6)
    assert got == pytest.approx(-math.log(1e-6))
    assert M.negative_log_likelihood(probs, np.array([0])) == 0.0


# ----------------------------------------------------------------------------- ECE


def _loop_ece(probs: np.ndarray, labels: np.ndarray, num_bins: int) -> float:
    """Independent, sample-by-sample ECE: bin b is (b/B, (b+1)/B], 0 goes to bin 0."""
    sums = [[0, 0.0, 0.0] for _ in range(num_bins)]  # count, correct, confidence
    for row, label in zip(probs, labels):
        conf = max(row)
        pred = list(row).index(conf)
        b = 0
        for i in range(num_bins):
            if i / num_bins < conf <= (i + 1) / num_bins:
                b = i
        sums[b][0] += 1
        sums[b][1] += float(pred == label)
        sums[b][2] += conf
    n = len(labels)
    return sum(c / n * abs(k / c - s / c) for c, k, s in sums if c > 0)


def test_ece_hand_worked() -> None:
    probs = np.array(
        [
            [0.9, 0.05, 0.05, 0.0],  # label 0: conf 0.9, right -> bin 4 (0.8, 1.0]
            [0.1, 0.9, 0.0, 0.0],  # label 0: conf 0.9, wrong -> bin 4
            [0.35, 0.25, 0.2, 0.2],  # label 0: conf 0.35, right -> bin 1 (0.2, 0.4]
            [0.1, 0.6, 0.2, 0.1],  # label 1: conf 0.6, right -> bin 2 (0.4, 0.6] (edge)
        ]
    )
    labels = np.array([0, 0, 0, 1])
    # bin 4: 2/4 * |0.5 - 0.9| = 0.2; bin 1: 1/4 * |1 - 0.35| = 0.1625;
    # bin 2: 1/4 * |1 - 0.6| = 0.1  -> ECE = 0.4625
    assert M.expected_calibration_error(probs, labels, num_bins=5) == pytest.approx(0.4625)
    bins = M.reliability_bins(probs, labels, num_bins=5)
    assert bins.counts.tolist() == [0, 1, 1, 0, 2]
    np.testing.assert_allclose(bins.accuracy[[1, 2, 4]], [1.0, 1.0, 0.5])
    np.testing.assert_allclose(bins.confidence[[1, 2, 4]], [0.35, 0.6, 0.9])
    assert np.isnan(bins.accuracy[[0, 3]]).all() and np.isnan(bins.confidence[[0, 3]]).all()
    np.testing.assert_array_equal(bins.edges, [0.0, 0.2, 0.4, 0.6, 0.8, 1.0])


def test_ece_confidence_on_bin_edge_goes_to_lower_bin() -> None:
    # B = 5, bin 2 = (0.4, 0.6]. conf 0.6 (right) shares bin 2 with conf 0.5 (wrong):
    # acc 0.5, conf 0.55 -> ECE = 0.05. Were 0.6 put in bin 3, ECE would be 0.2 + 0.25 = 0.45.
    probs = np.array([[0.6, 0.4], [0.5, 0.5]])
    labels = np.array([0, 1])
    assert M.expected_calibration_error(probs, labels, num_bins=5) == pytest.approx(0.05)
    assert M.reliability_bins(probs, labels, num_bins=5).counts.tolist() == [0, 0, 2, 0, 0]


def test_every_default_bin_edge_goes_to_lower_bin() -> None:
    # Top-label confidence exactly i/15 (16 classes, the rest spread below it) -> bin i - 1.
    for i in range(1, 16):
        c = i / 15
        probs = np.full((1, 16), (1 - c) / 15)
        probs[0, 0] = c
        counts = M.reliability_bins(probs, np.array([0])).counts
        assert counts.argmax() == i - 1 and counts.sum() == 1, i


def test_zero_confidence_goes_to_first_bin() -> None:
    bins = M.reliability_bins(np.zeros((1, 3)), np.array([0]))
    assert bins.counts[0] == 1 and bins.counts.sum() == 1


@pytest.mark.parametrize("num_bins", [1, 5, 10, 15, 20])
def test_ece_matches_direct_loop(rng: np.random.Generator, num_bins: int) -> None:
    probs = _random_probs(rng, 300, 4)
    labels = rng.integers(0, 4, size=300)
    expected = _loop_ece(probs, labels, num_bins)
    got = M.expected_calibration_error(probs, labels, num_bins=num_bins)
    assert got == pytest.approx(expected, abs=1e-12)
    assert got > 0.0


def test_ece_default_is_15_bins(rng: np.random.Generator) -> None:
    probs = _random_probs(rng, 200, 3)
    labels = rng.integers(0, 3, size=200)
    assert len(M.reliability_bins(probs, labels).counts) == 15
    expected = _loop_ece(probs, labels, 15)
    assert M.expected_calibration_error(probs, labels) == pytest.approx(expected, abs=1e-12)


def test_ece_zero_for_correct_one_hot_predictions() -> None:
    labels = np.array([0, 2, 1, 2])
    probs = np.eye(3)[labels]
    assert M.expected_calibration_error(probs, labels) == 0.0


def test_ece_one_for_wrong_one_hot_predictions() -> None:
    probs = np.eye(3)[[0, 1, 2]]
    assert M.expected_calibration_error(probs, np.array([1, 2, 0])) == 1.0


def test_reliability_bins_is_frozen_and_read_only() -> None:
    bins = M.reliability_bins(np.array([[0.7, 0.3]]), np.array([0]))
    with pytest.raises(dataclasses.FrozenInstanceError):
        bins.counts = np.zeros(15)  # type: ignore[misc]
    with pytest.raises(ValueError):
        bins.counts[0] = 5


@pytest.mark.parametrize("num_bins", [0, -3, 2.5])
def test_bad_num_bins(num_bins: float) -> None:
    with pytest.raises(ValueError, match="num_bins"):
        M.expected_calibration_error(np.array([[0.7, 0.3]]), np.array([0]), num_bins=num_bins)


# ----------------------------------------------------------------------------- Brier


def test_brier_hand_worked() -> None:
    probs = np.array([[0.75, 0.25, 0.0], [0.2, 0.5, 0.3]])
    # (0.25^2 + 0.25^2 + 0) = 0.125; (0.2^2 + 0.5^2 + 0.7^2) = 0.78 -> mean 0.4525
    assert M.brier_score(probs, np.array([0, 2])) == pytest.approx(0.4525)


def test_brier_binary_is_twice_sklearn(rng: np.random.Generator) -> None:
    # Two classes: sum_k (p_k - y_k)^2 = 2 (p_1 - y_1)^2, sklearn scores (p_1 - y_1)^2.
    probs = _random_probs(rng, 300, 2)
    labels = rng.integers(0, 2, size=300)
    expected = 2 * brier_score_loss(labels, probs[:, 1])
    assert M.brier_score(probs, labels) == pytest.approx(expected, rel=1e-12)


def test_brier_bounds() -> None:
    onehot = np.eye(4)[[0, 1, 2, 3]]
    assert M.brier_score(onehot, np.array([0, 1, 2, 3])) == 0.0
    assert M.brier_score(onehot, np.array([1, 2, 3, 0])) == 2.0


# ----------------------------------------------------------------------------- members


def test_ensemble_probabilities() -> None:
    members = np.array([[[1.0, 0.0], [0.2, 0.8]], [[0.5, 0.5], [0.4, 0.6]]])
    np.testing.assert_allclose(M.ensemble_probabilities(members), [[0.75, 0.25], [0.3, 0.7]])


def test_disagreement_hand_worked() -> None:
    preds = np.array([[0, 0, 1, 1], [0, 1, 1, 1], [1, 1, 0, 0]])
    members = np.eye(2)[preds] * 0.8 + 0.1  # argmax = preds
    # D01 = 1/4, D02 = 4/4, D12 = 3/4 -> mean over 3 pairs = 2/3 (no +0.001 offset)
    expected = np.array([[0, 0.25, 1], [0.25, 0, 0.75], [1, 0.75, 0]])
    np.testing.assert_allclose(M.disagreement_matrix(members), expected)
    assert M.pairwise_disagreement(members) == pytest.approx(2 / 3, abs=1e-15)


def test_disagreement_matches_brute_force(rng: np.random.Generator) -> None:
    members = _random_probs(rng, 5, 200, 3)
    m, n = members.shape[:2]
    pairs = list(itertools.combinations(range(m), 2))
    total = 0.0
    for i, j in pairs:
        diff = sum(members[i, s].argmax() != members[j, s].argmax() for s in range(n))
        assert M.disagreement_matrix(members)[i, j] == pytest.approx(diff / n)
        total += diff / n
    assert M.pairwise_disagreement(members) == pytest.approx(total / len(pairs), abs=1e-14)


def test_disagreement_single_and_identical_members(rng: np.random.Generator) -> None:
    one = _random_probs(rng, 1, 50, 4)
    assert M.pairwise_disagreement(one) == 0.0
    assert M.disagreement_matrix(one).shape == (1, 1)
    same = np.repeat(one, 4, axis=0)
    assert M.pairwise_disagreement(same) == 0.0
    np.testing.assert_array_equal(M.disagreement_matrix(same), np.zeros((4, 4)))


def test_kl_hand_worked() -> None:
    members = np.array([[[0.5, 0.5]], [[0.25, 0.75]]])
    # KL(p||q) = 0.5 ln(0.5/0.25) + 0.5 ln(0.5/0.75) = 0.5 ln(4/3) = 0.1438410
    # KL(q||p) = 0.25 ln(0.5) + 0.75 ln(1.5) = 0.1308120 -> mean 0.1373265
    np.testing.assert_allclose(M.kl_matrix(members), [[0, 0.1438410], [0.1308120, 0]], atol=1e-7)
    assert M.pairwise_kl(members) == pytest.approx(0.1373265, abs=1e-7)


def test_kl_matches_scipy_rel_entr(rng: np.random.Generator) -> None:
    members = _random_probs(rng, 4, 100, 6)
    m = members.shape[0]
    expected = np.zeros((m, m))
    for i, j in itertools.permutations(range(m), 2):
        expected[i, j] = rel_entr(members[i], members[j]).sum(axis=1).mean()
    np.testing.assert_allclose(M.kl_matrix(members), expected, rtol=1e-10)
    assert M.pairwise_kl(members) == pytest.approx(expected.sum() / (m * (m - 1)), rel=1e-10)


def test_kl_single_and_identical_members(rng: np.random.Generator) -> None:
    one = _random_probs(rng, 1, 30, 3)
    assert M.pairwise_kl(one) == 0.0
    same = np.repeat(one, 3, axis=0)
    assert M.pairwise_kl(same) == 0.0
    np.testing.assert_array_equal(M.kl_matrix(same), np.zeros((3, 3)))


def test_kl_clips_zero_at_eps() -> None:
    members = np.array([[[1.0, 0.0]], [[0.0, 1.0]]])
    # KL = 1 * (ln 1 - ln eps) = -ln(1e-12) = 27.631 both ways; 0 ln 0 terms are 0.
    np.testing.assert_allclose(M.kl_matrix(members), [[0, 27.6310211], [27.6310211, 0]])
    assert M.pairwise_kl(members, eps=1e-6) == pytest.approx(-math.log(1e-6))


# ----------------------------------------------------------------------------- OOD


def test_predictive_entropy(rng: np.random.Generator) -> None:
    probs = np.array([[1.0, 0.0, 0.0], [1 / 3, 1 / 3, 1 / 3], [0.5, 0.5, 0.0]])
    np.testing.assert_allclose(M.predictive_entropy(probs), [0.0, math.log(3), math.log(2)])
    rand = _random_probs(rng, 100, 5)
    np.testing.assert_allclose(M.predictive_entropy(rand), scipy_entropy(rand, axis=1))


def test_ood_scores() -> None:
    probs = np.array([[0.9, 0.1], [0.5, 0.5]])
    np.testing.assert_allclose(M.ood_scores(probs), [0.9, 0.5])
    np.testing.assert_allclose(M.ood_scores(probs, "max_prob"), [0.9, 0.5])
    # -H: confident sample scores higher (more in-distribution).
    np.testing.assert_allclose(M.ood_scores(probs, "entropy"), [-0.3250830, -math.log(2)])
    with pytest.raises(ValueError, match="score"):
        M.ood_scores(probs, "energy")  # type: ignore[arg-type]


def test_ood_detection_hand_worked_in_distribution_is_positive() -> None:
    in_probs = np.array([[0.9, 0.1], [0.8, 0.2]])
    out_probs = np.array([[0.7, 0.3], [0.15, 0.85]])
    # Scores in = [0.9, 0.8], out = [0.7, 0.85]. In > out in 3 of 4 pairs -> AUROC 0.75
    # (0.25 if OOD were positive). Ranked: 0.9 in, 0.85 out, 0.8 in, 0.7 out ->
    # AP = (1/1 + 2/3) / 2 = 0.8333.
    result = M.ood_detection(in_probs, out_probs)
    assert set(result) == {"auroc", "aupr"}
    assert result["auroc"] == pytest.approx(0.75)
    assert result["aupr"] == pytest.approx(5 / 6)
    assert type(result["auroc"]) is float and type(result["aupr"]) is float


def test_ood_detection_matches_sklearn(rng: np.random.Generator) -> None:
    in_probs = _random_probs(rng, 120, 4)
    out_probs = _random_probs(rng, 80, 4)
    y = np.r_[np.ones(120), np.zeros(80)]
    for score in ("max_prob", "entropy"):
        s = np.r_[M.ood_scores(in_probs, score), M.ood_scores(out_probs, score)]
        result = M.ood_detection(in_probs, out_probs, score=score)
        assert result["auroc"] == pytest.approx(roc_auc_score(y, s))
        assert result["aupr"] == pytest.approx(average_precision_score(y, s))


def test_ood_detection_perfect_and_reversed() -> None:
    confident = np.array([[0.99, 0.01], [0.02, 0.98]])
    uniform = np.full((3, 2), 0.5)
    assert M.ood_detection(confident, uniform, score="entropy") == {"auroc": 1.0, "aupr": 1.0}
    assert M.ood_detection(uniform, confident)["auroc"] == 0.0


# ----------------------------------------------------------------------------- validation

PROBS = np.array([[0.7, 0.3], [0.4, 0.6]])
LABELS = np.array([0, 1])
SCALAR_FNS = [
    M.accuracy,
    M.negative_log_likelihood,
    M.expected_calibration_error,
    M.reliability_bins,
    M.brier_score,
]
MEMBER_FNS = [
    M.ensemble_probabilities,
    M.disagreement_matrix,
    M.pairwise_disagreement,
    M.kl_matrix,
    M.pairwise_kl,
]


@pytest.mark.parametrize("fn", SCALAR_FNS)
@pytest.mark.parametrize("bad", [np.ones(3), np.ones((2, 2, 2)), np.ones((0, 2))])
def test_bad_probs_shape(fn, bad: np.ndarray) -> None:
    pattern = rf"`probs`.*\(n, classes\).*{re_shape(bad.shape)}"
    with pytest.raises(ValueError, match=pattern):
        fn(bad, LABELS)


@pytest.mark.parametrize("fn", SCALAR_FNS)
@pytest.mark.parametrize("bad", [np.array([0, 1, 1]), np.array([[0], [1]]), np.array(0)])
def test_bad_labels_shape(fn, bad: np.ndarray) -> None:
    with pytest.raises(ValueError, match=rf"`labels`.*\(2,\).*{re_shape(bad.shape)}"):
        fn(PROBS, bad)


@pytest.mark.parametrize("fn", SCALAR_FNS)
@pytest.mark.parametrize("bad", [np.array([0, 2]), np.array([-1, 0]), np.array([0.0, 1.0])])
def test_bad_label_values(fn, bad: np.ndarray) -> None:
    with pytest.raises(ValueError, match="`labels`"):
        fn(PROBS, bad)


@pytest.mark.parametrize("fn", MEMBER_FNS)
@pytest.mark.parametrize("bad", [PROBS, np.ones((1, 2, 3, 4)), np.ones((0, 2, 2))])
def test_bad_member_probs_shape(fn, bad: np.ndarray) -> None:
    pattern = rf"`member_probs`.*\(members, n, classes\).*{re_shape(bad.shape)}"
    with pytest.raises(ValueError, match=pattern):
        fn(bad)


@pytest.mark.parametrize("fn", [M.predictive_entropy, M.ood_scores])
def test_bad_probs_shape_array_helpers(fn) -> None:
    with pytest.raises(ValueError, match=r"`probs`.*\(n, classes\).*\(3,\)"):
        fn(np.ones(3))


def test_non_finite_probs() -> None:
    with pytest.raises(ValueError, match="`probs`.*finite"):
        M.accuracy(np.array([[np.nan, 0.5]]), np.array([0]))
    with pytest.raises(ValueError, match="`member_probs`.*finite"):
        M.pairwise_kl(np.array([[[np.inf, 0.5]]]))


def test_ood_detection_bad_shapes() -> None:
    with pytest.raises(ValueError, match=r"`in_probs`.*\(n, classes\).*\(2,\)"):
        M.ood_detection(np.ones(2), PROBS)
    with pytest.raises(ValueError, match=r"`out_probs`.*\(n, 2\).*\(2, 3\)"):
        M.ood_detection(PROBS, np.full((2, 3), 1 / 3))


def re_shape(shape: tuple[int, ...]) -> str:
    """Regex for how a shape tuple is printed, e.g. `\\(2, 3\\)`."""
    return str(shape).replace("(", r"\(").replace(")", r"\)")


# ----------------------------------------------------------------------------- API


def test_scalar_metrics_return_python_floats(rng: np.random.Generator) -> None:
    members = _random_probs(rng, 3, 20, 4)
    probs, labels = members[0], rng.integers(0, 4, size=20)
    for fn in (M.accuracy, M.negative_log_likelihood, M.expected_calibration_error, M.brier_score):
        assert type(fn(probs, labels)) is float, fn.__name__
    for fn in (M.pairwise_disagreement, M.pairwise_kl):
        assert type(fn(members)) is float, fn.__name__
        assert type(fn(members[:1])) is float, fn.__name__


def test_accepts_lists() -> None:
    assert M.accuracy([[0.9, 0.1], [0.2, 0.8]], [0, 1]) == 1.0


def test_docstring_examples() -> None:
    results = [doctest.testmod(module, extraglobs={"np": np}, optionflags=doctest.NORMALIZE_WHITESPACE)
               for module in METRIC_MODULES]
    assert sum(r.attempted for r in results) >= 14 and sum(r.failed for r in results) == 0


def test_public_names_stay_where_they_were() -> None:
    import ftk

    assert ftk.metrics is M
    defined = {name: value for module in METRIC_MODULES for name, value in vars(module).items()
               if not name.startswith("_") and getattr(value, "__module__", None) == module.__name__}
    assert set(defined) == set(M.__all__) - {"Score"}
    assert all(getattr(M, name) is value for name, value in defined.items())


def test_module_does_not_import_tensorflow_or_keras() -> None:
    for path in pathlib.Path(M.__file__).parent.glob("*.py"):
        lines = path.read_text().splitlines()
        imports = [x for x in lines if x.startswith(("import ", "from "))]
        assert imports and not any("tensorflow" in x or "keras" in x for x in imports), path.name
