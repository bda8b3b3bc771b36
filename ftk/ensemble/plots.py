"""Headless PNG plots of ensemble metrics: calibration, diversity, size, robustness, paths.

Figures are drawn on their own Agg canvas (`Figure` + `FigureCanvasAgg`), never through
`pyplot`, so this module leaves the caller's matplotlib backend alone. Each function writes
one PNG atomically (temporary file, then rename), creating parent folders, and returns its
`Path`. Bad shapes raise `ValueError` naming the argument.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import matplotlib
import numpy as np
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import MaxNLocator
from numpy.typing import ArrayLike

from ftk import atomic

if TYPE_CHECKING:
    from ftk.ensemble.metrics import ReliabilityBins

DPI = 120
PathLike = str | os.PathLike


def _array(
    x: Any, name: str, want: str, ok: Callable[[tuple[int, ...]], bool], finite: bool = True
) -> np.ndarray:
    """`x` as float64; `ValueError` naming `name` unless `ok(shape)`, sizes >= 1 (and finite)."""
    try:
        a = np.asarray(x, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise ValueError(f"`{name}` must be numeric with shape {want}.") from error
    if not ok(a.shape) or 0 in a.shape:
        raise ValueError(f"`{name}` must have shape {want} (sizes >= 1); received shape {a.shape}.")
    if finite and not np.all(np.isfinite(a)):
        raise ValueError(f"`{name}` must hold finite values.")
    return a


def _names(labels: Sequence[str] | None, n: int) -> list[str]:
    if labels is None:
        return [f"member {i}" for i in range(n)]
    if isinstance(labels, str) or len(labels) != n:
        raise ValueError(f"`labels` must be a sequence of {n} strings; received {labels!r}.")
    return [str(label) for label in labels]


def _vector(n: int | None = None) -> Callable[[tuple[int, ...]], bool]:
    return lambda shape: len(shape) == 1 and n in (None, shape[0])


def _ticks(ax: Axes, axis: str, names: list[str]) -> None:
    rotate = axis == "x" and len(names) > 4
    getattr(ax, f"set_{axis}ticks")(range(len(names)), names, rotation=45 if rotate else 0,
                                     ha="right" if rotate else "center")


def _colors(n: int) -> list[tuple[float, float, float, float]]:
    cmap = matplotlib.colormaps["tab10" if n <= 10 else "viridis"]
    return [cmap(i if n <= 10 else i / (n - 1)) for i in range(n)]


def _figure(width: float, height: float) -> Figure:
    fig = Figure(figsize=(width, height), dpi=DPI, layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def _save(fig: Figure, path: PathLike) -> Path:
    """Writes `fig` as PNG to a temporary file beside `path`, renames it, then clears `fig`."""
    path = Path(path)
    try:
        with atomic.replacing(path, "wb") as file:
            fig.savefig(file, format="png", dpi=DPI)
    finally:
        fig.clear()
    return path


def reliability_diagram(bins: ReliabilityBins, path: PathLike, title: str | None = None) -> Path:
    """Plots per-bin accuracy against confidence, the calibration gap and the bin counts.

    The legend shows the ECE, `sum_b counts_b / n * |accuracy_b - confidence_b|` over the
    non-empty bins; empty bins (NaN) draw no bar.

    Args:
        bins: A `ReliabilityBins` from `ftk.ensemble.metrics.reliability_bins`.
        path: Where to write the PNG.
        title: Figure title; defaults to `"Reliability diagram"`.

    Returns:
        The `Path` written.

    Example:
    >>> reliability_diagram(reliability_bins(probs, labels), "rel.png")  # doctest: +SKIP
    """
    fields = ("edges", "counts", "accuracy", "confidence")
    if not all(hasattr(bins, k) for k in fields):
        raise ValueError(f"`bins` must be a `ReliabilityBins`; received {type(bins)}.")
    edges_ok = lambda s: len(s) == 1 and s[0] >= 2  # noqa: E731
    edges = _array(bins.edges, "bins.edges", "(B + 1,) with B >= 1", edges_ok)
    b = edges.size - 1
    counts, acc, conf = (_array(getattr(bins, k), f"bins.{k}", f"({b},)", _vector(b), k == "counts")
                         for k in fields[1:])
    full = (counts > 0) & np.isfinite(acc) & np.isfinite(conf)
    weights = counts[full] / max(counts.sum(), 1)
    ece = float(np.sum(weights * np.abs(acc[full] - conf[full])))
    left, width = edges[:-1][full], np.diff(edges)[full]

    fig = _figure(5.5, 6.0)
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
    return _save(fig, path)


def disagreement_heatmap(
    matrix: ArrayLike,
    path: PathLike,
    labels: Sequence[str] | None = None,
    title: str | None = None,
    value_label: str = "Disagreement",
) -> Path:
    """Plots an `M x M` member-pair matrix as a heatmap, cells annotated up to `M = 20`.

    Args:
        matrix: Finite array of shape `(M, M)`, e.g. `disagreement_matrix` or `kl_matrix`
            (row `i`, column `j` is `K[i, j] = KL(p_i || p_j)`).
        path: Where to write the PNG.
        labels: `M` member names; defaults to `"member 0"`, `"member 1"`, ...
        title: Figure title; defaults to `f"{value_label} between members"`.
        value_label: Name of the values, e.g. `"KL divergence"`, for the colour bar.

    Returns:
        The `Path` written.

    Example:
    >>> disagreement_heatmap(kl_matrix(member_probs), "kl.png", value_label="KL")  # doctest: +SKIP
    """
    m = _array(matrix, "matrix", "(M, M)", lambda s: len(s) == 2 and s[0] == s[1])
    n, names = m.shape[0], _names(labels, m.shape[0])
    side = min(max(4.5, 0.55 * n + 2.5), 16.0)
    fig = _figure(side + 1.0, side)
    ax = fig.subplots()
    vmin, vmax = min(0.0, m.min()), max(m.max(), 1e-12)
    fig.colorbar(ax.imshow(m, cmap="viridis", vmin=vmin, vmax=vmax), ax=ax, label=value_label)
    for (i, j), v in np.ndenumerate(m if n <= 20 else np.empty((0, 0))):
        light = (v - vmin) / (vmax - vmin) > 0.6
        ax.text(j, i, f"{v:.3g}", ha="center", va="center", fontsize=8,
                color="black" if light else "white")
    _ticks(ax, "x", names)
    _ticks(ax, "y", names)
    ax.set(xlabel="Member", ylabel="Member", title=title or f"{value_label} between members")
    return _save(fig, path)


def ensemble_size_curve(
    sizes: ArrayLike,
    accuracy: ArrayLike,
    nll: ArrayLike,
    ece: ArrayLike,
    path: PathLike,
    member_accuracy: float | ArrayLike | None = None,
) -> Path:
    """Plots ensemble accuracy, NLL and ECE (three panels) against the number of members.

    Args:
        sizes: Ensemble sizes, shape `(S,)`, e.g. `1..M`.
        accuracy: Ensemble accuracy per size, shape `(S,)`.
        nll: Ensemble NLL per size, shape `(S,)`.
        ece: Ensemble ECE per size, shape `(S,)`.
        path: Where to write the PNG.
        member_accuracy: Mean single-member accuracy, or the members' accuracies (their
            mean is used); drawn as a dashed line on the accuracy panel.

    Returns:
        The `Path` written.

    Example:
    >>> ensemble_size_curve([1, 2], [0.9, 0.92], [0.35, 0.3], [0.04, 0.02], "size.png")
    ... # doctest: +SKIP
    """
    x = _array(sizes, "sizes", "(S,)", _vector())
    given = {"accuracy": accuracy, "nll": nll, "ece": ece}
    series = {k: _array(v, k, f"({x.size},)", _vector(x.size)) for k, v in given.items()}
    mean = None
    if member_accuracy is not None:
        mean = float(np.mean(_array(np.ravel(member_accuracy), "member_accuracy", "(k,)", bool)))
    fig = _figure(12.0, 3.8)
    panels = (("accuracy", "Accuracy"), ("nll", "NLL (nats)"), ("ece", "ECE"))
    for ax, (key, label) in zip(fig.subplots(1, 3), panels):
        ax.plot(x, series[key], "o-", color="tab:blue", label="Ensemble")
        if key == "accuracy" and mean is not None:
            ax.axhline(mean, color="gray", ls="--", label="Mean single member")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set(xlabel="Number of members", ylabel=label, title=label)
        ax.grid(alpha=0.3)
        ax.legend()
    return _save(fig, path)


def corruption_bars(
    results: Mapping[str, Mapping[str, float]], path: PathLike, metric: str = "accuracy"
) -> Path:
    """Plots grouped bars of a metric per corruption, one bar per model.

    Args:
        results: `{corruption: {model: value}}`, models e.g. `"members mean"`, `"ensemble"`,
            `"dense"`; a model missing from a corruption draws no bar. An optional
            `"clean"` entry is drawn as one dashed line per model.
        path: Where to write the PNG.
        metric: Name of the metric, for the axis label and title.

    Returns:
        The `Path` written.

    Example:
    >>> results = {"clean": {"ensemble": 0.95}, "fog": {"ensemble": 0.8, "dense": 0.7}}
    >>> corruption_bars(results, "plots/corruptions.png")  # doctest: +SKIP
    """
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
    corruptions = [c for c in results if c != "clean"]
    if not any(results[c] for c in corruptions):
        raise ValueError("`results` must hold values for at least one corruption besides 'clean'.")
    clean, width = results.get("clean", {}), 0.8 / len(models)
    fig = _figure(min(max(7.0, 0.3 * len(corruptions) * len(models) + 4.0), 20.0), 4.5)
    ax = fig.subplots()
    for k, (model, color) in enumerate(zip(models, _colors(len(models)))):
        xs = [i for i, c in enumerate(corruptions) if model in results[c]]
        ys = [float(results[corruptions[i]][model]) for i in xs]
        offset = (k - (len(models) - 1) / 2) * width
        ax.bar(np.asarray(xs, dtype=float) + offset, ys, width, color=color, label=model)
        if model in clean:
            ax.axhline(float(clean[model]), color=color, ls="--", lw=1.2, label=f"{model} (clean)")
    _ticks(ax, "x", corruptions)
    ax.set(xlabel="Corruption", ylabel=metric, title=f"{metric} under corruption")
    ax.margins(y=0.1)
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    return _save(fig, path)


def tsne_paths(
    points: ArrayLike,
    path: PathLike,
    labels: Sequence[str] | None = None,
    ensemble_point: ArrayLike | None = None,
    title: str | None = None,
) -> Path:
    """Plots each member's path through its 2-D embedded (e.g. t-SNE) checkpoints.

    Args:
        points: Finite array of shape `(members, checkpoints, 2)`, or a list
            of `(checkpoints_i, 2)` arrays when paths differ in length.
        path: Where to write the PNG.
        labels: `members` names; defaults to `"member 0"`, `"member 1"`, ...
        ensemble_point: Optional embedded point of the final ensemble, shape `(2,)`.
        title: Figure title; defaults to `"Member trajectories (t-SNE)"`.

    Returns:
        The `Path` written.

    Example:
    >>> points = np.random.rand(3, 5, 2)
    >>> tsne_paths(points, "tsne.png", ensemble_point=[0.5, 0.5])  # doctest: +SKIP
    """
    if isinstance(points, np.ndarray) or not len(points):
        p = list(_array(points, "points", "(members, checkpoints, 2)", lambda s: len(s) == 3 and s[2] == 2))
    else:  # paths of different lengths
        p = [_array(t, "points", "a list of (checkpoints, 2) arrays", lambda s: len(s) == 2 and s[1] == 2)
             for t in points]
    e = ensemble_point
    e = None if e is None else _array(e, "ensemble_point", "(2,)", lambda s: s == (2,))
    names = _names(labels, len(p))
    fig = _figure(7.0, 5.5)
    ax = fig.subplots()
    for track, name, color in zip(p, names, _colors(len(p))):
        ax.plot(track[:, 0], track[:, 1], ".-", color=color, alpha=0.8, label=name)
        ax.scatter(*track[0], s=60, marker="o", fc="white", ec=color, zorder=3)
        ax.scatter(*track[-1], s=60, marker="s", color=color, ec="black", zorder=3)
    handles = ax.get_legend_handles_labels()[0] + [
        Line2D([], [], ls="", marker="o", mfc="white", mec="gray", label="Start"),
        Line2D([], [], ls="", marker="s", mfc="gray", mec="black", label="End"),
    ]
    if e is not None:
        handles.append(ax.scatter(*e, s=200, marker="*", color="gold", ec="black", zorder=4,
                                  label="Ensemble"))
    ax.set(xlabel="t-SNE 1", ylabel="t-SNE 2", title=title or "Member trajectories (t-SNE)")
    ax.legend(handles=handles, fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    return _save(fig, path)
