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

#: Formats `ftk eval --format` can write plots in.
PLOT_FORMATS = ("png", "svg", "pdf")


@dataclasses.dataclass
class EvalContext:
    """A run's ensemble, its data and the options of one `ftk eval`.

    Attributes:
        run_dir: the run folder.
        out_dir: where plots go (`run_dir/eval`).
        recipe: the run's recipe.
        ensemble: the run's tickets.
        data: the run's dataset (test split used throughout).
        options: mode options from the command line (e.g. `ood_data`, `formats`).
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

    @property
    def formats(self) -> list[str]:
        """Plot formats from `options["formats"]` (`"png,svg"` or a list); `["png"]` by default."""
        given = self.options.get("formats") or ["png"]
        given = given.split(",") if isinstance(given, str) else list(given)
        chosen = list(dict.fromkeys(f.strip().lower().lstrip(".") for f in given if f.strip()))
        bad = [f for f in chosen if f not in PLOT_FORMATS]
        if bad or not chosen:
            raise ValueError(f"Unknown plot format(s) {bad or given}; choose from {PLOT_FORMATS}.")
        return chosen

    def plot_path(self, name: str, fmt: str | None = None) -> Path:
        """The path of the plot `name`: `out_dir/<name>.<fmt>` (the first format by default)."""
        return self.out_dir / f"{name}.{fmt or self.formats[0]}"

    @contextlib.contextmanager
    def plot_file(self, name: str) -> Iterator[IO[bytes] | dict[str, IO[bytes]]]:
        """Yields what replaces `plot_path(name, fmt)` for every format when the block succeeds.

        With one format (PNG by default) that is a binary file; with several, a mapping
        `{format: file}`, which every `ftk.ensemble.plots` function writes once per format.

        Readers of the run directory (the TUI, a browser) never see half a PNG;
        on an error the old plot, if any, stays.

        Example:

        ```python
        with ctx.plot_file("tsne") as file:
            plots.tsne_paths(points, file)
        ```
        """
        formats = self.formats
        with contextlib.ExitStack() as stack:
            files = {f: stack.enter_context(atomic.replacing(self.plot_path(name, f), "wb"))
                     for f in formats}
            yield files[formats[0]] if len(formats) == 1 else files


def spread(values) -> dict:
    """`{"members": values, "mean": ..., "std": ...}` of per-member numbers."""
    values = [float(v) for v in values]
    return {"members": values, "mean": float(np.mean(values)), "std": float(np.std(values))}
