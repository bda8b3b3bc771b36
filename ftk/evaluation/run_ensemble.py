"""Loading a run directory's ensemble: its committed tickets, as its protocol combines them."""

from __future__ import annotations

import os
from pathlib import Path

from ftk.ensemble.ensemble import Ensemble
from ftk.recipes import load_recipe
from ftk.run_dir import committed_ticket_paths, load_keras_file


def load_ensemble(run_dir: str | os.PathLike) -> Ensemble:
    """Loads the ensemble of a run directory written by `ftk run`.

    The tickets `tickets/ticket_<i>.keras` are loaded in order; only the
    tickets the run's state has committed count, each checked against the
    size and checksum it was written with. The run's protocol (from
    `recipe.yaml`) then makes the ensemble's members from them: by default
    the tickets themselves.

    Args:
        run_dir: a folder written by `ftk run`.

    Returns:
        An `Ensemble` of the run's members.

    Raises:
        FileNotFoundError: if the run has no tickets yet.
        ftk.run_dir.RunDirectoryError: if a committed ticket is missing,
            truncated or changed (named in the message).

    Example:

    ```python
    ens = load_ensemble("runs/edst_demo")
    report = ens.evaluate(test_ds)
    ```
    """
    from ftk.protocols import get_protocol  # Deferred: `ftk` imports this module; protocols import `ftk`.

    paths = committed_ticket_paths(run_dir)
    if not paths:
        raise FileNotFoundError(
            f"'{run_dir}' has no tickets (tickets/ticket_<i>.keras). Train it with `ftk run`."
        )
    tickets = [load_keras_file(p, f"ticket {p.stem.split('_')[-1]}") for p in paths]
    recipe = load_recipe(Path(run_dir) / "recipe.yaml")
    return Ensemble(get_protocol(recipe.protocol).ensemble_members(tickets, recipe))


class RunEnsemble(Ensemble):
    """The `Ensemble` that also loads run directories (`ftk.Ensemble`).

    Everything else is `ftk.ensemble.Ensemble`'s: the mean of the members'
    probabilities, `evaluate`, `to_keras`.

    Example:

    ```python
    ens = ftk.Ensemble.load("runs/edst_demo")      # or ftk.Ensemble([m1, m2, m3])
    probs = ens.predict(x)
    ```
    """

    @classmethod
    def load(cls, run_dir: str | os.PathLike) -> RunEnsemble:
        """Loads the ensemble of a run directory; see `load_ensemble`.

        Args:
            run_dir: a folder written by `ftk run`.

        Raises:
            FileNotFoundError: if the run has no tickets yet.
            ftk.run_dir.RunDirectoryError: if a committed ticket is missing,
                truncated or changed (named in the message).
        """
        return cls(load_ensemble(run_dir).members)
