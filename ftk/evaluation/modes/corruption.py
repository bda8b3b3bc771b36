"""`corruption` mode: robustness to common corruptions at 5 severities."""

from __future__ import annotations

import numpy as np

from ftk.data.corrupted import cifar_c_test, corrupted_test
from ftk.data.corruptions import CORRUPTIONS
from ftk.ensemble import metrics, plots
from ftk.ensemble.ensemble import point_metrics
from ftk.evaluation.context import EvalContext, spread

KEYS = ("accuracy", "nll", "ece")


def run(ctx: EvalContext) -> dict:
    """Accuracy, NLL and ECE of members and ensemble on every corruption and severity.

    `options["corruption_source"]`: `"tfds"` reads CIFAR-10-C / CIFAR-100-C
    (`ftk.data.corrupted.cifar_c_test`); `"auto"` and `"on_the_fly"` corrupt
    the test split with TensorFlow image ops (`ftk.data.corruptions`).
    `options["corruptions"]` and `options["severities"]` narrow the grid.
    The averages over the grid are the corrupted accuracy, NLL and ECE
    (cA, cNLL, cECE). See `summarize` for `mce` (mean corruption error) and
    `by_severity` (calibration under shift, averaged over corruptions).
    """
    source = ctx.options.get("corruption_source") or "auto"
    source = "tfds" if source == "tfds" else "on_the_fly"
    corruptions = ctx.options.get("corruptions") or list(CORRUPTIONS)
    severities = ctx.options.get("severities") or [1, 2, 3, 4, 5]
    results, grid = {}, []
    for corruption in corruptions:
        results[corruption] = {}
        for severity in severities:
            member_probs = ctx.ensemble.member_probabilities(_dataset(ctx, source, corruption, severity))
            entry = _entry(member_probs, ctx.labels)
            results[corruption][str(severity)] = entry
            grid.append(entry)
    average = {
        part: {k: float(np.mean([g[part][k] for g in grid])) for k in KEYS}
        for part in ("members_mean", "members_std", "ensemble")
    }
    clean = _entry(ctx.member_probs, ctx.labels)
    summary = summarize(results, severities, ctx.options.get("corruption_baseline"))
    _plot(ctx, results, clean, summary["by_severity"], severities)
    return {"source": source, "severities": severities, "results": results, "average": average,
            **summary}


def summarize(results: dict, severities, baseline: dict | None = None) -> dict:
    """mCE and the metrics per severity, from `{corruption: {severity: entry}}`.

    `mce`: the unnormalised mean corruption error, `mean_{c, s} (1 - accuracy)`, of
    each member (`members`, `mean`, `std`) and of the ensemble;
    `ensemble_relative_to_members_mean` is the ensemble's Hendrycks-style mCE with the
    mean single member as the baseline, `mean_c sum_s E_ens / sum_s E_member_mean`
    (< 1: the ensemble errs less). With `baseline` (`{corruption: {severity: error}}`,
    e.g. a dense model's), `ensemble_relative_to_baseline` and
    `members_mean_relative_to_baseline` are the same ratio against it.
    `by_severity`: `{severity: {"members_mean" | "ensemble": {accuracy, nll, ece}}}`,
    each the mean over corruptions (ECE and NLL per severity: calibration under shift).
    """
    keys = [str(s) for s in severities]
    corruptions = list(results)

    def grid(get) -> np.ndarray:
        return np.array([[get(results[c][k]) for k in keys] for c in corruptions])

    ensemble = 1.0 - grid(lambda e: e["ensemble"]["accuracy"])
    members_mean = 1.0 - grid(lambda e: e["members_mean"]["accuracy"])
    count = len(next(iter(results[corruptions[0]].values()))["members"]) if corruptions else 0
    members = [metrics.mean_corruption_error(1.0 - grid(lambda e, m=m: e["members"][m]["accuracy"]))
               for m in range(count)]
    mce = {**spread(members), "ensemble": metrics.mean_corruption_error(ensemble)}
    if np.all(members_mean.sum(axis=1) > 0):
        mce["ensemble_relative_to_members_mean"] = metrics.mean_corruption_error(ensemble, members_mean)
    if baseline:
        base = np.array([[float(baseline[c][k]) for k in keys] for c in corruptions])
        mce["ensemble_relative_to_baseline"] = metrics.mean_corruption_error(ensemble, base)
        mce["members_mean_relative_to_baseline"] = metrics.mean_corruption_error(members_mean, base)
    by_severity = {
        k: {part: {m: float(np.mean([results[c][k][part][m] for c in corruptions])) for m in KEYS}
            for part in ("members_mean", "ensemble")}
        for k in keys
    }
    return {"mce": mce, "by_severity": by_severity}


def _dataset(ctx: EvalContext, source: str, corruption: str, severity: int):
    d = ctx.recipe.data
    kwargs = dict(batch_size=d.eval_batch_size or d.batch_size, data_dir=d.data_dir, path=d.path,
                  limit=ctx.options.get("limit") or d.limit, info=ctx.data.info)
    if source == "tfds":
        return cifar_c_test(d.name, corruption, severity, **kwargs)
    return corrupted_test(d.name, corruption, severity, seed=ctx.recipe.seed, **kwargs)


def _entry(member_probs: np.ndarray, labels: np.ndarray) -> dict:
    members = [{k: point_metrics(p, labels)[k] for k in KEYS} for p in member_probs]
    ensemble = point_metrics(metrics.ensemble_probabilities(member_probs), labels)
    return {
        "members": members,
        "members_mean": {k: float(np.mean([m[k] for m in members])) for k in KEYS},
        "members_std": {k: float(np.std([m[k] for m in members])) for k in KEYS},
        "ensemble": {k: ensemble[k] for k in KEYS},
    }


def _plot(ctx: EvalContext, results: dict, clean: dict, by_severity: dict, severities) -> None:
    bars = {
        corruption: {
            "members (mean)": float(np.mean([e["members_mean"]["accuracy"] for e in by_severity_.values()])),
            "ensemble": float(np.mean([e["ensemble"]["accuracy"] for e in by_severity_.values()])),
        }
        for corruption, by_severity_ in results.items()
    }
    bars["clean"] = {"members (mean)": clean["members_mean"]["accuracy"],
                     "ensemble": clean["ensemble"]["accuracy"]}
    with ctx.plot_file("corruption_accuracy") as file:
        plots.corruption_bars(bars, file)
    models = {"members (mean)": "members_mean", "ensemble": "ensemble"}
    series = {m: {label: [by_severity[str(s)][part][m] for s in severities] for label, part in models.items()}
              for m in ("accuracy", "ece", "nll")}
    clean_values = {m: {label: clean[part][m] for label, part in models.items()} for m in series}
    with ctx.plot_file("corruption_severity") as file:
        plots.corruption_severity_curves(severities, series, file, clean=clean_values)
