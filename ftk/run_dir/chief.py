"""Which process of a `tf.distribute` job writes files."""

from __future__ import annotations

import tensorflow as tf


def is_chief(strategy: tf.distribute.Strategy | None = None) -> bool:
    """True for the one process that writes logs, checkpoints and tickets.

    Single-process strategies (the default one, `MirroredStrategy`) always
    are. In a multi-worker job the chief is the `chief` task, or worker 0
    when there is none.

    Args:
        strategy: the strategy. Defaults to the current one.

    Returns:
        Whether this process should write.
    """
    strategy = strategy or tf.distribute.get_strategy()
    resolver = getattr(strategy, "cluster_resolver", None)
    if resolver is None or not resolver.task_type:
        return True
    if resolver.task_type == "chief":
        return True
    has_chief = "chief" in resolver.cluster_spec().as_dict()
    return not has_chief and resolver.task_type == "worker" and resolver.task_id == 0
