"""Ensemble accuracy, NLL and ECE against the number of members."""

from __future__ import annotations

from pathlib import Path
from typing import IO

import numpy as np
from matplotlib.ticker import MaxNLocator
from numpy.typing import ArrayLike

from ftk.ensemble.plots._canvas import Target, check_array, figure, save, vector


def ensemble_size_curve(
    sizes: ArrayLike,
    accuracy: ArrayLike,
    nll: ArrayLike,
    ece: ArrayLike,
    path: Target,
    member_accuracy: float | ArrayLike | None = None,
) -> Path | IO[bytes]:
    """Plots ensemble accuracy, NLL and ECE (three panels) against the number of members.

    Args:
        sizes: Ensemble sizes, shape `(S,)`, e.g. `1..M`.
        accuracy: Ensemble accuracy per size, shape `(S,)`.
        nll: Ensemble NLL per size, shape `(S,)`.
        ece: Ensemble ECE per size, shape `(S,)`.
        path: Where to write the PNG: a file path (parent folders are
            created) or a binary file object.
        member_accuracy: Mean single-member accuracy, or the members' accuracies (their
            mean is used); drawn as a dashed line on the accuracy panel. Defaults to
            `None` (no line).

    Returns:
        The `Path` written (or the file object given).

    Example:
    >>> ensemble_size_curve([1, 2], [0.9, 0.92], [0.35, 0.3], [0.04, 0.02], "size.png")
    ... # doctest: +SKIP
    """
    x = check_array(sizes, "sizes", "(S,)", vector())
    given = {"accuracy": accuracy, "nll": nll, "ece": ece}
    series = {k: check_array(v, k, f"({x.size},)", vector(x.size)) for k, v in given.items()}
    mean = None
    if member_accuracy is not None:
        mean = float(np.mean(check_array(np.ravel(member_accuracy), "member_accuracy", "(k,)", bool)))
    fig = figure(12.0, 3.8)
    panels = (("accuracy", "Accuracy"), ("nll", "NLL (nats)"), ("ece", "ECE"))
    for ax, (key, label) in zip(fig.subplots(1, 3), panels):
        ax.plot(x, series[key], "o-", color="tab:blue", label="Ensemble")
        if key == "accuracy" and mean is not None:
            ax.axhline(mean, color="gray", ls="--", label="Mean single member")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set(xlabel="Number of members", ylabel=label, title=label)
        ax.grid(alpha=0.3)
        ax.legend()
    return save(fig, path)
