"""Corruption robustness: grouped bars per corruption, and metric-vs-severity curves."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import IO

import numpy as np
from matplotlib.ticker import MaxNLocator
from numpy.typing import ArrayLike

from ftk.ensemble.plots._canvas import Target, check_array, colors, figure, save, ticks, vector


def corruption_bars(
    results: Mapping[str, Mapping[str, float]], path: Target, metric: str = "accuracy"
) -> Path | IO[bytes]:
    """Plots grouped bars of a metric per corruption, one bar per model.

    Args:
        results: `{corruption: {model: value}}`, models e.g. `"members mean"`, `"ensemble"`,
            `"dense"`; a model missing from a corruption draws no bar. An optional
            `"clean"` entry is drawn as one dashed line per model.
        path: Where to write the PNG: a file path (parent folders are
            created) or a binary file object.
        metric: Name of the metric, for the axis label and title. Defaults to `"accuracy"`.

    Returns:
        The `Path` written (or the file object given).

    Example:
    >>> results = {"clean": {"ensemble": 0.95}, "fog": {"ensemble": 0.8, "dense": 0.7}}
    >>> corruption_bars(results, "plots/corruptions.png")  # doctest: +SKIP
    """
    models = _models(results)
    corruptions = [c for c in results if c != "clean"]
    if not any(results[c] for c in corruptions):
        raise ValueError("`results` must hold values for at least one corruption besides 'clean'.")
    clean, width = results.get("clean", {}), 0.8 / len(models)
    fig = figure(min(max(7.0, 0.3 * len(corruptions) * len(models) + 4.0), 20.0), 4.5)
    ax = fig.subplots()
    for k, (model, color) in enumerate(zip(models, colors(len(models)))):
        xs = [i for i, c in enumerate(corruptions) if model in results[c]]
        ys = [float(results[corruptions[i]][model]) for i in xs]
        offset = (k - (len(models) - 1) / 2) * width
        ax.bar(np.asarray(xs, dtype=float) + offset, ys, width, color=color, label=model)
        if model in clean:
            ax.axhline(float(clean[model]), color=color, ls="--", lw=1.2, label=f"{model} (clean)")
    ticks(ax, "x", corruptions)
    ax.set(xlabel="Corruption", ylabel=metric, title=f"{metric} under corruption")
    ax.margins(y=0.1)
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    return save(fig, path)


def _models(results: Mapping[str, Mapping[str, float]]) -> list[str]:
    """The models of `results` in order of appearance; `ValueError` on a bad entry."""
    if not isinstance(results, Mapping):
        raise ValueError(f"`results` must be a mapping; received {type(results)}.")
    models: list[str] = []
    for corruption, row in results.items():
        if not isinstance(row, Mapping):
            raise ValueError(f"`results[{corruption!r}]` must be a mapping of model to value.")
        for model, value in row.items():
            if not isinstance(value, (int, float, np.number)) or not np.isfinite(value):
                raise ValueError(f"`results[{corruption!r}][{model!r}]` must be a finite number.")
            models += [] if model in models else [model]
    return models


def corruption_severity_curves(
    severities: Sequence[int],
    series: Mapping[str, Mapping[str, ArrayLike]],
    path: Target,
    clean: Mapping[str, Mapping[str, float]] | None = None,
) -> Path | IO[bytes]:
    """Plots metrics against corruption severity: one panel per metric, one line per model.

    Severity is on the x axis (integer ticks), the metric (e.g. accuracy or ECE averaged
    over corruptions) on the y axis, whose limits follow the data (with a margin).

    Args:
        severities: The severities, shape `(S,)`, e.g. `[1, 2, 3, 4, 5]`.
        series: `{metric: {model: values per severity, shape (S,)}}`.
        path: Where to write the plot: a file path (the suffix picks PNG, SVG or PDF),
            a binary file object (PNG) or a mapping `{format: path or file}`.
        clean: `{metric: {model: value}}` on clean data, drawn at severity 0 when given.

    Returns:
        The `Path` written (or the file object given).

    Example:
    >>> series = {"accuracy": {"ensemble": [0.9, 0.8]}, "ece": {"ensemble": [0.02, 0.05]}}
    >>> corruption_severity_curves([1, 2], series, "severity.png")  # doctest: +SKIP
    """
    x = check_array(severities, "severities", "(S,)", vector())
    if not isinstance(series, Mapping) or not series:
        raise ValueError("`series` must be a non-empty mapping {metric: {model: values}}.")
    clean = clean or {}
    fig = figure(4.2 * len(series) + 1.5, 3.8)
    axes = np.atleast_1d(fig.subplots(1, len(series)))
    for ax, (metric, by_model) in zip(axes, series.items()):
        if not isinstance(by_model, Mapping) or not by_model:
            raise ValueError(f"`series[{metric!r}]` must be a non-empty mapping of model to values.")
        low, high = np.inf, -np.inf
        for (model, values), color in zip(by_model.items(), colors(len(by_model))):
            y = check_array(values, f"series[{metric!r}][{model!r}]", f"({x.size},)", vector(x.size))
            xs, ys = x, y
            if model in clean.get(metric, {}):
                xs, ys = np.r_[0.0, x], np.r_[float(clean[metric][model]), y]
            ax.plot(xs, ys, "o-", color=color, label=model)
            low, high = min(low, ys.min()), max(high, ys.max())
        pad = max((high - low) * 0.08, 1e-3)
        ax.set_ylim(low - pad, high + pad)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set(xlabel="Severity" + (" (0 = clean)" if clean else ""), ylabel=metric,
               title=f"{metric} vs severity")
        ax.grid(alpha=0.3)
    axes[-1].legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    return save(fig, path)
