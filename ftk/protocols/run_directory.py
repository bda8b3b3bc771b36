"""Creating, reopening and reading a run folder (docs/run_directory.md)."""

from __future__ import annotations

import os
import shlex
import shutil
from pathlib import Path

from ftk import atomic
from ftk.recipes import Recipe, dump_recipe, load_recipe, recipe_to_dict
from ftk.run_dir import RunState
from ftk.run_dir.commands import resume_command
from ftk.run_dir.paths import RECIPE, STATE, WRITTEN, member_home

#: Recipe fields a resumed run may change: rates and settings that do not
#: change what the run is (its models, data, members, epochs or topology).
RESUMABLE_FIELDS = frozenset({
    "description", "training.lr", "training.lr_milestones", "training.lr_gamma",
    "training.weight_decay", "training.label_smoothing", "training.steps_per_execution",
    "training.jit_compile", "edst.lr_explore", "edst.lr_refine", "pf.finetune_lr",
    "data.data_dir", "data.path", "data.eval_batch_size", "run.checkpoint_every",
    "run.tensorboard", "run.deterministic", "run.strategy",
})


def run_folder(recipe: Recipe, run_dir: str | os.PathLike | None = None) -> Path:
    """The run folder: `run_dir`, or by default `<recipe.run.root>/<recipe.name>`."""
    return Path(run_dir) if run_dir else Path(recipe.run.root) / recipe.name


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
    path = run_folder(recipe, run_dir)
    if path.exists() and any(path.iterdir()):
        raise FileExistsError(
            f"Run directory '{path}' already exists. Continue it with "
            f"`{resume_command(path)}`, or start a new one in another folder with "
            f"`--run-dir {path.with_name(path.name + '-2')}`."
        )
    path.mkdir(parents=True, exist_ok=True)
    atomic.write_text(path / RECIPE, dump_recipe(recipe))
    RunState().write(path)
    return path


def join(recipe: Recipe, run_dir: str | os.PathLike | None = None) -> Path:
    """Opens the folder of a run trained member by member (`ftk run --member`), creating it if needed.

    Several processes may call this at once for the same folder: the first
    writes `recipe.yaml` (atomically; the others write the same bytes), and
    every later one accepts the folder only if it holds the same recipe.

    Args:
        recipe: the validated recipe.
        run_dir: the folder. Defaults to `<recipe.run.root>/<recipe.name>`.

    Returns:
        The folder's path.

    Raises:
        ValueError: if the folder holds another recipe, or a run trained
            sequentially (no `--member`).
    """
    path = run_folder(recipe, run_dir)
    if (path / STATE).is_file():
        raise ValueError(
            f"'{path}' holds a run trained without --member (it has {STATE}); its members "
            f"cannot be trained on their own. Continue it with `{resume_command(path)}`, "
            f"or train the members into a new folder (`--run-dir {path.with_name(path.name + '-2')}`)."
        )
    text = dump_recipe(recipe)
    path.mkdir(parents=True, exist_ok=True)
    if not (path / RECIPE).is_file():
        atomic.write_text(path / RECIPE, text)
    saved = (path / RECIPE).read_text(encoding="utf-8")
    if saved != text:
        changed = _changed_fields(recipe_to_dict(load_recipe(path / RECIPE)), recipe_to_dict(recipe))
        raise ValueError(
            f"'{path}' was started with another recipe (it differs in: "
            f"{', '.join(changed) or 'its text'}). Every member of a run must be trained with the "
            "same recipe and --set overrides (or none: `ftk run --resume "
            f"{shlex.quote(str(path))} --member I` uses the folder's own recipe); train this one "
            f"into a new folder (`--run-dir {path.with_name(path.name + '-2')}`)."
        )
    return path


def discard_member(path: Path, member: int) -> None:
    """Removes the folder of member run `member` that trained nothing (`members/member_<i>`)."""
    home = member_home(path, member)
    shutil.rmtree(home, ignore_errors=True)
    try:
        home.parent.rmdir()  # only when no other member has a folder
    except OSError:
        pass


def discard(path: Path) -> None:
    """Removes what `create` and a run that trained nothing wrote into `path`."""
    for name in WRITTEN:
        target = path / name
        if target.is_dir():
            shutil.rmtree(target, ignore_errors=True)
        else:
            target.unlink(missing_ok=True)
    if path.is_dir() and not any(path.iterdir()):
        path.rmdir()


def reopen(run_dir: str | os.PathLike, recipe: Recipe | None = None) -> tuple[Path, Recipe, list[str]]:
    """Opens an existing run folder for `--resume`, removing temporary files of a kill.

    The recipe may differ from the run's `recipe.yaml` only in
    `RESUMABLE_FIELDS` (e.g. a lower learning rate after a divergence); the
    new recipe then replaces the saved one.

    Args:
        run_dir: the folder of an earlier run.
        recipe: the recipe given on the command line; `None` uses the saved one.

    Returns:
        (path, the recipe to continue with, the fields that changed).

    Raises:
        FileNotFoundError: if `run_dir` holds no run.
        ValueError: if `recipe` differs from the run's recipe in other fields.
    """
    path = Path(run_dir)
    if not (path / RECIPE).is_file():
        raise FileNotFoundError(f"'{path}' is not a run directory: it has no recipe.yaml.")
    atomic.remove_stale_temp_files(path)  # left by a killed writer
    saved = load_recipe(path / RECIPE)
    if recipe is None or dump_recipe(recipe) == dump_recipe(saved):
        return path, saved, []
    changed = _changed_fields(recipe_to_dict(saved), recipe_to_dict(recipe))
    fixed = [field for field in changed if field not in RESUMABLE_FIELDS and field != "name"]
    if fixed:
        raise ValueError(
            f"The recipe differs from the one '{path}' was started with, in: {', '.join(fixed)}. "
            "Resume with the same recipe (and the same --set overrides); a resumed run may "
            f"change only {', '.join(sorted(RESUMABLE_FIELDS))}."
        )
    atomic.write_text(path / RECIPE, dump_recipe(recipe))
    return path, recipe, changed


def _changed_fields(old: dict, new: dict, prefix: str = "") -> list[str]:
    changed = []
    for key in sorted(set(old) | set(new)):
        a, b = old.get(key), new.get(key)
        if isinstance(a, dict) and isinstance(b, dict):
            changed += _changed_fields(a, b, f"{prefix}{key}.")
        elif a != b:
            changed.append(f"{prefix}{key}")
    return changed
