"""`calibration` mode: ECE, reliability diagrams, temperature scaling and AURC."""

from __future__ import annotations

import dataclasses

import numpy as np

from ftk.ensemble import metrics, plots
from ftk.ensemble.ensemble import dataset_labels
from ftk.evaluation.context import EvalContext, spread


def run(ctx: EvalContext) -> dict:
    """ECE (15 bins) of each member, mean/std, the ensemble, its bins, temperature scaling, AURC.

    Plots: the ensemble's and ticket 0's reliability diagrams, every member's (and the
    ensemble's) as small multiples (`reliability_members`), and the risk-coverage
    curves (`risk_coverage`). See `temperature_scaling` for the `temperature`,
    `ece_temp_scaled` and `nll_temp_scaled` keys; `aurc` is the area under the
    risk-coverage curve (confidence = max probability) of each member and the ensemble.
    """
    probs = metrics.ensemble_probabilities(ctx.member_probs)
    bins = metrics.reliability_bins(probs, ctx.labels)
    with ctx.plot_file("reliability_ensemble") as file:
        plots.reliability_diagram(bins, file, title="Ensemble")
    member_bins = [metrics.reliability_bins(p, ctx.labels) for p in ctx.member_probs]
    with ctx.plot_file("reliability_ticket_0") as file:
        plots.reliability_diagram(member_bins[0], file, title="Ticket 0")
    names = [f"ticket {i}" for i in range(len(member_bins))]
    with ctx.plot_file("reliability_members") as file:
        plots.reliability_grid(member_bins + [bins], file, titles=names + ["ensemble"])
    curves = {name: metrics.risk_coverage(p, ctx.labels) for name, p in zip(names, ctx.member_probs)}
    curves["ensemble"] = metrics.risk_coverage(probs, ctx.labels)
    with ctx.plot_file("risk_coverage") as file:
        plots.risk_coverage_curve(curves, file)
    eces = [metrics.expected_calibration_error(p, ctx.labels) for p in ctx.member_probs]
    return {
        **spread(eces),
        "ensemble": metrics.expected_calibration_error(probs, ctx.labels),
        "bins": {k: _plain(v) for k, v in dataclasses.asdict(bins).items()},
        "aurc": {**spread([np.mean(c[1]) for n, c in curves.items() if n != "ensemble"]),
                 "ensemble": float(np.mean(curves["ensemble"][1]))},
        **temperature_scaling(ctx, probs),
    }


def temperature_scaling(ctx: EvalContext, test_probs: np.ndarray) -> dict:
    """Fits one temperature on the log of the ensemble's mean probabilities.

    Fitted (`metrics.fit_temperature`, NLL) on the run's validation split when the
    recipe's `data.validation_split` is > 0 (`temperature_fit_on: "validation"`, the
    scaled metrics then on the whole test set); otherwise on a half of the test set
    drawn with the recipe's seed (`"test half"`), the scaled metrics then on the
    other half only. `ece_unscaled` and `nll_unscaled` are the unscaled ensemble's
    on the same examples as the scaled ones.
    """
    n = len(ctx.labels)
    if (ctx.recipe.data.validation_split or 0) > 0 and ctx.data.val is not None:
        fit_on = "validation"
        fit_probs = metrics.ensemble_probabilities(ctx.ensemble.member_probabilities(ctx.data.val))
        fit_labels = dataset_labels(ctx.data.val)
        eval_probs, eval_labels = test_probs, ctx.labels
    else:
        fit_on = "test half"
        order = np.random.default_rng(ctx.recipe.seed).permutation(n)
        fit_idx, eval_idx = order[: max(n // 2, 1)], order[n // 2:]
        fit_probs, fit_labels = test_probs[fit_idx], ctx.labels[fit_idx]
        eval_probs, eval_labels = test_probs[eval_idx], ctx.labels[eval_idx]
    temperature = metrics.fit_temperature(_log(fit_probs), fit_labels)
    scaled = metrics.apply_temperature(_log(eval_probs), temperature)
    return {
        "temperature": temperature,
        "temperature_fit_on": fit_on,
        "temperature_fit_examples": int(len(fit_labels)),
        "temperature_eval_examples": int(len(eval_labels)),
        "ece_temp_scaled": metrics.expected_calibration_error(scaled, eval_labels),
        "nll_temp_scaled": metrics.negative_log_likelihood(scaled, eval_labels),
        "ece_unscaled": metrics.expected_calibration_error(eval_probs, eval_labels),
        "nll_unscaled": metrics.negative_log_likelihood(eval_probs, eval_labels),
    }


def _log(probs: np.ndarray) -> np.ndarray:
    return np.log(np.maximum(probs, 1e-12))


def _plain(value):
    array = np.asarray(value, dtype=float)
    return [None if np.isnan(v) else float(v) for v in array.ravel()]
