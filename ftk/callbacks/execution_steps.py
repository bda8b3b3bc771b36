"""How Keras' executions and accumulated micro-batches meet the update steps."""

from __future__ import annotations

import math
from collections.abc import Mapping

import keras

from ftk.sparse.tap_schedule import accumulation_steps


def check_steps_per_execution(
    executed: int, update_frequency: int, accumulation: int, steps_per_epoch: int | None
) -> None:
    """Refuses a `steps_per_execution` that would hide update steps inside executions.

    Topology updates run between executions (`on_train_batch_end`), so every
    update step must end one. Keras restarts executions at every epoch.

    Args:
        executed: the model's `steps_per_execution`.
        update_frequency: optimizer steps between updates.
        accumulation: micro-batches per optimizer step.
        steps_per_epoch: batches per epoch, if known.

    Raises:
        ValueError: naming both settings and the values that work.
    """
    if executed == 1:
        return
    batches = update_frequency * accumulation
    unit = math.gcd(batches, steps_per_epoch) if steps_per_epoch else batches
    if unit % executed == 0:
        return
    works = [d for d in range(1, unit + 1) if unit % d == 0]
    per_update = f"{batches} batches" + (
        f" ({update_frequency} steps x {accumulation} accumulated)" if accumulation > 1 else ""
    )
    if steps_per_epoch and steps_per_epoch % executed:
        alternative = f"Or give epochs a number of batches that {executed} divides."
    else:
        alternative = f"Or choose an `update_frequency` that is a multiple of {executed}."
    raise ValueError(
        f"`steps_per_execution={executed}` does not fit `update_frequency={update_frequency}`: "
        "topology updates run between executions, so every update step must end one. An "
        f"update comes every {per_update}"
        + (f" and an epoch has {steps_per_epoch} batches" if steps_per_epoch else "")
        + f"; `steps_per_execution` values that work: {_short_list(works)}. {alternative}"
    )


def check_fit_executions(model: keras.Model, update_frequency: int, params: Mapping) -> None:
    """`check_steps_per_execution` for the `model.fit` call described by `params`.

    Args:
        model: the compiled model.
        update_frequency: optimizer steps between updates.
        params: the callback's `params` (`steps` is the batches per epoch).

    Raises:
        ValueError: as `check_steps_per_execution`.
    """
    check_steps_per_execution(
        int(getattr(model, "steps_per_execution", 1) or 1), update_frequency,
        accumulation_steps(model.optimizer), params.get("steps"),
    )


def fit_total_steps(model: keras.Model, params: Mapping) -> int | None:
    """Returns the optimizer steps of the `model.fit` call described by `params`.

    Keras counts batches; with gradient accumulation an optimizer step takes
    several, so this is `epochs * steps_per_epoch // accumulation_steps`.

    Returns:
        The number of steps, or `None` if `fit` does not know its batches.
    """
    if params.get("steps") and params.get("epochs"):
        return params["epochs"] * params["steps"] // accumulation_steps(model.optimizer)
    return None


def _short_list(values: list[int]) -> str:
    shown = ", ".join(str(v) for v in values[:12])
    return shown + (", ..." if len(values) > 12 else "")
