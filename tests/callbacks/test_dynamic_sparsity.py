"""`ftk.DynamicSparsity` in `model.fit`: invariants after every topology update."""

import keras
import numpy as np
import pytest
import tensorflow as tf

import ftk
from ftk.sparse.growth_rules import GradientGrowth
from ftk.sparse.optimizer_slots import slot_variables

BATCH, STEPS = 16, 5


def make_data(seed=0, n=BATCH * STEPS):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 6, 6, 2)).astype("float32")
    y = (x.mean(axis=(1, 2, 3)) > 0).astype("int32") + 2 * (x[:, 0, 0, 0] > 0)
    return x, y


def make_model(density=0.3, seed=0, optimizer=None, steps_per_execution=1, strategy=None,
               jit_compile=False):
    """A small sparse CNN, built and compiled under `strategy` if given."""
    with (strategy or tf.distribute.get_strategy()).scope():
        keras.utils.set_random_seed(seed)
        inputs = keras.Input((6, 6, 2))
        x = keras.layers.Conv2D(8, 3, activation="relu", name="conv")(inputs)
        x = keras.layers.Flatten()(x)
        x = keras.layers.Dense(24, activation="relu", name="fc")(x)
        outputs = keras.layers.Dense(4, name="logits")(x)
        model = ftk.sparsify(keras.Model(inputs, outputs), density=density, distribution="erk", seed=seed)
        model.compile(
            optimizer=optimizer or keras.optimizers.SGD(0.05, momentum=0.9),
            loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
            steps_per_execution=steps_per_execution,
            jit_compile=jit_compile,
        )
    return model


class MaskSnapshot(keras.callbacks.Callback):
    """Keeps the masks and kernels as they were just before each update."""

    def on_train_batch_end(self, batch, logs=None):
        self.masks = {w.name: w.mask.numpy() for w in ftk.sparse_weights(self.model)}
        self.kernels = {w.name: w.variable.numpy() for w in ftk.sparse_weights(self.model)}


def check_invariants(model, before, initial_counts, update, total_only=False):
    optimizer = model.optimizer
    for weight in ftk.sparse_weights(model):
        kernel, mask = weight.variable.numpy(), weight.mask.numpy()
        old = before.masks[weight.name]
        assert np.all(kernel[mask == 0] == 0.0), weight.name
        if not total_only:
            assert np.count_nonzero(mask) == initial_counts[weight.name], weight.name
        grown = (mask == 1) & (old == 0)
        changed = mask != old
        assert np.all(kernel[grown] == 0.0), weight.name
        for slot in slot_variables(optimizer, weight.variable):
            assert np.all(slot.numpy()[changed] == 0.0), (weight.name, slot.name)
    if total_only:
        assert sum(l.active for l in update.layers) == sum(initial_counts[l.name] for l in update.layers)


OPTIMIZERS = {
    "sgd": lambda: keras.optimizers.SGD(0.05, momentum=0.9),
    "adam": lambda: keras.optimizers.Adam(1e-3),
    "adamw": lambda: keras.optimizers.AdamW(1e-3, weight_decay=0.01),
}


@pytest.mark.parametrize("growth", ["gradient", "random", "momentum"])
@pytest.mark.parametrize("optimizer", list(OPTIMIZERS))
def test_invariants_after_every_update(growth, optimizer):
    model = make_model(optimizer=OPTIMIZERS[optimizer]())
    counts = {w.name: w.active_count() for w in ftk.sparse_weights(model)}
    dense_before = {w.name for w in ftk.sparse_weights(model) if w.density() == 1.0}
    assert dense_before == {"logits/kernel"}  # 24x4 with ERK at 0.3 ends dense
    snapshot = MaskSnapshot()
    dst = ftk.DynamicSparsity(update_frequency=3, death_rate=0.5, growth=growth, seed=0)
    checked = []
    dst.add_listener(lambda u: checked.append(check_invariants(model, snapshot, counts, u)))
    x, y = make_data()
    model.fit(x, y, batch_size=BATCH, epochs=4, shuffle=False, callbacks=[snapshot, dst], verbose=0)
    assert [u.step for u in dst.updates] == [3, 6, 9, 12, 15, 18]
    assert len(checked) == 6
    assert all(u.grown > 0 and u.turnover > 0 for u in dst.updates)
    assert {l.name for l in dst.updates[0].layers} == {"conv/kernel", "fc/kernel"}
    np.testing.assert_array_equal(model.get_layer("logits").kernel_mask.numpy(), 1.0)


