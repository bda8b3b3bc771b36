"""Creating, reopening and reading a run folder (docs/run_directory.md)."""

from __future__ import annotations

import json
import os
from pathlib import Path

from ftk import atomic
from ftk.recipes import Recipe, dump_recipe, load_recipe, recipe_to_dict


def create(recipe: Recipe, run_dir: str | os.PathLike | None = None) -> Path:
    """Creates a new run folder and writes the resolved recipe into it.

    Args:
        recipe: the validated recipe.
        run_dir: the folder. Defaults to `<recipe.run.root>/<recipe.name>`.

    Returns:
        The folder's path.

    Raises:
        FileExistsError: if the folder exists and is not empty: a run is never
            overwritten silently.
    """
    path = Path(run_dir) if run_dir else Path(recipe.run.root) / recipe.name
    if path.exists() and any(path.iterdir()):
        raise FileExistsError(
            f"Run directory '{path}' already exists. Continue it with "
            f"`ftk run RECIPE --resume {path}`, or start a new one with `--run-dir OTHER`."
        )
    path.mkdir(parents=True, exist_ok=True)
    atomic.write_text(path / "recipe.yaml", dump_recipe(recipe))
    return path


def reopen(run_dir: str | os.PathLike, recipe: Recipe | None = None) -> tuple[Path, Recipe]:
    """Opens an existing run folder for `--resume`.

    Args:
        run_dir: the folder of an earlier run.
        recipe: the recipe given on the command line, which must resolve to
            the same recipe as the run's `recipe.yaml`; `None` uses the saved one.

    Returns:
        (path, the run's recipe).

    Raises:
        FileNotFoundError: if `run_dir` holds no run.
        ValueError: if `recipe` differs from the run's recipe.
    """
    path = Path(run_dir)
    if not (path / "recipe.yaml").is_file():
        raise FileNotFoundError(f"'{path}' is not a run directory: it has no recipe.yaml.")
    saved = load_recipe(path / "recipe.yaml")
    if recipe is not None and dump_recipe(recipe) != dump_recipe(saved):
        changed = _changed_fields(recipe_to_dict(saved), recipe_to_dict(recipe))
        raise ValueError(
            f"The recipe differs from the one '{path}' was started with, in: {', '.join(changed)}. "
            "Resume with the same recipe (and the same --set overrides)."
        )
    return path, saved


def read_state(run_dir: Path) -> dict:
    """Returns the last checkpoint's state, or the state of a fresh run."""
    state_file = run_dir / "checkpoints" / "state.json"
    if state_file.is_file():
        return json.loads(state_file.read_text())
    return {"member": 0, "epoch": 0}


def write_state(run_dir: Path, state: dict) -> None:
    atomic.write_json(run_dir / "checkpoints" / "state.json", state)


def _changed_fields(old: dict, new: dict, prefix: str = "") -> list[str]:
    changed = []
    for key in sorted(set(old) | set(new)):
        a, b = old.get(key), new.get(key)
        if isinstance(a, dict) and isinstance(b, dict):
            changed += _changed_fields(a, b, f"{prefix}{key}.")
        elif a != b:
            changed.append(f"{prefix}{key}")
    return changed
