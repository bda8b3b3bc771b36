"""Grouped bars of a metric per corruption, one bar per model."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import IO

import numpy as np

from ftk.ensemble.plots._canvas import Target, colors, figure, save, ticks


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
