"""Optimizers with PyTorch-style (coupled) L2 weight decay, whose state saves packed."""

from __future__ import annotations

import keras

from ftk.sparse.packed_storage import PackingStore, UnpackingStore

_register = keras.saving.register_keras_serializable(package="ftk")


class CoupledWeightDecay:
    """Mixin: `weight_decay` adds `weight_decay * w` to the gradient.

    Keras applies `weight_decay` decoupled (AdamW-style: `w -= lr * wd * w`
    after the update). PyTorch's SGD and Adam, which the FreeTickets
    reference results use, add `wd * w` to the gradient instead, so the decay
    goes through momentum and adaptive scaling. This mixin does the latter,
    after the gradients are summed over replicas, so it is the same on one
    device and under `tf.distribute`. `exclude_from_weight_decay()` works as
    in Keras (e.g. no decay on batch-norm parameters).
    """

    def _apply_weight_decay(self, variables):
        pass  # applied in `update_step`, coupled to the gradient

    def update_step(self, gradient, variable, learning_rate):
        if self.weight_decay and self._use_weight_decay(variable):
            gradient = gradient + keras.ops.cast(self.weight_decay, variable.dtype) * variable
        return super().update_step(gradient, variable, learning_rate)


class PackedState:
    """Mixin: the optimizer's mostly-zero slots are saved packed.

    The momentum (and Adam moments) of a masked kernel are zero wherever its
    mask is, since ftk resets them when it prunes or grows an entry; Keras
    would write them dense, so a sparse model's checkpoint would be as large
    as the dense model's. They are written as a bit per entry plus the
    non-zero values (`ftk.sparse.packed_storage`) and read back bit for bit;
    checkpoints of earlier ftk versions still load.
    """

    def save_own_variables(self, store):
        super().save_own_variables(PackingStore(store))

    def load_own_variables(self, store):
        super().load_own_variables(UnpackingStore(store))


@_register
class SGD(PackedState, CoupledWeightDecay, keras.optimizers.SGD):
    """`keras.optimizers.SGD` whose `weight_decay` is PyTorch's coupled L2.

    Example:

    ```python
    optimizer = ftk.optimizers.SGD(0.1, momentum=0.9, weight_decay=5e-4)
    ```
    """


@_register
class Adam(PackedState, CoupledWeightDecay, keras.optimizers.Adam):
    """`keras.optimizers.Adam` whose `weight_decay` is PyTorch's coupled L2."""


@_register
class AdamW(PackedState, keras.optimizers.AdamW):
    """`keras.optimizers.AdamW` (decoupled decay, as Keras has it) whose state saves packed."""


def build_optimizer(
    name: str,
    learning_rate,
    *,
    momentum: float = 0.9,
    nesterov: bool = False,
    weight_decay: float = 0.0,
    weight_decay_exclude: tuple[str, ...] = (),
) -> keras.optimizers.Optimizer:
    """Returns the optimizer a recipe names.

    Args:
        name: `"sgd"`, `"adam"` (both with coupled L2 decay) or `"adamw"`
            (Keras' decoupled decay).
        learning_rate: float or `keras.optimizers.schedules.LearningRateSchedule`.
        momentum: SGD momentum. Defaults to `0.9`.
        nesterov: SGD Nesterov momentum. Defaults to `False`.
        weight_decay: decay factor; 0 disables it. Defaults to `0.0`.
        weight_decay_exclude: variable-name patterns without decay.

    Returns:
        A Keras optimizer.
    """
    decay = weight_decay or None
    if name == "sgd":
        optimizer = SGD(learning_rate, momentum=momentum, nesterov=nesterov, weight_decay=decay)
    elif name == "adam":
        optimizer = Adam(learning_rate, weight_decay=decay)
    elif name == "adamw":
        optimizer = AdamW(learning_rate, weight_decay=weight_decay)
    else:
        raise ValueError(f"`optimizer` must be one of ('sgd', 'adam', 'adamw'). Received: {name!r}")
    if weight_decay_exclude:
        optimizer.exclude_from_weight_decay(var_names=list(weight_decay_exclude))
    return optimizer
