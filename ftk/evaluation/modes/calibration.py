"""`calibration` mode: ECE and reliability diagrams."""

from __future__ import annotations

import dataclasses

import numpy as np

from ftk.ensemble import metrics, plots
from ftk.evaluation.context import EvalContext, spread


def run(ctx: EvalContext) -> dict:
    """ECE (15 bins) of each member, mean/std, the ensemble, and its reliability bins."""
    probs = metrics.ensemble_probabilities(ctx.member_probs)
    bins = metrics.reliability_bins(probs, ctx.labels)
    with ctx.plot_file("reliability_ensemble") as file:
        plots.reliability_diagram(bins, file, title="Ensemble")
    member_bins = metrics.reliability_bins(ctx.member_probs[0], ctx.labels)
    with ctx.plot_file("reliability_ticket_0") as file:
        plots.reliability_diagram(member_bins, file, title="Ticket 0")
    eces = [metrics.expected_calibration_error(p, ctx.labels) for p in ctx.member_probs]
    return {
        **spread(eces),
        "ensemble": metrics.expected_calibration_error(probs, ctx.labels),
        "bins": {k: _plain(v) for k, v in dataclasses.asdict(bins).items()},
    }


def _plain(value):
    array = np.asarray(value, dtype=float)
    return [None if np.isnan(v) else float(v) for v in array.ravel()]
