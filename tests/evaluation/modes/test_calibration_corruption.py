"""Temperature scaling's split, and the corruption summary (mCE, per severity), by hand."""

import types

import numpy as np
import pytest
import tensorflow as tf

from ftk.ensemble import metrics as M
from ftk.evaluation.context import EvalContext
from ftk.evaluation.modes import calibration, corruption
from ftk.recipes import find_recipe, load_recipe


class _Ensemble:
    def __init__(self, probs):
        self.probs = probs

    def member_probabilities(self, dataset):
        return self.probs


def _context(tmp_path, val_probs, val_labels, split: float):
    recipe = load_recipe(find_recipe("test_edst"), [f"data.validation_split={split}"])
    val = tf.data.Dataset.from_tensor_slices((np.zeros(len(val_labels)), val_labels)).batch(16)
    data = types.SimpleNamespace(val=val, test=None)
    return EvalContext(tmp_path, tmp_path / "eval", recipe, _Ensemble(val_probs), data)


def test_temperature_fits_on_validation_when_the_run_has_one(tmp_path):
    rng = np.random.default_rng(0)
    val_probs = rng.dirichlet(np.full(4, 0.2), size=(2, 80))
    val_labels = rng.integers(0, 4, 80)
    test_probs, test_labels = rng.dirichlet(np.ones(4), size=50), rng.integers(0, 4, 50)
    ctx = _context(tmp_path, val_probs, val_labels, 0.1)
    ctx.labels = test_labels
    report = calibration.temperature_scaling(ctx, test_probs)
    t = M.fit_temperature(np.log(val_probs.mean(axis=0)), val_labels)
    assert report["temperature_fit_on"] == "validation" and report["temperature"] == pytest.approx(t)
    assert report["temperature_eval_examples"] == 50
    scaled = M.apply_temperature(np.log(test_probs), t)
    assert report["nll_temp_scaled"] == pytest.approx(M.negative_log_likelihood(scaled, test_labels))
    assert report["ece_temp_scaled"] == pytest.approx(M.expected_calibration_error(scaled, test_labels))


def test_temperature_without_validation_uses_disjoint_test_halves(tmp_path):
    rng = np.random.default_rng(1)
    probs, labels = rng.dirichlet(np.full(3, 0.3), size=41), rng.integers(0, 3, 41)
    ctx = _context(tmp_path, None, np.zeros(1, int), 0.0)
    ctx.labels = labels
    report = calibration.temperature_scaling(ctx, probs)
    order = np.random.default_rng(ctx.recipe.seed).permutation(41)
    fit, held = order[:20], order[20:]
    assert report["temperature_fit_on"] == "test half"
    assert (report["temperature_fit_examples"], report["temperature_eval_examples"]) == (20, 21)
    t = M.fit_temperature(np.log(probs[fit]), labels[fit])
    assert report["temperature"] == pytest.approx(t)
    scaled = M.apply_temperature(np.log(probs[held]), t)
    assert report["nll_temp_scaled"] == pytest.approx(M.negative_log_likelihood(scaled, labels[held]))
    assert report["nll_unscaled"] == pytest.approx(M.negative_log_likelihood(probs[held], labels[held]))
    assert report["nll_temp_scaled"] <= report["nll_unscaled"] + 0.5


def _fake_results(rng, corruptions=("fog", "blur"), severities=(1, 2, 3), members=2):
    def part():
        return {"accuracy": rng.random(), "nll": rng.random() * 3, "ece": rng.random() / 4}

    results = {}
    for c in corruptions:
        results[c] = {}
        for s in severities:
            ms = [part() for _ in range(members)]
            results[c][str(s)] = {"members": ms, "ensemble": part(),
                                  "members_mean": {k: np.mean([m[k] for m in ms]) for k in ms[0]}}
    return results


def test_corruption_summary_matches_loops():
    rng = np.random.default_rng(2)
    results = _fake_results(rng)
    baseline = {c: {str(s): 0.5 for s in (1, 2, 3)} for c in results}
    summary = corruption.summarize(results, [1, 2, 3], baseline)
    mce, cells = summary["mce"], [(c, str(s)) for c in results for s in (1, 2, 3)]
    ens_err = [1 - results[c][s]["ensemble"]["accuracy"] for c, s in cells]
    assert mce["ensemble"] == pytest.approx(sum(ens_err) / len(cells))
    for m in range(2):
        errs = [1 - results[c][s]["members"][m]["accuracy"] for c, s in cells]
        assert mce["members"][m] == pytest.approx(sum(errs) / len(cells))
    ratios = []
    for c in results:
        e = sum(1 - results[c][str(s)]["ensemble"]["accuracy"] for s in (1, 2, 3))
        b = sum(1 - results[c][str(s)]["members_mean"]["accuracy"] for s in (1, 2, 3))
        ratios.append(e / b)
    assert mce["ensemble_relative_to_members_mean"] == pytest.approx(np.mean(ratios))
    assert mce["ensemble_relative_to_baseline"] == pytest.approx(np.mean(ens_err) / 0.5)
    for s in ("1", "2", "3"):
        for key in ("accuracy", "nll", "ece"):
            want = np.mean([results[c][s]["ensemble"][key] for c in results])
            assert summary["by_severity"][s]["ensemble"][key] == pytest.approx(want)
