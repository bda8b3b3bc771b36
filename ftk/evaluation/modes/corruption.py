"""`corruption` mode: robustness to common corruptions at 5 severities."""

from __future__ import annotations

import numpy as np

from ftk.data.corrupted import cifar_c_test, corrupted_test
from ftk.data.corruptions import CORRUPTIONS
from ftk.ensemble import metrics, plots
from ftk.ensemble.ensemble import point_metrics
from ftk.evaluation.context import EvalContext

KEYS = ("accuracy", "nll", "ece")


def run(ctx: EvalContext) -> dict:
    """Accuracy, NLL and ECE of members and ensemble on every corruption and severity.

    `options["corruption_source"]`: `"tfds"` reads CIFAR-10-C / CIFAR-100-C
    (`ftk.data.corrupted.cifar_c_test`); `"auto"` and `"on_the_fly"` corrupt
    the test split with TensorFlow image ops (`ftk.data.corruptions`).
    `options["corruptions"]` and `options["severities"]` narrow the grid.
    The averages over the grid are the corrupted accuracy, NLL and ECE
    (cA, cNLL, cECE).
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
    _plot(ctx, results)
    return {"source": source, "severities": severities, "results": results, "average": average}


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


def _plot(ctx: EvalContext, results: dict) -> None:
    bars = {
        corruption: {
            "members (mean)": float(np.mean([e["members_mean"]["accuracy"] for e in by_severity.values()])),
            "ensemble": float(np.mean([e["ensemble"]["accuracy"] for e in by_severity.values()])),
        }
        for corruption, by_severity in results.items()
    }
    clean = _entry(ctx.member_probs, ctx.labels)
    bars["clean"] = {"members (mean)": clean["members_mean"]["accuracy"],
                     "ensemble": clean["ensemble"]["accuracy"]}
    with ctx.plot_file("corruption_accuracy") as file:
        plots.corruption_bars(bars, file)
