"""`PredictionRecorder`: checkpoints, atomic rewrites and resumed runs."""

import keras
import numpy as np
import pytest

from ftk.callbacks import prediction_recorder
from ftk.callbacks.prediction_recorder import PredictionRecorder

N, CLASSES = 64, 3


def make_data():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(N, 8)).astype("float32")
    y = (x[:, 0] > 0).astype("int32") + (x[:, 1] > 0.5)
    return x, y


def make_model():
    keras.utils.set_random_seed(0)
    inputs = keras.Input((8,))
    hidden = keras.layers.Dense(16, activation="relu")(inputs)
    model = keras.Model(inputs, keras.layers.Dense(CLASSES)(hidden))
    model.compile(optimizer=keras.optimizers.SGD(0.1),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True), jit_compile=False)
    return model


def fit(model, callbacks, epochs, initial_epoch=0):
    x, y = make_data()
    model.fit(x, y, batch_size=16, epochs=epochs, initial_epoch=initial_epoch, shuffle=False,
              callbacks=callbacks, verbose=0)


def read(path):
    with np.load(path) as data:
        return data["epochs"], data["probs"]


class SaveAt(keras.callbacks.Callback):
    """Saves the model after `epochs` epochs, like a checkpoint that a crash leaves behind."""

    def __init__(self, epochs, path):
        super().__init__()
        self.epochs, self.path = epochs, path

    def on_epoch_end(self, epoch, logs=None):
        if epoch + 1 == self.epochs:
            self.model.save(self.path)


def test_records_every_other_epoch_atomically(tmp_path):
    path = tmp_path / "predictions" / "member_0.npz"
    x, _ = make_data()
    fit(make_model(), [PredictionRecorder(x[:20], path, every=2)], epochs=5)
    epochs, probs = read(path)
    assert epochs.tolist() == [0, 2, 4]
    assert probs.dtype == np.float16 and probs.shape == (3, 20, CLASSES)
    np.testing.assert_allclose(probs.astype(np.float64).sum(axis=-1), 1.0, atol=1e-2)
    assert not np.allclose(probs[0], probs[-1], atol=1e-3)  # training changed the predictions
    assert sorted(p.name for p in path.parent.iterdir()) == ["member_0.npz"]  # no temp files left


def test_fresh_fit_replaces_a_stale_file(tmp_path):
    path = tmp_path / "member_0.npz"
    x, _ = make_data()
    prediction_recorder._write_npz(path, epochs=np.arange(9), probs=np.zeros((9, 4, CLASSES), np.float16))
    fit(make_model(), [PredictionRecorder(x[:4], path)], epochs=2)
    assert read(path)[0].tolist() == [0, 1, 2]


@pytest.mark.parametrize("every", [1, 2])
def test_resume_equals_uninterrupted_run(tmp_path, every):
    x, _ = make_data()
    full, resumed = tmp_path / "full.npz", tmp_path / "resumed.npz"
    fit(make_model(), [PredictionRecorder(x[:10], full, every=every)], epochs=4)

    # Crash after epoch 3 with the last model checkpoint at epoch 2: the recorder is ahead.
    fit(make_model(), [SaveAt(2, tmp_path / "ckpt.keras"), PredictionRecorder(x[:10], resumed, every=every)],
        epochs=3)
    model = keras.saving.load_model(tmp_path / "ckpt.keras")
    fit(model, [PredictionRecorder(x[:10], resumed, every=every)], epochs=4, initial_epoch=2)

    (epochs, probs), (epochs_r, probs_r) = read(full), read(resumed)
    assert epochs.tolist() == list(range(0, 5, every))
    assert epochs_r.tolist() == epochs.tolist()
    np.testing.assert_allclose(probs_r.astype(np.float32), probs.astype(np.float32), atol=2e-3)


def test_only_the_chief_writes(tmp_path, monkeypatch):
    monkeypatch.setattr(prediction_recorder, "is_chief", lambda strategy=None: False)
    recorder = PredictionRecorder(make_data()[0][:4], tmp_path / "member_0.npz")
    fit(make_model(), [recorder], epochs=2)
    assert not (tmp_path / "member_0.npz").exists()
    assert recorder.epochs == [0, 1, 2]


def test_rejects_bad_every():
    with pytest.raises(ValueError, match="every"):
        PredictionRecorder(np.zeros((2, 8)), "p.npz", every=0)
