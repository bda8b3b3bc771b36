"""Every protocol end to end on the tiny digits recipes."""

import keras
import numpy as np
import pytest

import ftk
from ftk.models import build_model
from ftk.protocols.builders import sparsify
from ftk.recipes import find_recipe, load_recipe


def ticket_masks(path):
    return [w.mask.numpy() for w in ftk.sparse_weights(keras.saving.load_model(path))]


def of_type(events, kind):
    return [e for e in events if e["type"] == kind]


def test_edst_phases_learning_rates_jumps_and_tickets(run):
    result, events = run("test_edst")  # 6 epochs = 2 exploration + 2 x 2 refinement, 8 steps each
    phases = [(e["phase"], e["index"], e["epoch"]) for e in of_type(events, "phase_start")]
    assert phases == [("exploration", 1, 0), ("refinement", 1, 2), ("refinement", 2, 4)]
    rates = [e["lr"] for e in of_type(events, "epoch_end")]
    np.testing.assert_allclose(rates, [0.1, 0.1, 0.01, 0.001, 0.01, 0.001], rtol=1e-6)
    updates = of_type(events, "topology_update")
    assert [(u["step"], u["rate"]) for u in updates if u["kind"] == "jump"] == [(33, 0.8)]
    assert all(u["kind"] == "regular" for u in updates if u["step"] % 4 == 0)
    tickets = of_type(events, "ticket_saved")
    assert [(t["index"], t["epoch"], t["path"]) for t in tickets] == [
        (0, 4, "tickets/ticket_0.keras"), (1, 6, "tickets/ticket_1.keras")]
    assert len(result.tickets) == 2 and all(t["test_accuracy"] is not None for t in tickets)
    a, b = (ticket_masks(p) for p in result.tickets)
    assert not all(np.array_equal(x, y) for x, y in zip(a, b))
    assert [e["members"] for e in of_type(events, "ensemble_eval")] == [1, 2]
    assert events[0]["type"] == "run_start" and events[-1]["status"] == "finished"


def test_static_masks_never_change(run):
    result, events = run("test_static")
    recipe = load_recipe(find_recipe("test_static"))
    assert not of_type(events, "topology_update")
    for member, path in enumerate(result.tickets):
        base = build_model("mlp", num_classes=10, input_shape=(8, 8, 1), seed=recipe.seed + member)
        initial = [w.mask.numpy() for w in ftk.sparse_weights(sparsify(base, recipe, recipe.seed + member))]
        assert all(np.array_equal(x, y) for x, y in zip(initial, ticket_masks(path)))


def test_dst_ensemble_members_differ_by_seed(run):
    result, events = run("test_dst")
    updates = of_type(events, "topology_update")
    assert {u["member"] for u in updates} == {0, 1}
    t = load_recipe(find_recipe("test_dst")).training
    expected = [t.lr * t.lr_gamma ** sum(e >= int(m * t.epochs) for m in t.lr_milestones)
                for e in range(t.epochs)]
    np.testing.assert_allclose([e["lr"] for e in of_type(events, "epoch_end")], expected * 2, rtol=1e-6)
    a, b = (ticket_masks(p) for p in result.tickets)
    assert not any(np.array_equal(x, y) for x, y in zip(a, b) if x.mean() < 1)
    starts = [e for e in events if e["type"] == "phase_start"]
    assert [(s["member"], s["phase"]) for s in starts] == [(0, "training"), (1, "training")]


@pytest.mark.parametrize("name, members", [("test_dense", 1), ("test_deep_ensemble", 2)])
def test_dense_protocols(run, name, members):
    result, events = run(name)
    assert len(result.tickets) == members
    models = [keras.saving.load_model(p) for p in result.tickets]
    assert all(not ftk.sparse_weights(m) for m in models)
    if members > 1:
        assert not np.array_equal(models[0].layers[-1].kernel.numpy(), models[1].layers[-1].kernel.numpy())
    ends = of_type(events, "epoch_end")
    assert [e["global_epoch"] for e in ends] == list(range(1, 2 * members + 1))
    t = load_recipe(find_recipe(name)).training  # step decay: x gamma at each milestone
    expected = [t.lr * t.lr_gamma ** sum(e >= int(m * t.epochs) for m in t.lr_milestones)
                for e in range(t.epochs)]
    np.testing.assert_allclose([e["lr"] for e in ends], expected * members, rtol=1e-6)


class BeforePruning(keras.callbacks.Callback):
    """Keeps each parent's kernels as they are when it is pruned."""

    def __init__(self, prune_epoch):
        super().__init__()
        self.prune_epoch, self.kernels = prune_epoch, []

    def on_epoch_end(self, epoch, logs=None):
        if epoch + 1 == self.prune_epoch:
            self.kernels.append({w.name: w.variable.numpy() for w in ftk.sparse_weights(self.model)})


def test_pf_masks_are_a_global_magnitude_pruning_of_the_parent(run):
    recipe = load_recipe(find_recipe("test_pf"))
    snapshot = BeforePruning(recipe.training.epochs)
    result, events = run("test_pf", callbacks=[snapshot])
    assert [(e["member"], e["phase"]) for e in of_type(events, "phase_start")] == [
        (0, "training"), (0, "finetune"), (1, "training"), (1, "finetune")]
    for kernels, path in zip(snapshot.kernels, result.tickets):
        ticket = keras.saving.load_model(path)
        weights = ftk.sparse_weights(ticket)
        scores = np.concatenate([np.abs(kernels[w.name]).ravel() for w in weights])
        keep = round(recipe.sparsity.density * scores.size)
        threshold = np.sort(scores)[::-1][keep - 1]
        for w in weights:
            np.testing.assert_array_equal(w.mask.numpy(), (np.abs(kernels[w.name]) >= threshold).astype("float32"))
        assert sum(w.active_count() for w in weights) == keep
    fine_tune = [e["lr"] for e in of_type(events, "epoch_end") if e["epoch"] > recipe.training.epochs]
    np.testing.assert_allclose(fine_tune, recipe.pf.finetune_lr, rtol=1e-6)


def test_dst_ensemble_under_mirrored_strategy(run):
    result, events = run("test_dst", "run.strategy=mirrored")
    assert len(result.tickets) == 2
    updates = of_type(events, "topology_update")
    assert updates and len({u["density"] for u in updates}) == 1  # counts kept exactly
    for path in result.tickets:
        weights = ftk.sparse_weights(keras.saving.load_model(path))
        assert all(np.all(w.variable.numpy()[w.mask.numpy() == 0] == 0) for w in weights)
