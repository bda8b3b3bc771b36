"""`ftk.Ensemble`: mean of softmax probabilities, evaluation, one servable model."""

import keras
import numpy as np
import pytest
import tensorflow as tf

import ftk
from ftk.ensemble import metrics


def member(seed, softmax=False):
    keras.utils.set_random_seed(seed)
    inputs = keras.Input((5,))
    x = keras.layers.Dense(8, activation="relu")(inputs)
    outputs = keras.layers.Dense(3, activation="softmax" if softmax else None)(x)
    return keras.Model(inputs, outputs)


def softmax(z):
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


@pytest.fixture
def data():
    rng = np.random.default_rng(0)
    return rng.normal(size=(40, 5)).astype("float32"), rng.integers(0, 3, size=40)


def test_predict_is_the_mean_of_member_probabilities(data):
    x, _ = data
    logits_model, softmax_model = member(0), member(1, softmax=True)
    ens = ftk.Ensemble([logits_model, softmax_model])
    expected = (softmax(logits_model.predict(x, verbose=0)) + softmax_model.predict(x, verbose=0)) / 2
    np.testing.assert_allclose(ens.predict(x), expected, atol=1e-6)
    np.testing.assert_allclose(ens.predict(x).sum(axis=1), 1.0, atol=1e-6)


def test_one_member_ensemble_is_the_member(data):
    x, _ = data
    m = member(2)
    np.testing.assert_allclose(ftk.Ensemble([m]).predict(x), softmax(m.predict(x, verbose=0)), atol=1e-6)


def test_evaluate_reports_members_mean_std_and_ensemble(data):
    x, y = data
    ens = ftk.Ensemble([member(0), member(3), member(4)])
    report = ens.evaluate(tf.data.Dataset.from_tensor_slices((x, y)).batch(16))
    assert set(report) == {"members", "mean", "std", "ensemble"}
    accuracies = [m["accuracy"] for m in report["members"]]
    assert report["mean"]["accuracy"] == pytest.approx(np.mean(accuracies))
    assert report["std"]["accuracy"] == pytest.approx(np.std(accuracies))
    assert report["ensemble"]["nll"] == pytest.approx(metrics.negative_log_likelihood(ens.predict(x), y))
    assert report == ens.evaluate(x, labels=y)


def test_to_keras_saves_and_predicts_the_same(data, tmp_path):
    x, _ = data
    ens = ftk.Ensemble([member(0), member(1, softmax=True), member(5)])
    ens.to_keras().save(tmp_path / "ensemble.keras")
    served = keras.saving.load_model(tmp_path / "ensemble.keras")
    np.testing.assert_allclose(served.predict(x, verbose=0), ens.predict(x), atol=1e-5)


def test_needs_members():
    with pytest.raises(ValueError, match="at least one model"):
        ftk.Ensemble([])
