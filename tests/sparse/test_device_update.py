"""The topology update on the device (`update_on="device"`) against the host's."""

import numpy as np
import pytest
import tensorflow as tf

import ftk
from ftk.sparse.device_update import device_unsupported, update_topology_on_device
from ftk.sparse.growth_rules import GradientGrowth, MomentumGrowth, RandomGrowth
from ftk.sparse.optimizer_slots import slot_variables
from ftk.sparse.prune_rules import MagnitudePrune
from ftk.sparse.redistributions import MagnitudeRedistribution, Redistribution
from ftk.sparse.topology import update_topology
from tests.callbacks.test_dynamic_sparsity import BATCH, make_data, make_model

GROWTH = {"gradient": GradientGrowth(), "momentum": MomentumGrowth(), "random": RandomGrowth()}


def weights_with_ties(model, seed):
    """Sets kernels to few distinct values (many ties, zeros, -0.0) and slots to non-zero values."""
    rng = np.random.default_rng(seed)
    weights = ftk.sparse_weights(model)[:2]  # the two sparse ones (logits ends dense)
    for weight in weights:
        mask = weight.mask.numpy()
        kernel = rng.choice([0.0, -0.0, 0.5, -0.5, 1.0], size=weight.shape).astype("float32")
        weight.variable.assign(np.where(mask == 1, kernel, 0.0).astype("float32"))
    optimizer = model.optimizer
    optimizer.build(model.trainable_variables)
    for weight in weights:
        for slot in slot_variables(optimizer, weight.variable):
            slot.assign(rng.normal(size=weight.shape).astype("float32") + 3.0)
    return weights


def tied_scores(weights, seed):
    rng = np.random.default_rng(seed)
    return {w.name: rng.choice([0.0, 0.25, -0.25, 2.0], size=w.shape).astype("float32") for w in weights}


def state(model, weights):
    slots = [s.numpy() for w in weights for s in slot_variables(model.optimizer, w.variable)]
    return [w.mask.numpy() for w in weights], [w.variable.numpy() for w in weights], slots


@pytest.mark.parametrize("growth", ["gradient", "momentum"])
def test_device_masks_kernels_and_slots_equal_the_hosts(growth):
    host_model, device_model = make_model(), make_model()
    for update in range(4):  # several updates; every one starts from the same tied state
        host, device = weights_with_ties(host_model, update), weights_with_ties(device_model, update)
        scores = tied_scores(host, 10 + update)
        before = state(host_model, host)
        kwargs = dict(step=10 * update, death_rate=0.4, growth=GROWTH[growth], seed=3)
        expected = update_topology(host, scores=scores, optimizer=host_model.optimizer, **kwargs)
        result = update_topology_on_device(
            device, scores={k: tf.constant(v) for k, v in scores.items()},
            optimizer=device_model.optimizer, **kwargs)
        for want, got in zip(state(host_model, host), state(device_model, device)):
            for a, b in zip(want, got):
                np.testing.assert_array_equal(a, b)
                np.testing.assert_array_equal(np.signbit(a), np.signbit(b))  # +0.0 vs -0.0 too
        assert result == expected
        assert any(not np.array_equal(a, b) for a, b in zip(before[0], state(host_model, host)[0]))


@pytest.mark.parametrize("growth", ["gradient", "momentum"])
def test_device_update_through_fit_equals_host(growth):
    models, updates = {}, {}
    for update_on in ("host", "device"):
        model = make_model()
        dst = ftk.DynamicSparsity(update_frequency=2, growth=growth, update_on=update_on)
        x, y = make_data()
        model.fit(x, y, batch_size=BATCH, epochs=2, shuffle=False, callbacks=[dst], verbose=0)
        models[update_on], updates[update_on] = model, dst.updates
    assert [u.step for u in updates["device"]] == [2, 4, 6, 8]
    assert updates["device"] == updates["host"]
    assert all(u.skipped is None and u.turnover > 0 for u in updates["device"])
    for a, b in zip(ftk.sparse_weights(models["host"]), ftk.sparse_weights(models["device"])):
        np.testing.assert_array_equal(a.mask.numpy(), b.mask.numpy())
        np.testing.assert_array_equal(a.variable.numpy(), b.variable.numpy())


def test_random_growth_exact_counts_and_seeded():
    def masks_after(seed):
        model = make_model()
        weights = weights_with_ties(model, 0)
        counts = [w.active_count() for w in weights]
        old = [w.mask.numpy() for w in weights]
        update = update_topology_on_device(weights, step=4, death_rate=0.5, growth=RandomGrowth(),
                                           optimizer=model.optimizer, seed=seed)
        assert [w.active_count() for w in weights] == counts
        assert [l.grown for l in update.layers] == [l.pruned for l in update.layers]
        for weight, mask in zip(weights, old):
            assert np.all(weight.variable.numpy()[weight.mask.numpy() == 0] == 0)
            assert not np.array_equal(weight.mask.numpy(), mask)
        return [w.mask.numpy() for w in weights]

    first, again, other = masks_after(0), masks_after(0), masks_after(1)
    for a, b in zip(first, again):
        np.testing.assert_array_equal(a, b)
    assert any(not np.array_equal(a, b) for a, b in zip(first, other))


