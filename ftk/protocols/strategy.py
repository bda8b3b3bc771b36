"""`training_strategy`: the `tf.distribute` strategy a recipe's `run.strategy` names."""

from __future__ import annotations

import json
import os

import tensorflow as tf

#: Environment variable: seconds a collective (all-reduce) may wait for the
#: other workers of a `multi_worker` run before it fails; 0 waits forever.
TIMEOUT_VARIABLE = "FTK_COLLECTIVE_TIMEOUT"
#: Default of `FTK_COLLECTIVE_TIMEOUT`: longer than the chief alone takes to
#: write a checkpoint or ticket between two steps.
DEFAULT_TIMEOUT = 600.0

_MULTI_WORKER: list[tf.distribute.MultiWorkerMirroredStrategy] = []

_TF_CONFIG_EXAMPLE = (
    'TF_CONFIG=\'{"cluster": {"worker": ["host0:12345", "host1:12345"]}, '
    '"task": {"type": "worker", "index": 0}}\''
)


def training_strategy(name: str) -> tf.distribute.Strategy:
    """The `tf.distribute` strategy a recipe's `run.strategy` names.

    `"mirrored"` replicates over every GPU, or over every logical CPU when
    there is no GPU (tests split the CPU in two). `"multi_worker"` is
    `tf.distribute.MultiWorkerMirroredStrategy` over the cluster of the
    `TF_CONFIG` environment variable (one process per worker, each started
    with its own `task`); worker 0 (or the `chief` task) writes the run
    folder. It is created once per process (the first call must come before
    any other TensorFlow op; later calls return it). Its collectives fail after `FTK_COLLECTIVE_TIMEOUT` seconds
    (default 600) instead of waiting forever for a worker that died, and
    `ftk.protocols.multi_worker` makes Keras' `fit` work under it.

    Raises:
        ValueError: for `"multi_worker"` without a valid `TF_CONFIG`, or an
            invalid `FTK_COLLECTIVE_TIMEOUT`.
        ftk.protocols.multi_worker.KerasMultiWorkerError: if the installed
            Keras differs from the one the multi-worker fix patches.
    """
    if name == "default":
        return tf.distribute.get_strategy()
    if name == "multi_worker":
        if _MULTI_WORKER:  # collectives are configured once per process
            return _MULTI_WORKER[0]
        _MULTI_WORKER.append(multi_worker_strategy())
        return _MULTI_WORKER[0]
    gpus = tf.config.list_logical_devices("GPU")
    if gpus:
        return tf.distribute.MirroredStrategy([d.name for d in gpus])
    # On CPUs, reduce through one device: CPU collectives of several strategies in
    # one process can clash over their instance keys.
    cpus = [d.name for d in tf.config.list_logical_devices("CPU")]
    return tf.distribute.MirroredStrategy(cpus, cross_device_ops=tf.distribute.ReductionToOneDevice())


def multi_worker_strategy(timeout: float | None = None) -> tf.distribute.MultiWorkerMirroredStrategy:
    """`MultiWorkerMirroredStrategy` from `TF_CONFIG`, with bounded collectives.

    Create it at the start of the program, before other TensorFlow ops.
    Collectives use NCCL on GPUs and RING on CPUs. A worker that dies or
    stops after start-up makes the others fail within seconds
    (`UnavailableError`: TensorFlow's coordination service misses its
    heartbeats); the collective timeout bounds a worker that is alive but
    stuck. Creation itself waits, without bound, until every worker of
    `TF_CONFIG` has started (TensorFlow's `context.ensure_initialized`).

    Args:
        timeout: seconds a collective may wait for the other workers before
            it raises `tf.errors.DeadlineExceededError`. Defaults to the environment
            variable `FTK_COLLECTIVE_TIMEOUT`, else 600; 0 waits forever.
    """
    from ftk.protocols import multi_worker

    check_tf_config()
    timeout = collective_timeout() if timeout is None else float(timeout)
    multi_worker.install()
    C = tf.distribute.experimental.CommunicationImplementation
    implementation = C.NCCL if tf.config.list_physical_devices("GPU") else C.RING
    options = tf.distribute.experimental.CommunicationOptions(
        implementation=implementation, timeout_seconds=timeout or None)
    return tf.distribute.MultiWorkerMirroredStrategy(communication_options=options)


def collective_timeout() -> float:
    """Seconds from `FTK_COLLECTIVE_TIMEOUT` (default 600; 0 waits forever)."""
    text = os.environ.get(TIMEOUT_VARIABLE, "").strip()
    if not text:
        return DEFAULT_TIMEOUT
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not value >= 0:
        raise ValueError(f"{TIMEOUT_VARIABLE} must be a number of seconds >= 0 (0 waits forever); "
                         f"received {text!r}.")
    return value


def check_tf_config() -> dict:
    """The parsed `TF_CONFIG` of a multi-worker run.

    Raises:
        ValueError: if `TF_CONFIG` is missing, not JSON, or lacks the
            `cluster` or `task` of this process; the message shows an example.
    """
    text = os.environ.get("TF_CONFIG", "").strip()
    hint = (f"Start one process per worker, each with its own task index, e.g. `{_TF_CONFIG_EXAMPLE}` "
            "on the first of two, and give every worker the same run folder, on a filesystem "
            "they all read.")
    if not text:
        raise ValueError(f"run.strategy 'multi_worker' needs the TF_CONFIG environment variable, "
                         f"which is not set. {hint}")
    try:
        config = json.loads(text)
    except json.JSONDecodeError as error:
        raise ValueError(f"TF_CONFIG is not valid JSON ({error}): {text!r}. {hint}") from None
    cluster = config.get("cluster") if isinstance(config, dict) else None
    task = config.get("task") if isinstance(config, dict) else None
    if not isinstance(cluster, dict) or not cluster or not isinstance(task, dict) \
            or "type" not in task or "index" not in task:
        raise ValueError(f"TF_CONFIG needs a 'cluster' and this process's 'task' "
                         f"({{'type': ..., 'index': ...}}); received {text!r}. {hint}")
    members = cluster.get(task["type"])
    if not isinstance(members, list) or not 0 <= int(task["index"]) < len(members):
        raise ValueError(f"TF_CONFIG's task {task} is not in its cluster {cluster}. {hint}")
    return config
