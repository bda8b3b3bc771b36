"""Ensemble accuracy, NLL and ECE against the number of members."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import IO

import numpy as np
from matplotlib.ticker import MaxNLocator
from numpy.typing import ArrayLike

from ftk.ensemble.plots._canvas import Target, check_array, figure, save, vector

PANELS = (("accuracy", "Accuracy"), ("nll", "NLL (nats)"), ("ece", "ECE"))


def ensemble_size_curve(
    sizes: ArrayLike,
    accuracy: ArrayLike,
    nll: ArrayLike,
    ece: ArrayLike,
    path: Target,
    member_accuracy: float | ArrayLike | None = None,
    member_metrics: Mapping[str, ArrayLike] | None = None,
    baseline: Mapping[str, float] | None = None,
    baseline_label: str = "Dense baseline",
) -> Path | IO[bytes]:
    """Plots ensemble accuracy, NLL and ECE (three panels) against the number of members.

    Every panel with member values shows the single members' spread (their points
    at one member and a min-max band across the axis) and the mean single member as
    a dashed reference line; a `baseline` adds a dotted line per panel.

    Args:
        sizes: Ensemble sizes, shape `(S,)`, e.g. `1..M`.
        accuracy: Ensemble accuracy per size, shape `(S,)`.
        nll: Ensemble NLL per size, shape `(S,)`.
        ece: Ensemble ECE per size, shape `(S,)`.
        path: Where to write the plot: a file path (the suffix picks PNG, SVG or PDF),
            a binary file object (PNG) or a mapping `{format: path or file}`.
        member_accuracy: Mean single-member accuracy, or the members' accuracies (their
            mean is the dashed line, their range the band). Defaults to `None`.
        member_metrics: `{"accuracy" | "nll" | "ece": per-member values}`; overrides
            `member_accuracy` for the keys it has. Defaults to `None`.
        baseline: `{"accuracy" | "nll" | "ece": value}` of a reference model, e.g. the
            dense network. Defaults to `None`.
        baseline_label: Legend label of `baseline`.

    Returns:
        The `Path` written (or the file object given).

    Example:
    >>> ensemble_size_curve([1, 2], [0.9, 0.92], [0.35, 0.3], [0.04, 0.02], "size.png")
    ... # doctest: +SKIP
    """
    x = check_array(sizes, "sizes", "(S,)", vector())
    given = {"accuracy": accuracy, "nll": nll, "ece": ece}
    series = {k: check_array(v, k, f"({x.size},)", vector(x.size)) for k, v in given.items()}
    members = {k: check_array(np.ravel(v), f"member_metrics[{k!r}]", "(k,)", bool)
               for k, v in (member_metrics or {}).items() if k in given}
    if member_accuracy is not None and "accuracy" not in members:
        members["accuracy"] = check_array(np.ravel(member_accuracy), "member_accuracy", "(k,)", bool)
    base = {k: float(check_array(v, f"baseline[{k!r}]", "()", lambda s: s == ()))
            for k, v in (baseline or {}).items() if k in given}
    fig = figure(12.0, 3.8)
    for ax, (key, label) in zip(fig.subplots(1, 3), PANELS):
        ax.plot(x, series[key], "o-", color="tab:blue", label="Ensemble", zorder=3)
        if key in members:
            vals = members[key]
            if vals.size > 1:
                ax.axhspan(vals.min(), vals.max(), color="gray", alpha=0.15, label="Members (min-max)")
                ax.scatter(np.full(vals.size, x.min()), vals, s=18, color="tab:orange", zorder=4,
                           label="Single members")
            ax.axhline(vals.mean(), color="gray", ls="--", label="Mean single member")
        if key in base:
            ax.axhline(base[key], color="black", ls=":", label=baseline_label)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set(xlabel="Number of members", ylabel=label, title=label)
        ax.margins(y=0.1)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7)
    return save(fig, path)
