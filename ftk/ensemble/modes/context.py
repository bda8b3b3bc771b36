"""`EvalContext`: what every evaluation mode of `ftk eval` reads."""

from __future__ import annotations

import dataclasses
import functools
from pathlib import Path

import numpy as np

from ftk.data import Splits
from ftk.ensemble.ensemble import Ensemble
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
        return np.concatenate([np.asarray(y) for _, y in self.data.test]).astype(np.int64)

    @functools.cached_property
    def member_probs(self) -> np.ndarray:
        """Test-set probabilities of every member, (members, n, classes)."""
        return self.ensemble.member_probabilities(self.data.test)

    def plot_path(self, name: str) -> Path:
        return self.out_dir / f"{name}.png"


def spread(values) -> dict:
    """`{"members": values, "mean": ..., "std": ...}` of per-member numbers."""
    values = [float(v) for v in values]
    return {"members": values, "mean": float(np.mean(values)), "std": float(np.std(values))}
