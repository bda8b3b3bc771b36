"""Saving tickets: a `.keras` model plus a JSON file of what it is."""

from __future__ import annotations

import os
from pathlib import Path

import keras

from ftk import atomic
from ftk.run_dir.finite import require_finite_weights


def save_ticket(model: keras.Model, path: str | os.PathLike, meta: dict) -> None:
    """Atomically writes `model` to `path` and `meta` to `path` with `.json`.

    A model with non-finite weights is never written.

    Args:
        model: the model to keep.
        path: a `.keras` path, e.g. `tickets/ticket_0.keras`.
        meta: JSON-ready facts about the ticket (epoch, validation accuracy).
    """
    path = Path(path)
    require_finite_weights(model, str(path))
    atomic.save_model(model, path)
    atomic.write_json(path.with_suffix(".json"), meta)
