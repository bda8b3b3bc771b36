"""`ftk export`: a run's ensemble as one servable model (`.keras`, TensorFlow SavedModel)."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

from ftk import atomic
from ftk.evaluation.run_ensemble import load_ensemble
from ftk.recipes import load_recipe


@dataclasses.dataclass(frozen=True)
class Export:
    """What `export_ensemble` wrote.

    Args:
        keras_file: the `.keras` file.
        keras_bytes: its size.
        saved_model: the SavedModel folder, or `None`.
        saved_model_bytes: the folder's total size, or `None`.
        members: the number of members in the model.
        storage: `"plain"` or `"packed"`.
    """

    keras_file: Path
    keras_bytes: int
    saved_model: Path | None
    saved_model_bytes: int | None
    members: int
    storage: str


def export_ensemble(
    run_dir: str | os.PathLike,
    out: str | os.PathLike | None = None,
    *,
    storage: str = "plain",
    saved_model: str | os.PathLike | None = None,
) -> Export:
    """Writes the ensemble of a run directory as one Keras model, and optionally a SavedModel.

    The model is `Ensemble.to_keras(storage=storage)`: the members' mean
    probability from one input. With `storage="plain"` it has standard Keras
    layers only and loads with `keras.saving.load_model` without ftk; with
    `"packed"` it is about `density` times smaller and needs `import ftk`.
    The SavedModel (`model.export(..., format="tf_saved_model")`) serves
    through `served = tf.saved_model.load(path); served.serve(images)` or TF Serving, without
    ftk or Keras. Both are written to temporary names and renamed.

    Args:
        run_dir: a folder written by `ftk run`.
        out: the `.keras` file. Defaults to `<run_dir>/ensemble.keras`.
        storage: `"plain"` (default) or `"packed"`.
        saved_model: a folder for the SavedModel, or `None` for none.

    Returns:
        An `Export` with the paths and sizes written.

    Raises:
        ValueError: if `out` does not end in `.keras`, or for another storage.
        FileNotFoundError: if the run has no tickets yet.

    Example:

    ```python
    export_ensemble("runs/edst_demo", "ensemble.keras", saved_model="serving/edst/1")
    ```
    """
    run_dir = Path(run_dir)
    out = Path(out) if out is not None else run_dir / "ensemble.keras"
    if out.suffix != ".keras":
        raise ValueError(f"`out` must be a .keras file, e.g. 'ensemble.keras'. Received: '{out}'")
    ensemble = load_ensemble(run_dir)
    model = ensemble.to_keras(name=_model_name(run_dir), storage=storage)
    atomic.save_model(model, out)
    saved_bytes = None
    if saved_model is not None:
        saved_model = Path(saved_model)
        with atomic.replacing_directory(saved_model) as folder:
            model.export(str(folder), format="tf_saved_model", verbose=False)
        saved_bytes = sum(f.stat().st_size for f in saved_model.rglob("*") if f.is_file())
    return Export(out, out.stat().st_size, saved_model, saved_bytes, len(ensemble), storage)


def _model_name(run_dir: Path) -> str:
    """The recipe's name as a Keras model name (letters, digits, `_`)."""
    name = load_recipe(run_dir / "recipe.yaml").name
    cleaned = "".join(c if c.isalnum() or c == "_" else "_" for c in name)
    return f"{cleaned}_ensemble" if cleaned else "ensemble"
