"""Risk-coverage curves of selective prediction, one per model, with their AURC."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import IO

import numpy as np

from ftk.ensemble.plots._canvas import Target, check_array, colors, figure, save, vector


def risk_coverage_curve(
    curves: Mapping[str, tuple], path: Target, title: str | None = None
) -> Path | IO[bytes]:
    """Plots risk against coverage for each model; the legend gives each AURC.

    Args:
        curves: `{model: (coverage, risk)}`, each a pair of equal-length 1-D arrays, e.g.
            from `ftk.ensemble.metrics.risk_coverage`; AURC is the mean risk.
        path: Where to write the plot: a file path (the suffix picks PNG, SVG or PDF),
            a binary file object (PNG) or a mapping `{format: path or file}`.
        title: Figure title. Defaults to `"Risk-coverage (selective prediction)"`.

    Returns:
        The `Path` written (or the file object given).

    Example:
    >>> risk_coverage_curve({"ensemble": risk_coverage(probs, labels)}, "rc.png")  # doctest: +SKIP
    """
    if not isinstance(curves, Mapping) or not curves:
        raise ValueError("`curves` must be a non-empty mapping of model to (coverage, risk).")
    checked = {}
    for model, pair in curves.items():
        if len(pair) != 2:
            raise ValueError(f"`curves[{model!r}]` must be a pair (coverage, risk).")
        cov = check_array(pair[0], f"curves[{model!r}] coverage", "(n,)", vector())
        checked[model] = (cov, check_array(pair[1], f"curves[{model!r}] risk", f"({cov.size},)",
                                           vector(cov.size)))
    fig = figure(6.0, 4.5)
    ax = fig.subplots()
    for (model, (cov, risk)), color in zip(checked.items(), colors(len(checked))):
        ax.plot(cov, risk, color=color, lw=1.5, label=f"{model} (AURC = {np.mean(risk):.4f})")
    top = max(float(np.max(r)) for _, r in checked.values())
    ax.set(xlim=(0, 1), ylim=(0, max(top * 1.05, 1e-3)), xlabel="Coverage",
           ylabel="Risk (error rate of retained)", title=title or "Risk-coverage (selective prediction)")
    ax.grid(alpha=0.3)
    ax.legend(loc="upper left")
    return save(fig, path)