def test_slots_of_pruned_and_grown_entries_reset_and_no_negative_zero():
    model = make_model()
    weights = weights_with_ties(model, 1)
    old = [w.mask.numpy() for w in weights]
    old_slots = [[s.numpy() for s in slot_variables(model.optimizer, w.variable)] for w in weights]
    update_topology_on_device(weights, step=1, death_rate=0.5, growth=GradientGrowth(),
                              scores={k: tf.constant(v) for k, v in tied_scores(weights, 2).items()},
                              optimizer=model.optimizer)
    for weight, mask, slots in zip(weights, old, old_slots):
        new = weight.mask.numpy()
        changed = new != mask
        assert changed.any()
        kernel = weight.variable.numpy()
        assert not np.any(np.signbit(kernel[new == 0]))  # +0.0 where the mask is 0
        for slot, before in zip(slot_variables(model.optimizer, weight.variable), slots):
            np.testing.assert_array_equal(slot.numpy()[changed], 0.0)
            # Unchanged entries keep their slots, unless pruned and regrown in place.
            kept = slot.numpy()[~changed]
            assert np.all((kept == before[~changed]) | (kept == 0.0))
            assert np.mean(kept == before[~changed]) > 0.5


def test_non_finite_weights_skip_the_device_update():
    model = make_model()
    weights = weights_with_ties(model, 0)
    kernel = weights[1].variable.numpy()
    kernel.flat[0] = np.nan
    weights[1].variable.assign(kernel)
    masks = [w.mask.numpy() for w in weights]
    update = update_topology_on_device(weights, step=3, death_rate=0.5, growth=RandomGrowth())
    assert update.skipped == "non-finite weights in fc/kernel"
    for weight, mask in zip(weights, masks):
        np.testing.assert_array_equal(weight.mask.numpy(), mask)
    scores = {w.name: np.zeros(w.shape, "float32") for w in weights}
    scores[weights[0].name][0, 0, 0, 0] = np.inf
    weights[1].variable.assign(np.nan_to_num(kernel))
    update = update_topology_on_device(weights, step=3, death_rate=0.5, growth=GradientGrowth(),
                                       scores={k: tf.constant(v) for k, v in scores.items()})
    assert update.skipped == "non-finite growth scores in conv/kernel"


def test_update_on_validation_and_unsupported_rules():
    with pytest.raises(ValueError, match=r"`update_on` must be one of 'auto', 'device', 'host'. "
                                         r"Received: update_on='gpu'"):
        ftk.DynamicSparsity(update_on="gpu")
    with pytest.raises(ValueError, match=r"Unsupported: redistribution=MagnitudeRedistribution\(\)"):
        ftk.DynamicSparsity(update_on="device", redistribution="magnitude")

    class LargestWeightGrowth(RandomGrowth):
        def score(self, layer):
            return np.abs(layer.weights)

    with pytest.raises(ValueError, match=r"Unsupported: growth=LargestWeightGrowth\(\)"):
        ftk.DynamicSparsity(update_on="device", growth=LargestWeightGrowth())
    auto = ftk.DynamicSparsity(update_on="auto", growth=LargestWeightGrowth())
    assert auto._updater.on_device is False  # falls back to the host
    assert ftk.DynamicSparsity(update_on="device")._updater.on_device is True
    assert device_unsupported(MagnitudePrune(), MomentumGrowth(), Redistribution()) is None
    assert device_unsupported(MagnitudePrune(), RandomGrowth(), MagnitudeRedistribution()) is not None
    dst = ftk.DynamicSparsity(update_on="host")
    with pytest.raises(ValueError, match="update_on"):
        dst.attach(make_model(), update_on="everywhere")


@pytest.mark.skipif(len(tf.config.list_logical_devices("CPU")) < 2,
                    reason="needs the two logical CPUs of conftest.py")
@pytest.mark.parametrize("growth", ["random", "gradient"])
def test_mirrored_device_update_identical_on_every_replica(growth):
    from tests.callbacks.test_mirrored import make_strategy, replica_values

    strategy = make_strategy()
    model = make_model(strategy=strategy)
    counts = {w.name: w.active_count() for w in ftk.sparse_weights(model)}
    dst = ftk.DynamicSparsity(update_frequency=2, growth=growth, update_on="device", seed=5)
    checked = []

    def check(update):
        assert update.skipped is None
        for weight in ftk.sparse_weights(model):
            masks, kernels = replica_values(weight.mask), replica_values(weight.variable)
            assert len(masks) == 2
            np.testing.assert_array_equal(masks[0], masks[1])
            np.testing.assert_array_equal(kernels[0], kernels[1])
            assert np.count_nonzero(masks[0]) == counts[weight.name]
            assert np.all(kernels[0][masks[0] == 0] == 0)
            for slot in slot_variables(model.optimizer, weight.variable):
                values = replica_values(slot)
                np.testing.assert_array_equal(values[0], values[1])
        checked.append(update.step)

    dst.add_listener(check)
    x, y = make_data()
    model.fit(x, y, batch_size=BATCH, epochs=1, shuffle=False, callbacks=[dst], verbose=0)
    assert checked == [2, 4]
    assert any(u.turnover > 0 for u in dst.updates)


def test_recipes_choose_where_updates_run():
    from ftk.protocols.builders import dynamic_sparsity
    from ftk.recipes import find_recipe, load_recipe

    recipe = load_recipe(find_recipe("test_dst"), ["dst.update_on=device"])
    assert dynamic_sparsity(recipe, seed=0).update_on == "device"
    with pytest.raises(ValueError, match="must be one of 'auto', 'device', 'host'"):
        load_recipe(find_recipe("test_dst"), ["dst.update_on=gpu"])
