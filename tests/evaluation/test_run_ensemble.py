"""`ftk.evaluation.run_ensemble`: a run directory's tickets, as its protocol combines them."""

import keras
import numpy as np
import pytest

from ftk.ensemble import Ensemble
from ftk.evaluation import RunEnsemble, load_ensemble
from ftk.protocols.base import Protocol
from ftk.recipes import dump_recipe, find_recipe, load_recipe


def ticket(seed):
    keras.utils.set_random_seed(seed)
    inputs = keras.Input((5,))
    return keras.Model(inputs, keras.layers.Dense(3)(inputs))


@pytest.fixture
def run_dir(tmp_path):
    """A run folder of an older ftk (no state ledger): its tickets are the files there."""
    (tmp_path / "recipe.yaml").write_text(dump_recipe(load_recipe(find_recipe("test_dst"))))
    (tmp_path / "tickets").mkdir()
    for i in range(2):
        ticket(i).save(tmp_path / "tickets" / f"ticket_{i}.keras")
    return tmp_path


def test_load_needs_tickets(tmp_path):
    with pytest.raises(FileNotFoundError, match="no tickets"):
        load_ensemble(tmp_path)
    with pytest.raises(FileNotFoundError, match="no tickets"):
        RunEnsemble.load(tmp_path)


def test_load_ensemble_loads_the_tickets_in_order(run_dir):
    ens = load_ensemble(run_dir)
    assert type(ens) is Ensemble and len(ens) == 2
    x = np.random.default_rng(0).normal(size=(4, 5)).astype("float32")
    np.testing.assert_allclose(ens.members[1].predict(x, verbose=0), ticket(1).predict(x, verbose=0),
                               atol=1e-6)


def test_the_protocol_makes_the_members(run_dir, monkeypatch):
    seen = {}

    def twice(self, tickets, recipe):
        seen.update(protocol=self.name, recipe=recipe.name)
        return [t for t in tickets for _ in range(2)]

    monkeypatch.setattr(Protocol, "ensemble_members", twice)
    ens = load_ensemble(run_dir)
    assert len(ens) == 4 and ens.members[0] is ens.members[1]
    assert seen == {"protocol": "dst_ensemble", "recipe": "test_dst"}


def test_run_ensemble_is_an_ensemble_that_loads_runs(run_dir):
    ens = RunEnsemble.load(run_dir)
    assert isinstance(ens, RunEnsemble) and isinstance(ens, Ensemble) and len(ens) == 2
    assert not hasattr(Ensemble, "load")
    assert RunEnsemble.__doc__.startswith("The `Ensemble` that also loads run directories")
