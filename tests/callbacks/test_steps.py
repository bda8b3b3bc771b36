"""One step counter: topology updates fall on exact multiples of `optimizer.iterations`.

With gradient accumulation, steps the optimizer skips, `steps_per_execution`
and a `fit` resumed in a second call.
"""

import keras
import numpy as np
import pytest

import ftk
from tests.callbacks.test_dynamic_sparsity import BATCH, dense_gradient, make_data, make_model


class StepLog(keras.callbacks.Callback):
    """Records `optimizer.iterations` after each batch and at each update."""

    def __init__(self, dst):
        super().__init__()
        self.after_batches, self.at_updates = [], []
        dst.add_listener(lambda u: self.at_updates.append((u.step, self._iterations())))

    def _iterations(self):
        return int(keras.ops.convert_to_numpy(self.model.optimizer.iterations))

    def on_train_batch_end(self, batch, logs=None):
        self.after_batches.append(self._iterations())


def test_gradient_accumulation_counts_optimizer_steps():
    model = make_model(optimizer=keras.optimizers.SGD(0.05, momentum=0.9, gradient_accumulation_steps=2))
    dst = ftk.DynamicSparsity(update_frequency=3, death_rate_schedule="constant", growth="gradient")
    log = StepLog(dst)
    x, y = make_data(n=BATCH * 10)
    model.fit(x, y, batch_size=BATCH, epochs=3, shuffle=False, callbacks=[dst, log], verbose=0)
    assert log.after_batches[-1] == 15  # 30 micro-batches, 15 optimizer steps
    # Step 15 ends the window (15 optimizer steps in all), so it has no update.
    assert [u.step for u in dst.updates] == [3, 6, 9, 12]
    assert all(step == iterations for step, iterations in log.at_updates)
    assert all(u.skipped is None and u.grown > 0 for u in dst.updates)


def test_accumulated_dense_gradient_is_that_of_the_whole_step():
    """The recorded gradient averages the micro-batches of the update step."""
    model = make_model(optimizer=keras.optimizers.SGD(0.05, gradient_accumulation_steps=2))
    dst = ftk.DynamicSparsity(update_frequency=3, growth="gradient", death_rate_schedule="constant",
                              total_steps=100)
    recorded, weights = {}, {}

    class Capture(keras.callbacks.Callback):
        def on_train_batch_begin(self, batch, logs=None):
            if batch == 4:  # first micro-batch of optimizer step 3
                weights["before"] = [w.numpy() for w in self.model.weights]

    dst.add_listener(lambda u: recorded.update(dst.dense_gradients()))
    x, y = make_data(n=BATCH * 6)
    model.fit(x, y, batch_size=BATCH, epochs=1, shuffle=False, callbacks=[Capture(), dst], verbose=0)
    assert [u.step for u in dst.updates] == [3]
    expected = dense_gradient(model, weights["before"], x[4 * BATCH:], y[4 * BATCH:])
    assert set(recorded) == {"conv/kernel", "fc/kernel"}
    for name, gradient in recorded.items():
        np.testing.assert_allclose(gradient, expected[name], rtol=1e-4, atol=1e-6, err_msg=name)


@pytest.mark.parametrize("accumulation", [None, 2])
def test_steps_per_execution_that_hides_update_steps_is_refused(accumulation):
    optimizer = keras.optimizers.SGD(0.05, gradient_accumulation_steps=accumulation)
    model = make_model(optimizer=optimizer, steps_per_execution=4)
    dst = ftk.DynamicSparsity(update_frequency=3)
    x, y = make_data(n=BATCH * 8)
    works = "1" if accumulation is None else "1, 2"
    with pytest.raises(ValueError, match=rf"`steps_per_execution=4`.*`update_frequency=3`.*values that work: {works}\."):
        model.fit(x, y, batch_size=BATCH, epochs=1, callbacks=[dst], verbose=0)


def test_steps_per_execution_with_accumulation_is_exact():
    model = make_model(optimizer=keras.optimizers.SGD(0.05, gradient_accumulation_steps=2), steps_per_execution=2)
    dst = ftk.DynamicSparsity(update_frequency=2, death_rate_schedule="constant", growth="gradient")
    log = StepLog(dst)
    x, y = make_data(n=BATCH * 8)
    model.fit(x, y, batch_size=BATCH, epochs=2, shuffle=False, callbacks=[dst, log], verbose=0)
    assert [u.step for u in dst.updates] == [2, 4, 6]
    assert all(step == iterations for step, iterations in log.at_updates)
    assert all(u.skipped is None for u in dst.updates)


@pytest.mark.parametrize("growth", ["gradient", "random"])
def test_fit_resumed_in_a_second_call_makes_the_same_updates(growth):
    x, y = make_data()

    def run(splits):
        model = make_model()
        dst = ftk.DynamicSparsity(update_frequency=3, growth=growth, total_steps=15)
        epoch = 0
        for epochs in splits:
            model.fit(x, y, batch_size=BATCH, initial_epoch=epoch, epochs=epoch + epochs,
                      shuffle=False, callbacks=[dst], verbose=0)
            epoch += epochs
        return [u.step for u in dst.updates], [w.mask.numpy() for w in ftk.sparse_weights(model)]

    steps, masks = run([3])
    resumed_steps, resumed_masks = run([1, 2])
    assert steps == resumed_steps == [3, 6, 9, 12]
    for mask, resumed in zip(masks, resumed_masks):
        np.testing.assert_array_equal(mask, resumed)
