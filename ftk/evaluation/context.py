"""`EvalContext`: what every evaluation mode of `ftk eval` reads."""

from __future__ import annotations

import contextlib
import dataclasses
import functools
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import numpy as np

from ftk import atomic
from ftk.data import Splits
from ftk.ensemble.ensemble import Ensemble, dataset_labels
from ftk.recipes import Recipe


@dataclasses.dataclass
class EvalContext:
    """A run's ensemble, its data and the options of one `ftk eval`.

    Attributes:
        run_dir: the run folder.
        out_dir: where plots go (`run_dir/eval`).
        recipe: the run's recipe.
        ensemble: the run's tickets.
        data: the run's dataset (test split used throughout).
        options: mode options from the command line (e.g. `ood_data`).
    """

    run_dir: Path
    out_dir: Path
    recipe: Recipe
    ensemble: Ensemble
    data: Splits
    options: dict = dataclasses.field(default_factory=dict)

    @functools.cached_property
    def labels(self) -> np.ndarray:
        """Test-set labels, `(n,)` integers."""
        return dataset_labels(self.data.test)

    @functools.cached_property
    def member_probs(self) -> np.ndarray:
        """Test-set probabilities of every member, (members, n, classes)."""
        return self.ensemble.member_probabilities(self.data.test)

    def plot_path(self, name: str) -> Path:
        """The path of the plot `name`: `out_dir/<name>.png`."""
        return self.out_dir / f"{name}.png"

    @contextlib.contextmanager
    def plot_file(self, name: str) -> Iterator[IO[bytes]]:
        """Yields a binary file that replaces `plot_path(name)` when the block succeeds.

        Readers of the run directory (the TUI, a browser) never see half a PNG;
        on an error the old plot, if any, stays.

        Example:

        ```python
        with ctx.plot_file("tsne") as file:
            plots.tsne_paths(points, file)
        ```
        """
        with atomic.replacing(self.plot_path(name), "wb") as file:
            yield file


def spread(values) -> dict:
    """`{"members": values, "mean": ..., "std": ...}` of per-member numbers."""
    values = [float(v) for v in values]
    return {"members": values, "mean": float(np.mean(values)), "std": float(np.std(values))}
