"""`run.strategy: multi_worker`: `MultiWorkerMirroredStrategy` with Keras 3's `fit`.

The slow tests start two worker processes on 127.0.0.1, each with its own
`TF_CONFIG`, as a user would; the pytest process itself never creates the
strategy (it splits its CPU into two logical devices, see `conftest.py`).
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

from ftk.protocols import multi_worker
from ftk.protocols.strategy import check_tf_config, collective_timeout, training_strategy

REPO = Path(__file__).resolve().parents[2]

# One worker: a sparse MLP trained with DynamicSparsity (RigL growth needs the
# global-batch dense gradient) under `training_strategy("multi_worker")`; the
# chief-only writers (`RunCheckpoint`, `EventLog`) write into argv[2]. Saves
# the masks, kernels and logs it ends with to argv[1].
WORKER = textwrap.dedent("""
    import sys
    from ftk.protocols.strategy import training_strategy
    strategy = training_strategy("multi_worker")  # first, before other TF ops

    import keras
    import numpy as np
    import tensorflow as tf
    import ftk
    from ftk.run_dir import EventLog, RunCheckpoint, is_chief
    from ftk.sparse.sparse_weight import sparse_weights

    out, run_dir, epochs = sys.argv[1], sys.argv[2], int(sys.argv[3])
    keras.utils.set_random_seed(0)
    with strategy.scope():
        base = keras.Sequential([keras.Input((16,)), keras.layers.Dense(32, activation="relu"),
                                 keras.layers.Dense(32, activation="relu"), keras.layers.Dense(4)])
        model = ftk.sparsify(base, density=0.3, seed=0)
        model.compile(keras.optimizers.SGD(0.05, momentum=0.9),
                      keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                      metrics=["accuracy"])
    rng = np.random.default_rng(0)
    x = rng.normal(size=(256, 16)).astype("float32")
    y = (x[:, :4].argmax(axis=1)).astype("int32")
    data = tf.data.Dataset.from_tensor_slices((x, y)).batch(32).repeat()
    dst = ftk.DynamicSparsity(update_frequency=2, death_rate=0.3, growth="gradient", seed=0)
    log = EventLog(run_dir, sources=[dst])
    checkpoint = RunCheckpoint(run_dir + "/checkpoints", lambda done: {"epoch": done})
    history = model.fit(data, epochs=epochs, steps_per_epoch=8, callbacks=[dst, log, checkpoint],
                        validation_data=tf.data.Dataset.from_tensor_slices((x, y)).batch(64),
                        verbose=0)
    arrays = {}
    for i, w in enumerate(sparse_weights(model)):
        arrays[f"mask_{i}"] = keras.ops.convert_to_numpy(w.mask)
        arrays[f"kernel_{i}"] = keras.ops.convert_to_numpy(w.variable)
    np.savez(out, updates=len([u for u in dst.updates if not u.skipped]),
             chief=is_chief(strategy), loss=np.asarray(history.history["loss"]),
             val_loss=np.asarray(history.history["val_loss"]), **arrays)
    print("worker done", flush=True)
