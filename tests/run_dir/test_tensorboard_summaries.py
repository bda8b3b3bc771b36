"""`SparsitySummaries`: events become TensorBoard scalars, histograms and text, read back here."""

from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf

from ftk.run_dir.tensorboard_summaries import SparsitySummaries


def _read(folder) -> dict[str, list[tuple[int, object]]]:
    """tag -> [(step, value)] of every summary in the event files under `folder`."""
    found: dict[str, list] = {}
    for path in sorted(folder.glob("events.out.tfevents.*")):
        for record in tf.compat.v1.train.summary_iterator(str(path)):
            for value in record.summary.value:
                tensor = tf.make_ndarray(value.tensor)
                plugin = value.metadata.plugin_data.plugin_name
                item = tensor.item() if plugin in ("scalars", "text") else tensor
                found.setdefault(value.tag, []).append((record.step, item))
    return found


def _update(step, density, turnover):
    layers = [{"name": "dense1/kernel", "density": density - 0.05, "turnover": turnover * 2},
              {"name": "dense2/kernel", "density": density + 0.05, "turnover": turnover / 2}]
    return {"type": "topology_update", "member": 1, "epoch": 0, "step": step, "kind": "regular",
            "rate": 0.3, "density": density, "pruned": 40, "grown": 40, "turnover": turnover,
            "layers": layers}


def test_updates_tickets_and_ensemble_metrics_read_back(tmp_path):
    summaries = SparsitySummaries(tmp_path, member=1)
    summaries(_update(100, 0.2, 0.1))
    summaries(_update(200, 0.2, 0.05))
    summaries({**_update(300, 0.2, 0.0), "skipped": "non-finite weights in dense1/kernel"})
    summaries({"type": "epoch_end", "member": 1})  # not a summary: ignored
    summaries({"type": "ticket_saved", "index": 0, "member": 1, "epoch": 12, "path": "tickets/ticket_0.keras",
               "test_accuracy": 0.9712, "val_accuracy": None, "density": 0.2})
    summaries({"type": "ensemble_eval", "members": 2, "accuracy": 0.98, "nll": 0.07, "ece": 0.01,
               "source": "run"})
    summaries.close()

    sparsity = _read(tmp_path / "member_1" / "sparsity")
    assert sparsity["sparsity/density"] == [(100, pytest.approx(0.2)), (200, pytest.approx(0.2))]
    assert [v for _, v in sparsity["sparsity/turnover"]] == [pytest.approx(0.1), pytest.approx(0.05)]
    for tag in ("sparsity/death_rate", "sparsity/pruned", "sparsity/grown"):
        assert [s for s, _ in sparsity[tag]] == [100, 200], tag
    assert sparsity["density/dense1/kernel"][0] == (100, pytest.approx(0.15))
    assert sparsity["turnover/dense2/kernel"][1] == (200, pytest.approx(0.025))
    (step, histogram), _ = sparsity["turnover_by_layer"]
    assert step == 100 and histogram.ndim == 2  # buckets x (left, right, count)
    assert np.sum(histogram[:, 2]) == 2  # one value per layer
    ((index, text),) = sparsity["tickets"]
    assert index == 0 and b"ticket 0 saved after epoch 12" in text and b"0.9712" in text
    assert sparsity["tickets/test_accuracy"] == [(0, pytest.approx(0.9712))]

    ensemble = _read(tmp_path / "ensemble")
    assert ensemble["ensemble/accuracy"] == [(2, pytest.approx(0.98))]
    assert {"ensemble/nll", "ensemble/ece"} <= set(ensemble)


def test_a_run_writes_sparsity_tickets_and_ensemble_next_to_keras_curves(tmp_path):
    from ftk.protocols.runner import run_recipe
    from ftk.recipes import find_recipe, load_recipe

    run_dir = tmp_path / "edst"
    run_recipe(load_recipe(find_recipe("test_edst"), ["run.tensorboard=true"]), run_dir)
    board = run_dir / "tensorboard"
    assert {"train", "sparsity"} <= {p.name for p in (board / "member_0").iterdir()}
    sparsity = _read(board / "member_0" / "sparsity")
    steps = [step for step, _ in sparsity["sparsity/density"]]
    assert steps and steps == sorted(steps)
    assert any(tag.startswith("density/") for tag in sparsity)
    assert [index for index, _ in sparsity["tickets"]] == [0, 1]
    ensemble = _read(board / "ensemble")
    assert [size for size, _ in ensemble["ensemble/accuracy"]] == [1, 2]
