"""`training_strategy`: the `tf.distribute` strategy a recipe's `run.strategy` names."""

from __future__ import annotations

import tensorflow as tf


def training_strategy(name: str) -> tf.distribute.Strategy:
    """The `tf.distribute` strategy a recipe's `run.strategy` names.

    `"mirrored"` replicates over every GPU, or over every logical CPU when
    there is no GPU (tests split the CPU in two).
    """
    if name == "default":
        return tf.distribute.get_strategy()
    gpus = tf.config.list_logical_devices("GPU")
    if gpus:
        return tf.distribute.MirroredStrategy([d.name for d in gpus])
    # On CPUs, reduce through one device: CPU collectives of several strategies in
    # one process can clash over their instance keys.
    cpus = [d.name for d in tf.config.list_logical_devices("CPU")]
    return tf.distribute.MirroredStrategy(cpus, cross_device_ops=tf.distribute.ReductionToOneDevice())
