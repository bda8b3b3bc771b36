"""`model.fit` under `tf.distribute.MultiWorkerMirroredStrategy` on Keras 3.

Keras 3's TensorFlow trainer does not work under a multi-worker strategy
(keras-team/keras#20585, tensorflow/tensorflow#72388). Two places in
`keras/src/backend/tensorflow/trainer.py` (Keras 3.15) assume one worker:

1. `TensorFlowTrainer._maybe_symbolic_build` builds the model from the first
   batch of the distributed dataset and passes that whole batch, a nest
   `(x, y)` of `PerReplica` values, to `strategy.reduce("MEAN", batch,
   axis=None)`. A single-worker strategy returns a non-distributed nest
   unchanged (`reduce_non_distributed_value`), but with several workers
   `CollectiveAllReduceExtended._reduce_to` sends it to the cross-worker
   all-reduce, which cannot convert a tuple of `PerReplica` to a tensor:
   `ValueError: Attempt to convert a value (PerReplica:{...}) ... to a
   Tensor` before the first step. The build needs only shapes and dtypes, so
   the fix builds from this worker's first replica's part of the batch: no
   communication at all.
2. `reduce_per_replica`, which reduces the logs of every train and test step,
   reduces with `strategy.reduce("MEAN", v, axis=0)` in multi-worker mode.
   The logs are scalars (loss, metrics), so TensorFlow raises `Invalid
   reduction dimension 0 for input with 0 dimensions`. The fix reduces them
   across replicas only (`axis=None`), which is what the single-worker path
   (`tf.reduce_mean` over the local results) computes; every worker then
   sees the same logs, so callbacks that act on them (the divergence guard,
   early stopping) decide the same on every worker.

`install()` patches both, idempotently, and only changes what happens under a
multi-worker strategy (`_collective_all_reduce_multi_worker(strategy)`); the
single-device and `MirroredStrategy` paths call the original code. Before
patching, `check_keras()` verifies that the Keras internals still look as this
module expects (the functions exist with the same signatures and the same
source lines that cause the bugs) and raises `KerasMultiWorkerError`
otherwise, so a Keras upgrade fails loudly at strategy creation instead of
training wrongly; `tests/protocols/test_multi_worker.py` checks the same.
When Keras fixes the issue, `check_keras` fails: remove this module then.
"""

from __future__ import annotations

import functools
import inspect

#: Keras versions whose TensorFlow trainer this module was written against.
TESTED_KERAS = ("3.15",)

#: Source lines of `keras/src/backend/tensorflow/trainer.py` this module fixes.
_SYMBOLIC_BUILD_REDUCE = 'data_batch = self.distribute_strategy.reduce(\n                        "MEAN",'
_PER_REPLICA_MEAN = 'return strategy.reduce("MEAN", v, axis=0)'

_PATCHED = "_ftk_multi_worker_patch"


class KerasMultiWorkerError(RuntimeError):
    """The installed Keras does not match what the multi-worker fix patches."""


def _trainer_module():
    from keras.src.backend.tensorflow import trainer

    return trainer


