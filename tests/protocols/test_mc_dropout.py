"""`mc_dropout`: one dense model, evaluated as M stochastic passes like M members."""

import keras
import numpy as np
import pytest

import ftk
from ftk.ensemble.dropout_passes import AlwaysOnDropout, dropout_passes
from ftk.evaluation import evaluate_run
from ftk.models import build_model


def of_type(events, kind):
    return [e for e in events if e["type"] == kind]


def test_one_model_trained_two_passes_evaluated(run):
    result, events = run("test_mc_dropout")
    assert [p.name for p in result.tickets] == ["ticket_0.keras"]
    assert events[0]["members"] == 1 and events[0]["single_run"] is False
    assert len(of_type(events, "ticket_saved")) == 1
    [evaluation] = of_type(events, "ensemble_eval")
    assert evaluation["members"] == 2 and len(result.member_accuracy) == 2
    assert events[-1]["status"] == "finished"

    ensemble = ftk.Ensemble.load(result.run_dir)
    assert len(ensemble) == 2
    x = np.random.default_rng(0).normal(size=(64, 8, 8, 1)).astype("float32")
    probs = ensemble.member_probabilities(x)
    assert not np.allclose(probs[0], probs[1])  # the passes drop different units
    ticket = keras.saving.load_model(result.tickets[0])
    assert not np.allclose(ensemble.predict(x), keras.ops.softmax(ticket.predict(x, verbose=0)))

    report = evaluate_run(result.run_dir, ["predict"])
    assert report["members"] == 2 and len(report["predict"]["members"]) == 2


def test_passes_are_seeded_and_only_dropout_is_stochastic():
    model = build_model("mlp", num_classes=3, input_shape=(8,), seed=0, dropout=0.5)
    x = np.random.default_rng(1).normal(size=(16, 8)).astype("float32")
    first, again = dropout_passes(model, 2, seed=7), dropout_passes(model, 2, seed=7)
    np.testing.assert_array_equal(first[0].predict(x, verbose=0), again[0].predict(x, verbose=0))
    assert not np.allclose(first[0].predict(x, verbose=0), first[1].predict(x, verbose=0))
    assert sum(isinstance(layer, AlwaysOnDropout) for layer in first[0].layers) == sum(
        isinstance(layer, keras.layers.Dropout) for layer in model.layers)
    np.testing.assert_array_equal(model.predict(x, verbose=0), model.predict(x, verbose=0))


def test_a_model_without_dropout_is_refused():
    model = build_model("mlp", num_classes=3, input_shape=(8,), seed=0)
    with pytest.raises(ValueError, match="no Dropout layer"):
        dropout_passes(model, 3)
