"""Finding and resetting the optimizer state of a weight."""

from __future__ import annotations

import keras


def slot_variables(optimizer: keras.optimizers.Optimizer, variable: keras.Variable) -> list:
    """Returns the optimizer variables that hold per-entry state of `variable`.

    Keras optimizers name a slot `"{variable.path with '/' -> '_'}_{slot}"`
    (SGD: `momentum`; Adam, AdamW: `momentum`, `velocity`, `velocity_hat`),
    so the slots are found by that prefix and the variable's shape. A
    `LossScaleOptimizer` is looked through.

    Args:
        optimizer: a built Keras optimizer.
        variable: a trainable variable of the model.

    Returns:
        The slot variables, possibly empty (plain SGD has none).
    """
    optimizer = getattr(optimizer, "inner_optimizer", optimizer)
    prefix = variable.path.replace("/", "_") + "_"
    return [
        slot
        for slot in optimizer.variables
        if slot.name.startswith(prefix) and tuple(slot.shape) == tuple(variable.shape)
    ]
