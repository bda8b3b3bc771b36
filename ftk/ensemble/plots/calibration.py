"""Reliability diagrams: per-bin accuracy against confidence, with the calibration gap."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING

import numpy as np

from ftk.ensemble.plots._canvas import Target, check_array, figure, names, save, vector

if TYPE_CHECKING:
    from ftk.ensemble.metrics import ReliabilityBins


def reliability_diagram(
    bins: ReliabilityBins, path: Target, title: str | None = None
) -> Path | IO[bytes]:
    """Plots per-bin accuracy against confidence, the calibration gap and the bin counts.

    The legend shows the ECE, `sum_b counts_b / n * |accuracy_b - confidence_b|` over the
    non-empty bins; empty bins (NaN) draw no bar.

    Args:
        bins: A `ReliabilityBins` from `ftk.ensemble.metrics.reliability_bins`.
        path: Where to write the PNG: a file path (parent folders are
            created) or a binary file object.
        title: Figure title. Defaults to `"Reliability diagram"`.

    Returns:
        The `Path` written (or the file object given).

    Example:
    >>> reliability_diagram(reliability_bins(probs, labels), "rel.png")  # doctest: +SKIP
    """
    fields = ("edges", "counts", "accuracy", "confidence")
    if not all(hasattr(bins, k) for k in fields):
        raise ValueError(f"`bins` must be a `ReliabilityBins`; received {type(bins)}.")
    edges_ok = lambda s: len(s) == 1 and s[0] >= 2  # noqa: E731
    edges = check_array(bins.edges, "bins.edges", "(B + 1,) with B >= 1", edges_ok)
    b = edges.size - 1
    counts, acc, conf = (check_array(getattr(bins, k), f"bins.{k}", f"({b},)", vector(b), k == "counts")
                         for k in fields[1:])
    full = (counts > 0) & np.isfinite(acc) & np.isfinite(conf)
    weights = counts[full] / max(counts.sum(), 1)
    ece = float(np.sum(weights * np.abs(acc[full] - conf[full])))
    left, width = edges[:-1][full], np.diff(edges)[full]

    fig = figure(5.5, 6.0)
    top, bottom = fig.subplots(2, 1, sharex=True, height_ratios=[3, 1])
    top.plot(edges[[0, -1]], edges[[0, -1]], "k--", lw=1, label="Perfect calibration")
    top.bar(left, acc[full], width, align="edge", color="tab:blue", ec="black", lw=0.5,
            label="Accuracy")
    top.bar(left, conf[full] - acc[full], width, bottom=acc[full], align="edge",
            color=(1, 0, 0, 0.2), hatch="//", ec="tab:red", lw=0.5, label=f"Gap (ECE = {ece:.3f})")
    top.set(ylim=(0, 1), ylabel="Accuracy", title=title or "Reliability diagram")
    top.legend(loc="upper left")
    bottom.bar(edges[:-1], counts, np.diff(edges), align="edge", color="gray", ec="black", lw=0.5)
    bottom.set(xlim=(edges[0], edges[-1]), xlabel="Confidence", ylabel="Count")
    return save(fig, path)


def reliability_grid(
    bins: Sequence[ReliabilityBins],
    path: Target,
    titles: Sequence[str] | None = None,
    columns: int = 4,
) -> Path | IO[bytes]:
    """Small multiples: one reliability diagram per entry (e.g. every member, then the ensemble).

    Each panel draws per-bin accuracy against confidence, the diagonal, and the ECE
    of that entry in its title; panels share both axes on `[0, 1]`.

    Args:
        bins: `ReliabilityBins`, one per panel.
        path: Where to write the plot: a file path (the suffix picks PNG, SVG or PDF),
            a binary file object (PNG) or a mapping `{format: path or file}`.
        titles: One title per panel. Defaults to `"member 0"`, `"member 1"`, ...
        columns: Most panels per row (>= 1). Defaults to 4.

    Returns:
        The `Path` written (or the file object given).

    Example:
    >>> reliability_grid([reliability_bins(p, labels) for p in member_probs], "rel.png")
    ... # doctest: +SKIP
    """
    if not isinstance(columns, (int, np.integer)) or columns < 1:
        raise ValueError(f"`columns` must be an integer >= 1; received {columns!r}.")
    entries = list(bins)
    if not entries or not all(hasattr(b, "edges") and hasattr(b, "counts") for b in entries):
        raise ValueError("`bins` must be a non-empty sequence of `ReliabilityBins`.")
    labels = names(titles, len(entries))
    cols = min(columns, len(entries))
    rows = -(-len(entries) // cols)
    fig = figure(2.6 * cols + 0.5, 2.6 * rows + 0.3)
    axes = np.atleast_1d(fig.subplots(rows, cols, sharex=True, sharey=True, squeeze=False)).ravel()
    for ax, b, label in zip(axes, entries, labels):
        edges = np.asarray(b.edges, float)
        counts, acc, conf = (np.asarray(getattr(b, k), float) for k in ("counts", "accuracy", "confidence"))
        full = (counts > 0) & np.isfinite(acc) & np.isfinite(conf)
        ece = float(np.sum(counts[full] / max(counts.sum(), 1) * np.abs(acc[full] - conf[full])))
        ax.plot([0, 1], [0, 1], "k--", lw=0.8)
        ax.bar(edges[:-1][full], acc[full], np.diff(edges)[full], align="edge", color="tab:blue",
               ec="black", lw=0.4)
        ax.bar(edges[:-1][full], conf[full] - acc[full], np.diff(edges)[full], bottom=acc[full],
               align="edge", color=(1, 0, 0, 0.2), ec="tab:red", lw=0.4)
        ax.set(xlim=(0, 1), ylim=(0, 1), title=f"{label} (ECE {ece:.3f})")
        ax.title.set_fontsize(9)
    for ax in axes[len(entries):]:
        ax.set_visible(False)
    fig.supxlabel("Confidence")
    fig.supylabel("Accuracy")
    return save(fig, path)