def test_redistribution_keeps_the_total_and_moves_counts():
    model = make_model()
    counts = {w.name: w.active_count() for w in ftk.sparse_weights(model)}
    snapshot = MaskSnapshot()
    dst = ftk.DynamicSparsity(update_frequency=2, growth="gradient", redistribution="magnitude")
    dst.add_listener(lambda u: check_invariants(model, snapshot, counts, u, total_only=True))
    x, y = make_data()
    model.fit(x, y, batch_size=BATCH, epochs=2, shuffle=False, callbacks=[snapshot, dst], verbose=0)
    assert [u.step for u in dst.updates] == [2, 4, 6, 8]  # the last step (10) ends the window
    assert any(l.active != counts[l.name] for u in dst.updates for l in u.layers)


@pytest.mark.parametrize("executed", [2, 4])
def test_updates_fall_on_exact_steps_with_steps_per_execution(executed):
    model = make_model(steps_per_execution=executed)
    dst = ftk.DynamicSparsity(update_frequency=4, death_rate=0.4, death_rate_schedule="cosine")
    x, y = make_data(n=BATCH * 4)
    model.fit(x, y, batch_size=BATCH, epochs=5, shuffle=False, callbacks=[dst], verbose=0)
    # 20 steps run `executed` at a time; step 20 ends the window.
    assert [u.step for u in dst.updates] == [4, 8, 12, 16]
    expected = [0.005 + 0.395 * (1 + np.cos(np.pi * s / 20)) / 2 for s in (4, 8, 12, 16)]
    np.testing.assert_allclose([u.death_rate for u in dst.updates], expected)


def test_update_window():
    model = make_model()
    dst = ftk.DynamicSparsity(update_frequency=2, update_start=0.5, update_end=16, death_rate_schedule="constant")
    x, y = make_data()
    model.fit(x, y, batch_size=BATCH, epochs=4, shuffle=False, callbacks=[dst], verbose=0)
    assert [u.step for u in dst.updates] == [10, 12, 14]


def _masks_after_training(model_seed, dst_seed, growth):
    model = make_model(seed=model_seed)
    dst = ftk.DynamicSparsity(update_frequency=2, growth=growth, seed=dst_seed)
    x, y = make_data()
    model.fit(x, y, batch_size=BATCH, epochs=2, shuffle=False, callbacks=[dst], verbose=0)
    return [w.mask.numpy() for w in ftk.sparse_weights(model)]


@pytest.mark.parametrize("growth", ["random", "gradient"])
def test_same_seed_same_masks_different_seed_different(growth):
    a = _masks_after_training(0, 0, growth)
    b = _masks_after_training(0, 0, growth)
    c = _masks_after_training(1, 1, growth)
    assert all(np.array_equal(p, q) for p, q in zip(a, b))
    assert not all(np.array_equal(p, q) for p, q in zip(a, c))


def test_a_rule_object_gives_the_masks_of_its_name():
    by_name = _masks_after_training(0, 0, "gradient")
    by_object = _masks_after_training(0, 0, GradientGrowth())
    assert all(np.array_equal(p, q) for p, q in zip(by_name, by_object))


class BatchRecorder(keras.callbacks.Callback):
    """Records the effective weights right before the step that ends on `step`."""

    def __init__(self, step):
        super().__init__()
        self.step = step

    def on_train_batch_begin(self, batch, logs=None):
        if int(self.model.optimizer.iterations.numpy()) == self.step - 1:
            self.weights = [w.numpy() for w in self.model.weights]


