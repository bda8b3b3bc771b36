"""The `ftk run` commands that messages tell a user to copy: real paths, no placeholders.

A run folder holds its resolved `recipe.yaml`, so continuing a run needs
only the folder (`ftk run --resume DIR`), and a fresh run of the same
recipe needs only that file (`ftk run DIR/recipe.yaml --run-dir NEW`).
"""

from __future__ import annotations

import os
import shlex
from collections.abc import Sequence
from pathlib import Path

from ftk.run_dir.paths import MEMBERS, RECIPE, member_index


def ftk_run(*arguments: str | os.PathLike) -> str:
    """The shell command `ftk run ARGUMENTS`, each argument quoted where the shell needs it.

    Example:

    >>> ftk_run("--resume", "runs/my run")
    "ftk run --resume 'runs/my run'"
    """
    return " ".join(["ftk", "run", *(shlex.quote(str(a)) for a in arguments)])


def resume_command(
    run_dir: str | os.PathLike,
    *,
    parallel: int | None = None,
    members: Sequence[int] = (),
    overrides: Sequence[str] = (),
) -> str:
    """The command that continues the run in `run_dir` from its own `recipe.yaml`.

    Args:
        run_dir: the run folder (or a member's `members/member_<i>`, which
            adds `--member i`).
        parallel: add `--parallel N`. Defaults to `None`.
        members: add `--member I` for each. Defaults to `()`.
        overrides: add `--set KEY=VALUE` for each (resumable fields only,
            e.g. a lower learning rate). Defaults to `()`.

    Returns:
        E.g. `"ftk run --resume runs/edst_demo --parallel 2"`.

    Example:

    >>> resume_command("runs/dense", members=[1, 2])
    'ftk run --resume runs/dense --member 1 --member 2'
    """
    run_dir, member = _run_folder(run_dir)
    if member is not None and member not in members:
        members = [*members, member]
    arguments: list[str | os.PathLike] = ["--resume", run_dir]
    for override in overrides:
        arguments += ["--set", override]
    if parallel is not None:
        arguments += ["--parallel", str(parallel)]
    for member in members:
        arguments += ["--member", str(member)]
    return ftk_run(*arguments)


def rerun_command(run_dir: str | os.PathLike) -> str:
    """The command that trains the recipe of `run_dir` again, into a new folder next to it.

    Example:

    >>> rerun_command("runs/edst_demo")
    'ftk run runs/edst_demo/recipe.yaml --run-dir runs/edst_demo-2'
    """
    path, _ = _run_folder(run_dir)
    new = path.with_name(f"{path.name}-2")
    index = 2
    while new.exists():
        index += 1
        new = path.with_name(f"{path.name}-{index}")
    return ftk_run(path / RECIPE, "--run-dir", new)


def _run_folder(path: str | os.PathLike) -> tuple[Path, int | None]:
    """The run folder of `path`, and the member when `path` is its `members/member_<i>`."""
    path = Path(path)
    member = member_index(path)
    if member is not None and path.parent.name == MEMBERS.name:
        return path.parent.parent, member
    return path, None
