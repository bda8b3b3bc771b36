"""What every plot shares: argument checks, a headless figure, and writing it (PNG, SVG, PDF)."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import IO, Any

import matplotlib
import numpy as np
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

DPI = 120
#: Where a plot goes: a file path, or a binary file object (e.g. from `ftk.atomic.replacing`).
Target = str | os.PathLike | IO[bytes] | Mapping[str, Any]


def check_array(
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


def names(labels: Sequence[str] | None, n: int) -> list[str]:
    """`n` member names: `labels` checked, or `"member 0"`, `"member 1"`, ..."""
    if labels is None:
        return [f"member {i}" for i in range(n)]
    if isinstance(labels, str) or len(labels) != n:
        raise ValueError(f"`labels` must be a sequence of {n} strings; received {labels!r}.")
    return [str(label) for label in labels]


def vector(n: int | None = None) -> Callable[[tuple[int, ...]], bool]:
    """A shape check for a 1-D array (of length `n` if given)."""
    return lambda shape: len(shape) == 1 and n in (None, shape[0])


def ticks(ax: Axes, axis: str, labels: list[str]) -> None:
    """Names the ticks of `axis` (`"x"` or `"y"`), slanted when many on the x axis."""
    rotate = axis == "x" and len(labels) > 4
    getattr(ax, f"set_{axis}ticks")(range(len(labels)), labels, rotation=45 if rotate else 0,
                                     ha="right" if rotate else "center")


def colors(n: int) -> list[tuple[float, float, float, float]]:
    """`n` distinct colours: tab10 up to 10, viridis beyond."""
    cmap = matplotlib.colormaps["tab10" if n <= 10 else "viridis"]
    return [cmap(i if n <= 10 else i / (n - 1)) for i in range(n)]


def figure(width: float, height: float) -> Figure:
    """A figure on its own Agg canvas, never through `pyplot` (the backend is left alone)."""
    fig = Figure(figsize=(width, height), dpi=DPI, layout="constrained")
    FigureCanvasAgg(fig)
    return fig


FORMATS = ("png", "svg", "pdf")


def _format(target) -> str:
    """The format of a path by its suffix (`.png`, `.svg`, `.pdf`); PNG otherwise."""
    suffix = Path(target).suffix.lower().lstrip(".") if not hasattr(target, "write") else ""
    return suffix if suffix in FORMATS else "png"


def save(fig: Figure, target: Target) -> Path | IO[bytes] | Mapping:
    """Writes `fig` to `target`, then clears `fig`.

    A path is written in the format of its suffix (`.svg`, `.pdf`; PNG otherwise),
    a file object as PNG, and a mapping `{format: path or file}` (e.g.
    `{"png": f1, "svg": f2}`) once per format. A path gets its parent folders
    created, and a failed write leaves no file there. The write is not atomic:
    a caller whose readers must never see a half-written file hands in a file
    from `ftk.atomic.replacing(path, "wb")`.

    Returns:
        `target` as a `Path`, or the file object (or mapping) itself.
    """
    try:
        if isinstance(target, Mapping):
            bad = [f for f in target if f not in FORMATS]
            if bad or not target:
                raise ValueError(f"Plot formats must be among {FORMATS}; received {list(target)}.")
            for fmt, each in target.items():
                _write(fig, each, fmt)
            return target
        return _write(fig, target, _format(target))
    finally:
        fig.clear()


def _write(fig: Figure, target, fmt: str) -> Path | IO[bytes]:
    if hasattr(target, "write"):
        fig.savefig(target, format=fmt, dpi=DPI)
        return target
    path = Path(target)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fig.savefig(path, format=fmt, dpi=DPI)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return path
