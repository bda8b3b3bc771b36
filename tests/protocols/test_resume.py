"""A run stopped after epoch k and resumed ends exactly like an uninterrupted one."""

import keras
import numpy as np
import pytest

from tests.protocols.conftest import read_events


class StopAfter(keras.callbacks.Callback):
    """Interrupts training after `epochs` epochs of member run `member`."""

    def __init__(self, member, epochs):
        super().__init__()
        self.member, self.epochs, self.runs = member, epochs, -1

    def on_train_begin(self, logs=None):
        self.runs += 1

    def on_epoch_end(self, epoch, logs=None):
        if self.runs == self.member and epoch + 1 == self.epochs:
            raise KeyboardInterrupt


def weights_of(path):
    return [w.numpy() for w in keras.saving.load_model(path).weights]


@pytest.mark.parametrize(
    "name, member, epoch",
    [("test_edst", 0, 3), ("test_dst", 1, 1)],  # mid-refinement; second member of an ensemble
)
def test_resumed_run_equals_uninterrupted(run, tmp_path, name, member, epoch):
    deterministic = "run.deterministic=true"
    full, _ = run(name, deterministic, run_dir=tmp_path / "full")
    with pytest.raises(KeyboardInterrupt):
        run(name, deterministic, run_dir=tmp_path / "resumed", callbacks=[StopAfter(member, epoch)])
    assert read_events(tmp_path / "resumed")[-1]["status"] == "interrupted"
    resumed, events = run(name, deterministic, run_dir=tmp_path / "resumed", resume=True)

    assert [p.name for p in resumed.tickets] == [p.name for p in full.tickets]
    for a, b in zip(full.tickets, resumed.tickets):
        for x, y in zip(weights_of(a), weights_of(b)):  # kernels, masks, batch-norm state
            np.testing.assert_array_equal(x, y)
    np.testing.assert_array_equal(full.member_accuracy, resumed.member_accuracy)
    starts = [i for i, e in enumerate(events) if e["type"] == "run_start"]
    assert [events[i]["resumed"] for i in starts] == [False, True]
    # It continued from the checkpoint instead of starting again.
    after = [e for e in events[starts[1]:] if e["type"] == "epoch_end"]
    epochs_before = sum(e["type"] == "epoch_end" for e in events[: starts[1]])
    assert after[0]["global_epoch"] == epochs_before + 1
    assert events[-1]["status"] == "finished"


def test_existing_run_directory_is_never_overwritten(run, tmp_path):
    run("test_dense", run_dir=tmp_path / "once")
    with pytest.raises(FileExistsError, match="--resume"):
        run("test_dense", run_dir=tmp_path / "once")


def test_resume_with_a_different_recipe_is_refused(run, tmp_path):
    run("test_dense", run_dir=tmp_path / "r")
    with pytest.raises(ValueError, match="in: training.epochs. .* may change only .*training.lr"):
        run("test_dense", "training.epochs=3", run_dir=tmp_path / "r", resume=True)
