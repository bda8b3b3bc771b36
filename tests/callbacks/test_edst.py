"""`ftk.EDST` and `ftk.PruneAndFinetune` as plain Keras callbacks."""

import json

import keras
import numpy as np
import pytest

import ftk
from ftk.run_dir.events import PhaseStart, TicketSaved
from tests.callbacks.test_dynamic_sparsity import BATCH, make_data, make_model


class LearningRates(keras.callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.rates = []

    def on_epoch_begin(self, epoch, logs=None):
        self.rates.append(float(keras.ops.convert_to_numpy(self.model.optimizer.learning_rate)))


def test_edst_phases_rates_jumps_and_tickets(tmp_path):
    model = make_model()
    dst = ftk.DynamicSparsity(update_frequency=3, death_rate=0.5, death_rate_schedule="constant")
    edst = ftk.EDST(dst, explore_epochs=2, members=3, large_death_rate=0.8, lr_explore=0.1,
                    lr_refine=0.01, ticket_dir=tmp_path / "tickets")
    events, rates = [], LearningRates()
    edst.add_listener(events.append)
    x, y = make_data()  # 5 steps per epoch
    epochs = edst.total_epochs(8)  # 2 exploration + 3 x 2 refinement
    model.fit(x, y, batch_size=BATCH, epochs=epochs, shuffle=False, callbacks=[dst, edst, rates], verbose=0)

    phases = [(e.phase, e.index, e.epoch, e.step) for e in events if isinstance(e, PhaseStart)]
    assert phases == [("exploration", 1, 0, 0), ("refinement", 1, 2, 10),
                      ("refinement", 2, 4, 20), ("refinement", 3, 6, 30)]
    np.testing.assert_allclose(rates.rates, [0.1, 0.1, 0.01, 0.001, 0.01, 0.001, 0.01, 0.001], rtol=1e-6)
    jumps = [u for u in dst.updates if u.kind == "jump"]
    assert [u.step for u in jumps] == [21, 31]  # the first step of refinement phases 2 and 3
    assert all(u.death_rate == 0.8 for u in jumps)
    counts = {l.name: l.active for l in dst.updates[0].layers}
    assert all(l.active == counts[l.name] for u in jumps for l in u.layers)

    tickets = [e for e in events if isinstance(e, TicketSaved)]
    assert [(t.index, t.epoch) for t in tickets] == [(0, 4), (1, 6), (2, 8)]
    assert edst.tickets == [str(tmp_path / "tickets" / f"ticket_{i}.keras") for i in range(3)]
    masks = [[w.mask.numpy() for w in ftk.sparse_weights(keras.saving.load_model(p))] for p in edst.tickets]
    for a, b in [(0, 1), (1, 2), (0, 2)]:
        assert not np.array_equal(masks[a][0], masks[b][0])
    final = [w.mask.numpy() for w in ftk.sparse_weights(model)]
    assert all(np.array_equal(p, q) for p, q in zip(masks[2], final))
    assert json.loads((tmp_path / "tickets" / "ticket_1.json").read_text())["epoch"] == 6


def test_edst_needs_dynamic_sparsity(tmp_path):
    with pytest.raises(TypeError, match="DynamicSparsity"):
        ftk.EDST(None, explore_epochs=1, members=1, ticket_dir=tmp_path)


@pytest.mark.parametrize("epochs, message", [(7, "split into 3 refinement phases"), (4, "at least 2 epochs")])
def test_edst_rejects_uneven_phases(epochs, message):
    with pytest.raises(ValueError, match=message):
        ftk.EDST(ftk.DynamicSparsity(), explore_epochs=2, members=3).total_epochs(epochs)


def test_prune_and_finetune_is_global_magnitude_pruning():
    parent = make_model(density=1.0)
    x, y = make_data()
    snapshots = {}

    class BeforePrune(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            if epoch == 2:
                snapshots.update({w.name: w.variable.numpy() for w in ftk.sparse_weights(self.model)})

    pf = ftk.PruneAndFinetune(density=0.2, prune_epoch=2, finetune_lr=0.001)
    rates = LearningRates()
    parent.fit(x, y, batch_size=BATCH, epochs=4, shuffle=False, callbacks=[BeforePrune(), pf, rates], verbose=0)
    weights = ftk.sparse_weights(parent)
    everything = np.concatenate([np.abs(snapshots[w.name]).ravel() for w in weights])
    keep = round(0.2 * everything.size)
    threshold = np.sort(everything)[::-1][keep - 1]
    for w in weights:
        expected = (np.abs(snapshots[w.name]) >= threshold).astype("float32")
        np.testing.assert_array_equal(w.mask.numpy(), expected, err_msg=w.name)
        assert np.all(w.variable.numpy()[w.mask.numpy() == 0] == 0)
    assert sum(w.active_count() for w in weights) == keep
    assert len({round(w.density(), 3) for w in weights}) > 1  # one threshold, uneven layers
    np.testing.assert_allclose(rates.rates, [0.05, 0.05, 0.001, 0.001])
