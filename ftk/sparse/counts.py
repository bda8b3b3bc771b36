"""Parameter counts of sparse models: the masks are not parameters.

`model.count_params()` and `model.summary()` count every `*_mask` variable as
a non-trainable parameter, which doubles the kernels of a sparse model. These
functions count what the model really has.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Iterable

import keras

from ftk.sparse.sparse_weight import current_density, sparse_weights


def parameter_count(model: keras.Model) -> int:
    """Returns the parameters of `model`, its mask variables excluded.

    This is what `model.count_params()` reports for the dense model: trainable
    and non-trainable weights (e.g. batch-norm moving statistics), every entry
    counted, pruned or not.

    Args:
        model: a built Keras model, dense or sparse.

    Returns:
        The number of parameters.

    Example:

    ```python
    dense = ftk.models.build_model("wrn-28-10", num_classes=10, input_shape=(32, 32, 3))
    sparse = ftk.sparsify(dense, density=0.2)
    sparse.count_params()  # 72,958,378: the masks double the kernels
    ftk.parameter_count(sparse) == dense.count_params()  # True (36,497,146)
    ```
    """
    masks = {id(w.mask) for w in sparse_weights(model)}
    return _size(v for v in model.weights if id(v) not in masks)


def active_count(model: keras.Model) -> int:
    """Returns the active (non-zero) weights of `model`.

    A masked kernel counts its mask-1 entries; every other trainable weight
    (biases, normalization scales, kernels left dense) counts in full.
    Non-trainable weights, such as batch-norm moving statistics, do not
    count. For a dense model this is the number of trainable parameters.

    Args:
        model: a built Keras model, dense or sparse.

    Returns:
        The number of active weights.

    Example:

    ```python
    dense = ftk.models.build_model("wrn-28-10", num_classes=10, input_shape=(32, 32, 3))
    ftk.active_count(dense)  # 36,479,194: the trainable parameters
    ftk.active_count(ftk.sparsify(dense, density=0.2))  # 7,310,207
    ```
    """
    masked = {id(w.variable): w for w in sparse_weights(model)}
    return sum(
        masked[id(v)].active_count() if id(v) in masked else _size([v])
        for v in model.trainable_weights
    )


def summary(model: keras.Model, print_fn: Callable[[str], None] | None = None, **kwargs) -> None:
    """Prints `model.summary()` and a line that sets the masks apart.

    Keras counts the mask variables as non-trainable parameters. The extra
    line gives their entries, `parameter_count` and `active_count`.

    Args:
        model: a built Keras model, dense or sparse.
        print_fn: called with the summary and then with the extra line.
            Defaults to `None`: Keras' own printing, then `print`.
        **kwargs: passed to `model.summary()` (e.g. `expand_nested=True`).

    Example:

    ```python
    dense = ftk.models.build_model("wrn-28-10", num_classes=10, input_shape=(32, 32, 3))
    ftk.summary(ftk.sparsify(dense, density=0.2))
    # ... Keras' summary ...
    # Masks: 36,461,232 non-trainable mask entries (not parameters); parameters
    # 36,497,146; active 7,310,207 (density 0.2)
    ```
    """
    model.summary(print_fn=print_fn, **kwargs)
    masks = sum(w.size for w in sparse_weights(model))
    (print_fn or print)(
        f"Masks: {masks:,} non-trainable mask entries (not parameters); "
        f"parameters {parameter_count(model):,}; active {active_count(model):,} "
        f"(density {current_density(model):.3g})"
    )


@dataclasses.dataclass(frozen=True)
class Counts:
    """The counts `ftk validate`, `ftk run` and the run events report.

    `str(counts)` reads, e.g., "36,497,146 parameters (36,479,194 trainable),
    7.3M active at density 0.2".
    """

    parameters: int
    trainable: int
    active: int
    density: float

    @classmethod
    def of(cls, model: keras.Model) -> Counts:
        """The counts of `model` (density 1 when it has no masks)."""
        return cls(parameter_count(model), _size(model.trainable_weights), active_count(model),
                   current_density(model))

    def as_dict(self) -> dict[str, int]:
        """The event fields: `parameters`, `trainable` and `active`."""
        return {"parameters": self.parameters, "trainable": self.trainable, "active": self.active}

    def __str__(self) -> str:
        return (f"{self.parameters:,} parameters ({self.trainable:,} trainable), "
                f"{compact(self.active)} active at density {self.density:.3g}")


def compact(count: float) -> str:
    """Formats a count with one decimal and a unit: `7.3M`, `266.6K`, `812`."""
    for unit, scale in (("B", 1e9), ("M", 1e6), ("K", 1e3)):
        if abs(count) >= scale:
            return f"{count / scale:.1f}{unit}"
    return f"{count:g}"


def _size(variables: Iterable[keras.Variable]) -> int:
    return sum(math.prod(int(d) for d in v.shape) for v in variables)