def check_keras() -> None:
    """Verifies that Keras still has the multi-worker bugs this module fixes.

    Raises:
        KerasMultiWorkerError: if the Keras version or the patched internals
            differ from what this module was written against.
    """
    import keras

    version = ".".join(keras.__version__.split(".")[:2])
    problems = []
    if version not in TESTED_KERAS:
        problems.append(f"Keras {keras.__version__} is not one of the tested versions {TESTED_KERAS}")
    try:
        trainer = _trainer_module()
    except ImportError as error:
        raise KerasMultiWorkerError(f"Keras' TensorFlow trainer moved: {error}") from error
    trainer_class = getattr(trainer, "TensorFlowTrainer", None)
    build = getattr(trainer_class, "_maybe_symbolic_build", None)
    reduce = getattr(trainer, "reduce_per_replica", None)
    multi = getattr(trainer, "_collective_all_reduce_multi_worker", None)
    for name, value in [("TensorFlowTrainer._maybe_symbolic_build", build),
                        ("reduce_per_replica", reduce), ("_collective_all_reduce_multi_worker", multi)]:
        if not callable(value):
            problems.append(f"keras.src.backend.tensorflow.trainer has no {name}")
    if not problems:
        build = getattr(build, "__wrapped__", build)
        reduce = getattr(reduce, "__wrapped__", reduce)
        if list(inspect.signature(build).parameters) != ["self", "iterator", "data_batch"]:
            problems.append(f"_maybe_symbolic_build has signature {inspect.signature(build)}")
        if list(inspect.signature(reduce).parameters) != ["values", "strategy", "reduction"]:
            problems.append(f"reduce_per_replica has signature {inspect.signature(reduce)}")
        if _SYMBOLIC_BUILD_REDUCE not in inspect.getsource(build):
            problems.append("_maybe_symbolic_build no longer reduces the first batch with strategy.reduce")
        if _PER_REPLICA_MEAN not in inspect.getsource(reduce):
            problems.append("reduce_per_replica no longer reduces multi-worker logs with axis=0")
        if "_make_function" not in vars(trainer_class) or "reduce_per_replica(" not in inspect.getsource(
                trainer_class._make_function):
            problems.append("TensorFlowTrainer._make_function no longer calls reduce_per_replica")
    if problems:
        raise KerasMultiWorkerError(
            "ftk's fix for `model.fit` under MultiWorkerMirroredStrategy (keras-team/keras#20585, "
            "ftk/protocols/multi_worker.py) does not match the installed Keras: "
            + "; ".join(problems)
            + ". Check whether Keras now supports MultiWorkerMirroredStrategy and update or remove "
            "the fix, or install a tested Keras version."
        )


def install() -> None:
    """Patches Keras' TensorFlow trainer so `fit`/`evaluate` work under MWMS.

    Idempotent; changes nothing for single-worker strategies.

    Raises:
        KerasMultiWorkerError: see `check_keras`.
    """
    trainer = _trainer_module()
    if getattr(trainer.reduce_per_replica, _PATCHED, False):
        return
    check_keras()
    multi_worker = trainer._collective_all_reduce_multi_worker
    original_build = trainer.TensorFlowTrainer._maybe_symbolic_build
    original_reduce = trainer.reduce_per_replica

    @functools.wraps(original_build)
    def _maybe_symbolic_build(self, iterator=None, data_batch=None):
        strategy = self._distribute_strategy
        if iterator is None or strategy is None or not multi_worker(strategy):
            return original_build(self, iterator=iterator, data_batch=data_batch)
        import tensorflow as tf
        from keras.src import tree

        for _, _, it in iterator:
            data_batch = next(it)
            break

        def local(value):
            if isinstance(value, tf.distribute.DistributedValues):
                return strategy.experimental_local_results(value)[0]
            return value

        return original_build(self, data_batch=tree.map_structure(local, data_batch))

    @functools.wraps(original_reduce)
    def reduce_per_replica(values, strategy, reduction):
        import tensorflow as tf
        from keras.src import tree

        if (reduction in ("auto", "mean") and multi_worker(strategy)
                and not isinstance(strategy, tf.distribute.TPUStrategy)):
            return tree.map_structure(lambda v: strategy.reduce("MEAN", v, axis=None), values)
        return original_reduce(values, strategy, reduction)

    setattr(_maybe_symbolic_build, _PATCHED, True)
    setattr(reduce_per_replica, _PATCHED, True)
    trainer.TensorFlowTrainer._maybe_symbolic_build = _maybe_symbolic_build
    trainer.reduce_per_replica = reduce_per_replica  # looked up at call time by `_make_function`


def installed() -> bool:
    """Whether `install()` has patched Keras in this process."""
    return bool(getattr(_trainer_module().reduce_per_replica, _PATCHED, False))