""")


def _free_ports(count: int) -> list[int]:
    sockets = [socket.socket() for _ in range(count)]
    for s in sockets:
        s.bind(("127.0.0.1", 0))
    ports = [s.getsockname()[1] for s in sockets]
    for s in sockets:
        s.close()
    return ports


def _environments(count: int, timeout: float) -> list[dict]:
    workers = [f"127.0.0.1:{port}" for port in _free_ports(count)]
    base = {k: v for k, v in os.environ.items() if k not in ("TF_CONFIG", "XLA_FLAGS")}
    base.update(KERAS_BACKEND="tensorflow", TF_CPP_MIN_LOG_LEVEL="2", PYTHONPATH=str(REPO),
                FTK_COLLECTIVE_TIMEOUT=str(timeout), CUDA_VISIBLE_DEVICES="")
    return [{**base, "TF_CONFIG": json.dumps({"cluster": {"worker": workers},
                                              "task": {"type": "worker", "index": i}})}
            for i in range(count)]


def _start(args: list[str], env: dict, log: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, *args], env=env, cwd=REPO, stdout=open(log, "wb"),
                            stderr=subprocess.STDOUT)


def _wait(processes: list[subprocess.Popen], logs: list[Path], limit: float) -> list[int]:
    deadline = time.monotonic() + limit
    try:
        return [p.wait(timeout=max(1.0, deadline - time.monotonic())) for p in processes]
    except subprocess.TimeoutExpired:
        pytest.fail("workers hung:\n" + "\n".join(log.read_text()[-3000:] for log in logs))
    finally:
        for p in processes:
            if p.poll() is None:
                p.kill()
                p.wait()


@pytest.mark.slow
def test_workers_hold_identical_masks_and_only_the_chief_writes(tmp_path):
    script = tmp_path / "worker.py"
    script.write_text(WORKER)
    envs = _environments(2, timeout=120)
    logs = [tmp_path / f"worker_{i}.log" for i in range(2)]
    dirs = [tmp_path / f"run_{i}" for i in range(2)]
    processes = [_start([str(script), str(tmp_path / f"out_{i}.npz"), str(dirs[i]), "2"], env, log)
                 for i, (env, log) in enumerate(zip(envs, logs))]
    codes = _wait(processes, logs, limit=240)
    assert codes == [0, 0], "\n".join(log.read_text()[-3000:] for log in logs)
    chief, other = (np.load(tmp_path / f"out_{i}.npz") for i in range(2))
    assert bool(chief["chief"]) and not bool(other["chief"])
    assert int(chief["updates"]) == int(other["updates"]) >= 6  # 16 steps, every 2
    names = sorted(k for k in chief.files if k.startswith(("mask_", "kernel_")))
    assert names
    for name in names:
        np.testing.assert_array_equal(chief[name], other[name], err_msg=name)
    for i in range(len([n for n in names if n.startswith("mask_")])):
        mask, kernel = chief[f"mask_{i}"], chief[f"kernel_{i}"]
        assert 0 < mask.mean() < 1
        assert np.all(kernel[mask == 0] == 0)
    np.testing.assert_array_equal(chief["loss"], other["loss"])  # logs are all-reduced
    np.testing.assert_array_equal(chief["val_loss"], other["val_loss"])
    # Only the chief writes: the other worker's folder stays empty.
    assert (dirs[0] / "events.jsonl").is_file() and (dirs[0] / "checkpoints" / "model.keras").is_file()
    assert not dirs[1].exists() or not any(dirs[1].rglob("*"))


@pytest.mark.slow
def test_a_dying_worker_makes_the_other_fail_within_the_timeout(tmp_path):
    script = tmp_path / "worker.py"
    script.write_text(WORKER)
    envs = _environments(2, timeout=20)
    logs = [tmp_path / f"worker_{i}.log" for i in range(2)]
    processes = [_start([str(script), str(tmp_path / f"out_{i}.npz"), str(tmp_path / f"run_{i}"),
                         "100000"], env, log) for i, (env, log) in enumerate(zip(envs, logs))]
    # Kill worker 1 once both train (the chief's first checkpoint is written).
    deadline = time.monotonic() + 180
    while not (tmp_path / "run_0" / "checkpoints" / "model.keras").exists():
        assert time.monotonic() < deadline and processes[0].poll() is None, logs[0].read_text()[-3000:]
        time.sleep(0.5)
    processes[1].send_signal(signal.SIGKILL)
    killed = time.monotonic()
    codes = _wait(processes[:1], logs[:1], limit=150)
    seconds = time.monotonic() - killed
    output = logs[0].read_text()
    assert codes[0] != 0, output[-3000:]
    assert seconds < 150
    assert any(word in output for word in ("DeadlineExceeded", "Unavailable", "timed out", "is down")), \
        output[-3000:]


def test_multi_worker_without_tf_config_names_it(monkeypatch):
    monkeypatch.delenv("TF_CONFIG", raising=False)
    with pytest.raises(ValueError, match="TF_CONFIG") as error:
        training_strategy("multi_worker")
    assert '"cluster"' in str(error.value) and '"task"' in str(error.value)


@pytest.mark.parametrize("text", ["not json", '{"cluster": {}}',
                                  '{"cluster": {"worker": ["a:1"]}, "task": {"type": "worker", "index": 3}}'])
def test_invalid_tf_config_is_refused(monkeypatch, text):
    monkeypatch.setenv("TF_CONFIG", text)
    with pytest.raises(ValueError, match="TF_CONFIG"):
        check_tf_config()


def test_collective_timeout_comes_from_the_environment(monkeypatch):
    monkeypatch.delenv("FTK_COLLECTIVE_TIMEOUT", raising=False)
    assert collective_timeout() == 600
    monkeypatch.setenv("FTK_COLLECTIVE_TIMEOUT", "30")
    assert collective_timeout() == 30
    monkeypatch.setenv("FTK_COLLECTIVE_TIMEOUT", "soon")
    with pytest.raises(ValueError, match="FTK_COLLECTIVE_TIMEOUT"):
        collective_timeout()


def test_recipe_accepts_multi_worker():
    from ftk.recipes.sections import RunConfig

    assert RunConfig(strategy="multi_worker").strategy == "multi_worker"


def test_keras_still_has_the_multi_worker_bugs_the_fix_patches():
    """Fails loudly when a Keras upgrade changes what `ftk.protocols.multi_worker` patches.

    Then check whether Keras fixed keras-team/keras#20585 and update or
    remove the fix (and `TESTED_KERAS`).
    """
    multi_worker.check_keras()


def test_the_fix_refuses_an_unexpected_keras(monkeypatch):
    from keras.src.backend.tensorflow import trainer

    monkeypatch.setattr(multi_worker, "TESTED_KERAS", ("9.9",))
    with pytest.raises(multi_worker.KerasMultiWorkerError, match="20585"):
        multi_worker.check_keras()
    monkeypatch.setattr(multi_worker, "TESTED_KERAS", multi_worker.TESTED_KERAS)
    monkeypatch.delattr(trainer, "reduce_per_replica")
    with pytest.raises(multi_worker.KerasMultiWorkerError, match="reduce_per_replica"):
        multi_worker.check_keras()


def test_the_fix_leaves_single_worker_strategies_alone():
    import keras
    import tensorflow as tf
    from keras.src.backend.tensorflow import trainer

    multi_worker.install()
    multi_worker.install()  # idempotent
    assert multi_worker.installed()
    multi_worker.check_keras()  # still recognises the patched functions
    strategy = training_strategy("mirrored")
    with strategy.scope():
        model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
        model.compile("sgd", "mse")
    data = tf.data.Dataset.from_tensor_slices((np.ones((8, 3), "float32"), np.ones((8, 2), "float32")))
    history = model.fit(data.batch(4), epochs=1, verbose=0)
    assert np.isfinite(history.history["loss"][0])
    assert trainer.reduce_per_replica({"a": tf.constant(1.0)}, strategy, "auto")["a"] == 1.0


def _ftk_run(tmp_path: Path, envs: list[dict], args: list[str], tag: str) -> tuple[list, list[Path]]:
    logs = [tmp_path / f"{tag}_{i}.log" for i in range(len(envs))]
    recipe = str(REPO / "recipes" / "test_dst.yaml")
    processes = [_start(["-m", "ftk.cli", "run", recipe, "--set", "run.strategy=multi_worker",
                         "--set", "data.limit=512", *args], {**env, "TMPDIR": str(tmp_path / "tmp")},
                        log) for env, log in zip(envs, logs)]
    return processes, logs


def _tickets(run_dir: Path) -> list[list[np.ndarray]]:
    import keras

    return [keras.saving.load_model(path).get_weights() for path in sorted(run_dir.glob("tickets/*.keras"))]


@pytest.mark.slow
def test_ftk_run_on_two_workers_writes_one_run_folder_and_resumes(tmp_path):
    (tmp_path / "tmp").mkdir()
    full, killed = tmp_path / "full", tmp_path / "killed"
    processes, logs = _ftk_run(tmp_path, _environments(2, timeout=120), ["--run-dir", str(full)], "full")
    assert _wait(processes, logs, limit=240) == [0, 0], "\n".join(log.read_text()[-3000:] for log in logs)
    events = [json.loads(line) for line in (full / "events.jsonl").read_text().splitlines()]
    assert [e["type"] for e in events].count("run_start") == 1
    assert [e["type"] for e in events].count("run_end") == 1
    assert len(list(full.glob("tickets/*.keras"))) == 2
    assert not any((tmp_path / "tmp").iterdir())  # the other worker's private folder is gone

    # Kill both workers after the first checkpoint, then resume: the same tickets.
    processes, logs = _ftk_run(tmp_path, _environments(2, timeout=120), ["--run-dir", str(killed)], "a")
    state = killed / "checkpoints" / "state.json"
    deadline = time.monotonic() + 180
    while not (state.is_file() and json.loads(state.read_text()).get("epoch")):
        if any(p.poll() is not None for p in processes) or time.monotonic() > deadline:
            break
        time.sleep(0.02)
    for p in processes:
        p.kill()
        p.wait()
    if (killed / "tickets" / "ticket_1.keras").exists():
        pytest.skip("the run finished before it could be killed")
    processes, logs = _ftk_run(tmp_path, _environments(2, timeout=120), ["--resume", str(killed)], "b")
    assert _wait(processes, logs, limit=240) == [0, 0], "\n".join(log.read_text()[-3000:] for log in logs)
    for a, b in zip(_tickets(full), _tickets(killed), strict=True):
        for x, y in zip(a, b, strict=True):
            np.testing.assert_array_equal(x, y)
    events = [json.loads(line) for line in (killed / "events.jsonl").read_text().splitlines()]
    assert [e.get("resumed") for e in events if e["type"] == "run_start"] == [False, True]
