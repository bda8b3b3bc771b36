"""DynamicSparsity in every way Keras trains and predicts, for every growth rule.

Each mode trains through at least two topology updates, then checks the
sparse invariants (exact per-layer counts, zero kernels off the mask) and
that the forward pass of every way of calling the model is `kernel * mask`.
"""

import keras
import numpy as np
import pytest
import tensorflow as tf

import ftk
from tests.callbacks.test_dynamic_sparsity import BATCH, make_data, make_model

GROWTHS = ["gradient", "random", "momentum"]
UPDATE_FREQUENCY = 2


def loss_fn():
    return keras.losses.SparseCategoricalCrossentropy(from_logits=True)


def fit(run_eagerly=False, jit_compile=False, strategy=None):
    def train(growth):
        model = make_model(jit_compile=jit_compile, strategy=strategy)
        model.run_eagerly = run_eagerly
        dst = ftk.DynamicSparsity(update_frequency=UPDATE_FREQUENCY, growth=growth, seed=0)
        x, y = make_data()
        model.fit(x, y, batch_size=BATCH, epochs=1, shuffle=False, callbacks=[dst], verbose=0)
        return model, dst

    return train


def custom_loop(compiled: bool):
    """A hand-written loop: `attach` once, `after_step` after each step."""

    def train(growth):
        model = make_model()
        optimizer = keras.optimizers.SGD(0.05, momentum=0.9)
        dst = ftk.DynamicSparsity(update_frequency=UPDATE_FREQUENCY, growth=growth, seed=0, total_steps=5)
        dst.attach(model, optimizer)

        def step(x, y):
            with tf.GradientTape() as tape:
                loss = loss_fn()(y, model(x, training=True))
            grads = tape.gradient(loss, model.trainable_variables)
            optimizer.apply(grads, model.trainable_variables)

        step = tf.function(step) if compiled else step
        x, y = make_data()
        for i in range(5):
            step(x[i * BATCH:(i + 1) * BATCH], y[i * BATCH:(i + 1) * BATCH])
            dst.after_step()
        return model, dst

    return train


MODES = {
    "fit": fit(),
    "fit-xla": fit(jit_compile=True),
    "fit-run-eagerly": fit(run_eagerly=True),
    "custom-loop-eager": custom_loop(compiled=False),
    "custom-loop-tf-function": custom_loop(compiled=True),
}


def check_sparse(model, counts):
    for weight in ftk.sparse_weights(model):
        mask, kernel = weight.mask.numpy(), weight.variable.numpy()
        assert np.count_nonzero(mask) == counts[weight.name], weight.name
        assert np.all(kernel[mask == 0] == 0.0), weight.name


def check_forward_is_masked(model):
    """Every way of calling the model computes with `kernel * mask`.

    The kernels get non-zero values off the mask first, so a forward pass
    that forgot the mask would differ from the reference.
    """
    x, y = make_data(seed=3, n=BATCH)
    reference = ftk.strip(model)(x).numpy()  # plain layers, kernel * mask folded in
    for weight in ftk.sparse_weights(model):
        weight.variable.assign(weight.variable.numpy() + 3.0 * (1 - weight.mask.numpy()))
    outputs = {
        "eager call": model(x).numpy(),
        "eager call, training": model(x, training=True).numpy(),
        "predict": model.predict(x, verbose=0),
        "tf.function call": tf.function(lambda t: model(t))(x).numpy(),
    }
    for how, output in outputs.items():
        np.testing.assert_allclose(output, reference, rtol=1e-5, atol=1e-5, err_msg=how)
    loss = model.evaluate(x, y, verbose=0, return_dict=True)["loss"]
    expected = float(loss_fn()(y, reference))
    np.testing.assert_allclose(loss, expected, rtol=1e-5)


@pytest.mark.parametrize("growth", GROWTHS)
@pytest.mark.parametrize("mode", list(MODES))
def test_every_mode_updates_and_stays_sparse(mode, growth):
    counts = {w.name: w.active_count() for w in ftk.sparse_weights(make_model())}
    model, dst = MODES[mode](growth)
    assert [u.step for u in dst.updates] == [2, 4]
    assert all(u.skipped is None and u.grown > 0 for u in dst.updates), [u.skipped for u in dst.updates]
    check_sparse(model, counts)
    # After training: eager calls and custom tapes still work (taps installed).
    x, y = make_data(n=BATCH)
    with tf.GradientTape() as tape:
        loss = loss_fn()(y, model(x, training=True))
    grads = tape.gradient(loss, model.trainable_variables)
    assert all(g is not None and np.all(np.isfinite(g)) for g in grads)
    check_forward_is_masked(model)


