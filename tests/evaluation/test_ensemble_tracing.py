"""`Ensemble.predict` compiles its members once: no retracing, no retracing warnings."""

import logging

import keras
import numpy as np
import pytest
import tensorflow as tf

import ftk


def classifier(seed):
    keras.utils.set_random_seed(seed)
    return keras.Sequential([keras.Input((8,)), keras.layers.Dense(16, activation="relu"),
                             keras.layers.Dense(4)])


@pytest.fixture
def tensorflow_log(caplog):
    caplog.set_level(logging.WARNING, logger="tensorflow")
    return caplog


def test_predict_traces_once_for_any_batch_and_warns_of_nothing(tensorflow_log):
    members = [classifier(0), classifier(1)]
    ensemble = ftk.Ensemble(members)
    x = np.random.default_rng(0).normal(size=(120, 8)).astype("float32")
    for size in range(50, 60):  # 10 calls, each with its own last partial batch
        probs = ensemble.predict(x[:size])
    assert ensemble.traces() == 1
    assert not [r for r in tensorflow_log.records if "retracing" in r.getMessage()]
    expected = np.mean([tf.nn.softmax(m.predict(x[:59], verbose=0)).numpy() for m in members], axis=0)
    np.testing.assert_allclose(probs, expected, atol=1e-6)


def test_a_dataset_of_pairs_is_predicted_batch_by_batch(tensorflow_log):
    ensemble = ftk.Ensemble([classifier(0), classifier(1), classifier(2)])
    x = np.random.default_rng(1).normal(size=(70, 8)).astype("float32")
    dataset = tf.data.Dataset.from_tensor_slices((x, np.zeros(70, "int64"))).batch(32)
    for _ in range(5):
        report = ensemble.evaluate(dataset)
    assert ensemble.member_probabilities(dataset).shape == (3, 70, 4)
    assert report["ensemble"]["accuracy"] >= 0 and ensemble.traces() == 1
    assert not [r for r in tensorflow_log.records if "retracing" in r.getMessage()]


def test_an_empty_input_is_refused_with_a_message():
    with pytest.raises(ValueError, match="no examples"):
        ftk.Ensemble([classifier(0)]).predict(np.zeros((0, 8), "float32"))
