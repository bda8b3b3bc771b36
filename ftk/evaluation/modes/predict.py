"""`predict` mode: accuracy, NLL, ECE and Brier of members and ensemble, by ensemble size."""

from __future__ import annotations

from ftk.ensemble import metrics, plots
from ftk.ensemble.ensemble import point_metrics, summarize
from ftk.evaluation.context import EvalContext


def run(ctx: EvalContext) -> dict:
    """Returns the report of `Ensemble.evaluate` plus the curve over ensemble sizes."""
    report = summarize(ctx.member_probs, ctx.labels)
    curve = [
        {"members": k, **point_metrics(metrics.ensemble_probabilities(ctx.member_probs[:k]), ctx.labels)}
        for k in range(1, len(ctx.ensemble) + 1)
    ]
    report["by_size"] = curve
    with ctx.plot_file("ensemble_size") as file:
        plots.ensemble_size_curve(
            [c["members"] for c in curve], [c["accuracy"] for c in curve], [c["nll"] for c in curve],
            [c["ece"] for c in curve], file,
            member_metrics={k: [m[k] for m in report["members"]] for k in ("accuracy", "nll", "ece")},
        )
    return report
