"""`Ensemble.to_keras` and `ftk export`: one servable model, loadable without ftk."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import keras
import numpy as np
import pytest

import ftk
from ftk.ensemble.file_sizes import format_bytes, measure_file_sizes
from ftk.evaluation.export import export_ensemble
from ftk.models import lenet_300_100
from ftk.recipes import dump_recipe, find_recipe, load_recipe
from ftk.training import SGD

# Loads a model in a fresh process and checks that ftk was never imported there.
_LOAD_WITHOUT_FTK = """
import sys, numpy as np
{load}
x = np.load(sys.argv[2])
np.save(sys.argv[3], np.asarray({predict}))
assert not any(m == "ftk" or m.startswith("ftk.") for m in sys.modules), "ftk was imported"
"""


def _in_fresh_process(load: str, predict: str, artifact, x, tmp_path) -> np.ndarray:
    np.save(tmp_path / "x.npy", x)
    env = {**os.environ, "KERAS_BACKEND": "tensorflow", "TF_CPP_MIN_LOG_LEVEL": "3"}
    code = _LOAD_WITHOUT_FTK.format(load=load, predict=predict)
    done = subprocess.run(
        [sys.executable, "-c", code, str(artifact), str(tmp_path / "x.npy"), str(tmp_path / "y.npy")],
        capture_output=True, text=True, env=env, cwd=tmp_path, timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return np.load(tmp_path / "y.npy")


def _tickets(count=3, density=0.2):
    tickets = []
    for seed in range(count):
        model = ftk.sparsify(lenet_300_100(seed=seed), density=density, seed=seed)
        model.compile(SGD(0.05, momentum=0.9), keras.losses.SparseCategoricalCrossentropy(from_logits=True))
        rng = np.random.default_rng(seed)
        model.fit(rng.random((64, 28, 28, 1), dtype=np.float32), rng.integers(0, 10, 64),
                  batch_size=32, verbose=0)
        tickets.append(model)
    return tickets


@pytest.fixture(scope="module")
def tickets():
    return _tickets()


@pytest.fixture(scope="module")
def images():
    return np.random.default_rng(7).random((32, 28, 28, 1), dtype=np.float32)


def test_plain_export_has_standard_layers_and_loads_without_ftk(tickets, images, tmp_path):
    ensemble = ftk.Ensemble(tickets)
    model = ensemble.to_keras()
    inner = [layer for member in model.layers if isinstance(member, keras.Model) for layer in member.layers]
    assert inner and all(type(layer).__module__.startswith("keras.") for layer in inner)
    assert not any("mask" in v.path for v in model.weights)
    model.save(tmp_path / "ensemble.keras")
    served = _in_fresh_process(
        "import keras; model = keras.saving.load_model(sys.argv[1])",
        "model.predict(x, verbose=0)", tmp_path / "ensemble.keras", images, tmp_path,
    )
    np.testing.assert_allclose(served, ensemble.predict(images), atol=1e-6)


def test_packed_export_is_small_and_loads_with_ftk(tickets, images, tmp_path):
    ensemble = ftk.Ensemble(tickets)
    ensemble.to_keras().save(tmp_path / "plain.keras")
    ensemble.to_keras(storage="packed").save(tmp_path / "packed.keras")
    ratio = (tmp_path / "packed.keras").stat().st_size / (tmp_path / "plain.keras").stat().st_size
    assert ratio <= 0.35, ratio
    loaded = keras.saving.load_model(tmp_path / "packed.keras")
    np.testing.assert_allclose(loaded.predict(images, verbose=0), ensemble.predict(images), atol=1e-6)


def test_saved_model_serves_without_ftk_or_keras(tickets, images, tmp_path):
    ensemble = ftk.Ensemble(tickets)
    ensemble.to_keras().export(str(tmp_path / "serving"), format="tf_saved_model", verbose=False)
    served = _in_fresh_process(
        "import tensorflow as tf; model = tf.saved_model.load(sys.argv[1])",
        "model.serve(x)", tmp_path / "serving", images, tmp_path,
    )
    np.testing.assert_allclose(served, ensemble.predict(images), atol=1e-6)


@pytest.mark.parametrize("storage", ["plain", "packed"])
def test_the_export_copies_the_members(storage, images):
    ticket = _tickets(count=1)[0]
    model = ftk.Ensemble([ticket]).to_keras(storage=storage)
    before = model.predict(images, verbose=0)
    np.testing.assert_allclose(before.sum(axis=-1), 1.0, atol=1e-5)  # one member: its probabilities
    weight = ftk.sparse_weights(ticket)[0]
    weight.variable.assign(np.zeros(weight.shape))
    np.testing.assert_array_equal(model.predict(images, verbose=0), before)


def test_to_keras_names_bad_input(tickets):
    with pytest.raises(ValueError, match="`storage` must be one of"):
        ftk.Ensemble(tickets).to_keras(storage="sparse")
    other = keras.Sequential([keras.Input((5,)), keras.layers.Dense(10)])
    with pytest.raises(ValueError, match="different shapes"):
        ftk.Ensemble([tickets[0], other]).to_keras()


def test_file_sizes_put_tickets_and_exports_next_to_a_dense_model(tickets, tmp_path):
    paths = []
    for index, ticket in enumerate(tickets):
        ticket.save(tmp_path / f"ticket_{index}.keras")
        paths.append(tmp_path / f"ticket_{index}.keras")
    sizes = measure_file_sizes(paths, tickets[0], ftk.Ensemble(tickets)).as_dict()
    assert sizes["tickets_bytes"] == [p.stat().st_size for p in paths]
    assert sizes["ticket_vs_dense"] <= 0.35
    assert 2.5 <= sizes["export_vs_dense"]["plain"] <= 3.2  # three dense members
    assert sizes["export_vs_dense"]["packed"] <= 1.0
    assert format_bytes(2161353) == "2.16 MB" and format_bytes(999) == "999 B"


# ----- a run directory -----

@pytest.fixture(scope="module")
def run_dir(tickets, tmp_path_factory):
    folder = tmp_path_factory.mktemp("run")
    (folder / "recipe.yaml").write_text(dump_recipe(load_recipe(find_recipe("test_dst"))))
    (folder / "tickets").mkdir()
    for index, ticket in enumerate(tickets):
        ticket.save(folder / "tickets" / f"ticket_{index}.keras")
    return folder


def test_export_ensemble_writes_the_model_and_a_saved_model(run_dir, images, tmp_path):
    first = export_ensemble(run_dir, tmp_path / "ens.keras", saved_model=tmp_path / "serving")
    again = export_ensemble(run_dir, tmp_path / "ens.keras", saved_model=tmp_path / "serving")
    assert again.keras_bytes == first.keras_bytes and first.members == 3
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ens.keras", "serving"]  # no temporaries left
    model = keras.saving.load_model(tmp_path / "ens.keras")
    expected = ftk.Ensemble.load(run_dir).predict(images)
    np.testing.assert_allclose(model.predict(images, verbose=0), expected, atol=1e-6)
    with pytest.raises(ValueError, match=r"\.keras file"):
        export_ensemble(run_dir, tmp_path / "ens.h5")


def test_ftk_export_command(run_dir, tmp_path):
    env = {**os.environ, "KERAS_BACKEND": "tensorflow"}
    done = subprocess.run(
        [sys.executable, "-m", "ftk.cli", "export", str(run_dir), "--out", str(tmp_path / "e.keras"),
         "--storage", "packed"],
        capture_output=True, text=True, env=env, timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "3 members, packed: needs `import ftk`" in " ".join(done.stdout.split())
    assert Path(tmp_path / "e.keras").stat().st_size < 0.35 * 3 * 1_070_000


def test_plain_export_warns_about_layers_keras_cannot_load_alone():
    from ftk.ensemble.dropout_passes import dropout_passes

    inputs = keras.Input((5,))
    x = keras.layers.Dropout(0.5)(keras.layers.Dense(8)(inputs))
    model = keras.Model(inputs, keras.layers.Dense(3)(x))
    with pytest.warns(UserWarning, match="AlwaysOnDropout"):
        ftk.Ensemble(dropout_passes(model, 2)).to_keras()
