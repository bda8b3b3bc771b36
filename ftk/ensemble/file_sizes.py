"""Bytes on disk: a run's tickets and its exported ensemble, next to one dense model's."""

from __future__ import annotations

import dataclasses
import os
import tempfile
import warnings
from collections.abc import Sequence
from pathlib import Path

import keras
import numpy as np

from ftk.ensemble.ensemble import STORAGES, Ensemble
from ftk.sparse.conversion import strip


@dataclasses.dataclass(frozen=True)
class FileSizes:
    """Bytes on disk of an ensemble's files, and of the dense model they replace.

    Args:
        tickets: bytes of each ticket file, as the run wrote it.
        dense_ticket: bytes of one dense model of the tickets' architecture,
            saved as the tickets are (with the optimizer state when they
            carry one, non-zero as after training): the reference of
            `tickets`.
        exports: bytes of `Ensemble.to_keras(storage=...)` saved as `.keras`,
            by storage (`"plain"`, `"packed"`).
        dense_model: bytes of one dense model alone (no optimizer state):
            the reference of `exports`.
    """

    tickets: tuple[int, ...]
    dense_ticket: int
    exports: dict[str, int]
    dense_model: int

    def as_dict(self) -> dict:
        """The sizes and their ratios to the dense model, JSON-ready."""
        total = sum(self.tickets)
        return {
            "tickets_bytes": list(self.tickets),
            "tickets_total_bytes": total,
            "dense_ticket_bytes": self.dense_ticket,
            "ticket_vs_dense": _ratio(total / max(len(self.tickets), 1), self.dense_ticket),
            "tickets_total_vs_dense": _ratio(total, self.dense_ticket),
            "export_bytes": dict(self.exports),
            "dense_model_bytes": self.dense_model,
            "export_vs_dense": {k: _ratio(v, self.dense_model) for k, v in self.exports.items()},
        }

    def describe(self) -> list[str]:
        """Lines for a terminal: each size, and how many dense models it weighs."""
        return describe_file_sizes(self.as_dict())


def describe_file_sizes(sizes: dict) -> list[str]:
    """The lines of `FileSizes.describe` from its `as_dict()` (e.g. read from JSON)."""
    n = len(sizes["tickets_bytes"])
    total = sizes["tickets_total_bytes"]
    lines = [
        f"tickets: {n} x {format_bytes(total / max(n, 1))} = {format_bytes(total)}, "
        f"{sizes['tickets_total_vs_dense']:.2f}x one dense model saved the same way "
        f"({format_bytes(sizes['dense_ticket_bytes'])})",
    ]
    for storage, size in sizes["export_bytes"].items():
        lines.append(
            f"exported ensemble ({storage}): {format_bytes(size)}, {sizes['export_vs_dense'][storage]:.2f}x "
            f"one dense model ({format_bytes(sizes['dense_model_bytes'])})"
        )
    return lines


def measure_file_sizes(
    ticket_paths: Sequence[str | os.PathLike],
    ticket: keras.Model,
    ensemble: Ensemble,
    storages: Sequence[str] = STORAGES,
) -> FileSizes:
    """Measures the files of an ensemble by writing them to a temporary folder.

    Args:
        ticket_paths: the ticket files on disk.
        ticket: one ticket, loaded: the architecture of the dense reference
            (its masks are folded in by `ftk.strip`, so it is stored dense).
        ensemble: the ensemble whose `to_keras` exports are measured.
        storages: the export storages to measure. Defaults to both.

    Returns:
        A `FileSizes`.
    """
    with tempfile.TemporaryDirectory(prefix="ftk-sizes-") as folder:
        folder = Path(folder)
        dense = strip(ticket)  # compiled like `ticket`, with fresh (all-zero) optimizer slots
        dense_model = _saved_size(keras.Model(dense.inputs, dense.outputs), folder / "dense_model.keras")
        if ticket.optimizer is not None:
            rng = np.random.default_rng(0)
            dense.optimizer.build(dense.trainable_variables)
            for slot in dense.optimizer.variables:  # varied, as after training: saved dense
                if len(slot.shape):
                    slot.assign(rng.normal(size=slot.shape).astype(slot.dtype))
            dense_ticket = _saved_size(dense, folder / "dense_ticket.keras")
        else:
            dense_ticket = dense_model
        with warnings.catch_warnings():  # measuring, not exporting: `to_keras`' advice is `ftk export`'s
            warnings.simplefilter("ignore")
            exports = {s: _saved_size(ensemble.to_keras(storage=s), folder / f"ensemble_{s}.keras")
                       for s in storages}
    return FileSizes(
        tickets=tuple(Path(p).stat().st_size for p in ticket_paths),
        dense_ticket=dense_ticket,
        exports=exports,
        dense_model=dense_model,
    )


def format_bytes(size: float) -> str:
    """`2161353` -> `"2.16 MB"` (decimal units, as `ls -l --si` and file managers show)."""
    for unit in ("B", "kB", "MB", "GB"):
        if size < 1000 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.2f} {unit}"
        size /= 1000
    raise AssertionError("unreachable")


def _saved_size(model: keras.Model, path: Path) -> int:
    model.save(path)
    return path.stat().st_size


def _ratio(size: float, reference: float) -> float:
    return round(size / reference, 4) if reference else float("nan")
