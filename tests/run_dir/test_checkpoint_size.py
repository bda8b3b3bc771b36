"""Checkpoints of a sparse run are as small as the run is sparse, and resume exactly."""

from __future__ import annotations

import keras
import numpy as np

import ftk
from ftk.models import lenet_300_100
from ftk.run_dir.checkpoint import RunCheckpoint
from ftk.training import build_optimizer


def _checkpoint(model, directory):
    model.compile(build_optimizer("sgd", 0.05, momentum=0.9, weight_decay=5e-4),
                  keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    rng = np.random.default_rng(0)
    x, y = rng.random((128, 28, 28, 1), dtype=np.float32), rng.integers(0, 10, 128)
    callbacks = [RunCheckpoint(directory, lambda done: {"epoch": done})]
    if ftk.sparse_weights(model):
        callbacks.append(ftk.DynamicSparsity(update_frequency=2, death_rate=0.5, seed=0))
    model.fit(x, y, batch_size=16, epochs=1, verbose=0, callbacks=callbacks)
    return directory / "model.keras"


def test_sparse_checkpoint_is_at_most_035x_the_dense_one_and_loads_exactly(tmp_path):
    dense = _checkpoint(lenet_300_100(seed=0), tmp_path / "dense")
    model = ftk.sparsify(lenet_300_100(seed=0), density=0.2, seed=0)
    sparse = _checkpoint(model, tmp_path / "sparse")
    assert sparse.stat().st_size <= 0.35 * dense.stat().st_size, sparse.stat().st_size / dense.stat().st_size
    loaded = keras.saving.load_model(sparse)
    for expected, actual in zip([*model.weights, *model.optimizer.variables],
                                [*loaded.weights, *loaded.optimizer.variables], strict=True):
        np.testing.assert_array_equal(np.asarray(actual.numpy()), np.asarray(expected.numpy()), expected.path)