def dense_gradient(model, weights, x, y):
    """dL/dW_eff computed with a plain dense copy of `model` on one batch."""
    plain = ftk.strip(model)
    sparse_vars = {w.name for w in ftk.sparse_weights(model)}
    values = dict(zip([w.path for w in model.weights], weights))
    for layer_weight, plain_weight in zip(
        [w for w in model.weights if "mask" not in w.name], plain.weights
    ):
        value = values[layer_weight.path]
        if layer_weight.path in sparse_vars:
            value = value * values[layer_weight.path + "_mask"]
        plain_weight.assign(value)
    loss_fn = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    with tf.GradientTape() as tape:
        loss = loss_fn(y, plain(x, training=True))
    kernels = [plain.get_layer(name.split("/")[0]).kernel for name in sorted(sparse_vars)]
    return dict(zip(sorted(sparse_vars), [g.numpy() for g in tape.gradient(loss, kernels)]))


def train_to_one_rigl_update(model, update_step, death_rate=0.3):
    """Trains until one RigL update at `update_step`.

    Returns:
        (the callback, the masks and kernels just before the update, the dense
        gradient of the update step's batch computed with a plain dense copy).
    """
    recorder, snapshot = BatchRecorder(update_step), MaskSnapshot()
    dst = ftk.DynamicSparsity(update_frequency=update_step, death_rate=death_rate, growth="gradient",
                              death_rate_schedule="constant", total_steps=100)
    x, y = make_data()
    model.fit(x, y, batch_size=BATCH, epochs=1, steps_per_epoch=update_step, shuffle=False,
              callbacks=[recorder, snapshot, dst], verbose=0)
    batch = slice((update_step - 1) * BATCH, update_step * BATCH)  # all replicas' parts
    return dst, snapshot, dense_gradient(model, recorder.weights, x[batch], y[batch])


@pytest.mark.parametrize("jit_compile", [False, True], ids=["graph", "xla"])
def test_gradient_growth_picks_top_dense_gradient_positions(jit_compile):
    update_step = 3
    model = make_model(optimizer=keras.optimizers.SGD(0.05), jit_compile=jit_compile)
    dst, snapshot, gradients = train_to_one_rigl_update(model, update_step)
    assert [u.step for u in dst.updates] == [update_step]
    for layer in dst.updates[0].layers:
        weight = next(w for w in ftk.sparse_weights(model) if w.name == layer.name)
        old, kernel = snapshot.masks[layer.name].ravel(), snapshot.kernels[layer.name].ravel()
        active = np.flatnonzero(old)
        k = int(np.ceil(0.3 * active.size))
        pruned = active[np.argsort(np.abs(kernel[active]), kind="stable")[:k]]
        after_prune = old.copy()
        after_prune[pruned] = 0
        inactive = np.flatnonzero(after_prune == 0)
        g = np.abs(gradients[layer.name].ravel()[inactive])
        grown = inactive[np.argsort(-g, kind="stable")[:k]]
        expected = after_prune.copy()
        expected[grown] = 1
        np.testing.assert_array_equal(weight.mask.numpy().ravel(), expected, err_msg=layer.name)
        # The gradient is dense: most inactive positions have one (ReLU zeros aside).
        assert np.mean(gradients[layer.name].ravel()[inactive] != 0) > 0.5


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(growth="rigl"), "`growth` must be one of"),
        (dict(prune="random"), "`prune` must be one of"),
        (dict(redistribution="yes"), "`redistribution` must be one of"),
        (dict(death_rate_schedule="step"), "`death_rate_schedule` must be one of"),
        (dict(death_rate=1.5), r"`death_rate` must be in \(0, 1\)"),
        (dict(update_frequency=0), "`update_frequency` must be a positive integer"),
    ],
)
def test_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        ftk.DynamicSparsity(**kwargs)


def test_dense_model_is_a_clear_error():
    model = make_model(density=1.0)
    x, y = make_data()
    with pytest.raises(ValueError, match="no sparse layer"):
        model.fit(x, y, batch_size=BATCH, epochs=1, callbacks=[ftk.DynamicSparsity()], verbose=0)


def test_a_decaying_schedule_needs_the_end_of_training():
    model = make_model()
    with pytest.raises(ValueError, match="`death_rate_schedule='cosine'` needs the end of training"):
        ftk.DynamicSparsity(update_frequency=2).attach(model)
    ftk.DynamicSparsity(update_frequency=2, death_rate_schedule="constant").attach(model)
