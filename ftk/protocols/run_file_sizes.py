"""The file sizes of a finished run, for its summary: reported, never a reason to fail."""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from pathlib import Path

import keras

from ftk.ensemble.ensemble import Ensemble
from ftk.ensemble.file_sizes import FileSizes, measure_file_sizes
from ftk.run_dir import load_keras_file


def run_file_sizes(
    paths: Sequence[Path], members: Callable[[list[keras.Model]], list[keras.Model]]
) -> FileSizes | None:
    """Measures a run's tickets and exported ensemble (`FileSizes`), or warns and returns `None`.

    The run is complete when this is called: a failure here (a full disk for
    the temporary exports, say) must not turn it into a failed run.

    Args:
        paths: the committed ticket files, in order.
        members: the protocol's ensemble members from tickets.
    """
    if not paths:
        return None
    try:
        tickets = [load_keras_file(p, f"ticket {i}") for i, p in enumerate(paths)]
        return measure_file_sizes(paths, tickets[0], Ensemble(members(tickets)))
    except Exception as error:  # noqa: BLE001 -- reported, and the run still succeeds
        warnings.warn(f"Could not measure the run's file sizes: {type(error).__name__}: {error}", stacklevel=2)
        return None