@pytest.mark.skipif(len(tf.config.list_logical_devices("CPU")) < 2, reason="needs two logical CPUs")
@pytest.mark.parametrize("growth", GROWTHS)
def test_mirrored_strategy_then_eager_calls(growth):
    strategy = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
    counts = {w.name: w.active_count() for w in ftk.sparse_weights(make_model())}
    model, dst = fit(strategy=strategy)(growth)
    assert [u.step for u in dst.updates] == [2, 4]
    check_sparse(model, counts)
    check_forward_is_masked(model)


@pytest.mark.parametrize("compiled", [False, True], ids=["eager", "tf-function"])
def test_custom_loop_records_the_dense_gradient_of_the_update_step(compiled):
    """The taps record dL/d(kernel * mask) of the due step in a hand-written loop."""
    from tests.callbacks.test_dynamic_sparsity import dense_gradient

    model = make_model()
    optimizer = keras.optimizers.SGD(0.05)
    dst = ftk.DynamicSparsity(update_frequency=3, growth="gradient", death_rate_schedule="constant")
    dst.attach(model, optimizer)
    recorded = {}
    dst.add_listener(lambda update: recorded.update(dst.dense_gradients()))

    def step(x, y):
        with tf.GradientTape() as tape:
            loss = loss_fn()(y, model(x, training=True))
        optimizer.apply(tape.gradient(loss, model.trainable_variables), model.trainable_variables)

    step = tf.function(step) if compiled else step
    x, y = make_data()
    for i in range(3):
        batch = slice(i * BATCH, (i + 1) * BATCH)
        weights = [w.numpy() for w in model.weights]
        step(x[batch], y[batch])
        dst.after_step()
    assert [u.step for u in dst.updates] == [3]
    expected = dense_gradient(model, weights, x[batch], y[batch])
    assert set(recorded) == {"conv/kernel", "fc/kernel"}  # logits ends dense: no tap
    for name, gradient in recorded.items():
        np.testing.assert_allclose(gradient, expected[name], rtol=1e-4, atol=1e-6, err_msg=name)


def test_custom_loop_can_pass_its_own_scores():
    model = make_model()
    optimizer = keras.optimizers.SGD(0.05)
    dst = ftk.DynamicSparsity(update_frequency=1, growth="gradient", death_rate=0.5,
                              death_rate_schedule="constant")
    dst.attach(model, optimizer)
    weights = {w.name: w for w in dst._weights}
    rng = np.random.default_rng(0)
    scores = {name: rng.normal(size=w.shape) for name, w in weights.items()}
    before = {name: (w.mask.numpy().ravel(), w.variable.numpy().ravel()) for name, w in weights.items()}
    optimizer.apply([tf.zeros_like(v) for v in model.trainable_variables], model.trainable_variables)
    update = dst.after_step(gradients=scores)
    assert update is not None and update.step == 1
    for name, weight in weights.items():
        old, kernel = before[name]
        active = np.flatnonzero(old)
        k = int(np.ceil(0.5 * active.size))
        after_prune = old.copy()
        after_prune[active[np.argsort(np.abs(kernel[active]), kind="stable")[:k]]] = 0
        inactive = np.flatnonzero(after_prune == 0)
        expected = after_prune.copy()
        expected[inactive[np.argsort(-np.abs(scores[name].ravel()[inactive]), kind="stable")[:k]]] = 1
        np.testing.assert_array_equal(weight.mask.numpy().ravel(), expected, err_msg=name)
    with pytest.raises(ValueError, match="missing"):
        dst.update(step=2, gradients={})


def test_attach_needs_an_optimizer():
    inputs = keras.Input((4,))
    model = ftk.sparsify(keras.Model(inputs, keras.layers.Dense(8)(inputs)), density=0.5)
    with pytest.raises(ValueError, match="dst.attach\\(model, optimizer\\)"):
        ftk.DynamicSparsity().attach(model)
