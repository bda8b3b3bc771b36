"""Per-layer densities for a global density target (uniform, ER, ERK, custom)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Literal

import numpy as np

DISTRIBUTIONS = ("uniform", "er", "erk", "custom")

Distribution = Literal["uniform", "er", "erk", "custom"]


def layer_densities(
    shapes: Mapping[str, tuple[int, ...]],
    density: float,
    distribution: Distribution = "erk",
    *,
    erk_power: float = 1.0,
    custom: Mapping[str, float] | None = None,
    dense_first_layer: bool = False,
) -> dict[str, float]:
    """Splits a global density target into one density per prunable weight.

    `"uniform"` gives every layer `density`. `"er"` (Erdős–Rényi) and `"erk"`
    (Erdős–Rényi-Kernel) give layer `l` the density `eps * raw_l`, with
    `raw_l = (n_in + n_out) / (n_in * n_out)` for ER (channels only) and
    `raw_l = sum(shape) / prod(shape)` raised to `erk_power` for ERK. `eps`
    is solved so that the total active count equals
    `density * sum_l prod(shape_l)`; a layer whose `eps * raw_l` would exceed
    1 is made dense and `eps` is solved again over the others.

    Args:
        shapes: Prunable weight name to kernel shape, in model order.
        density: Global fraction of weights kept active, in `(0, 1]`.
        distribution: One of `"uniform"`, `"er"`, `"erk"`, `"custom"`.
            Defaults to `"erk"`.
        erk_power: Exponent applied to the ERK raw share; must be `> 0`.
            Defaults to `1.0`.
        custom: For `"custom"`, weight name to density in `(0, 1]`; must
            cover every name in `shapes`. Defaults to `None`.
        dense_first_layer: Whether the first weight in `shapes` is kept
            dense (density 1.0). For `"uniform"` the other layers stay at
            `density` (the global target is not re-solved); for `"er"` and
            `"erk"` the first layer counts towards the target at its full
            size; for `"custom"` it overrides the user's value.
            Defaults to `False`.

    Returns:
        A dict from weight name (in the order of `shapes`) to a Python float
        density in `(0, 1]`.

    Raises:
        ValueError: If `shapes` is empty or holds a non-positive dimension, if
            `density`, `distribution`, `erk_power` or `custom` is invalid, or
            if the dense first layer alone exceeds the global target.

    Example:

    ```python
    densities = layer_densities({"dense": (2, 2), "out": (2, 4)}, 0.5)
    # ERK raw shares 4/4 = 1 and 6/8 = 0.75; eps = 0.5 * 12 / (1 * 4 + 0.75 * 8)
    # = 0.6, so densities are {"dense": 0.6, "out": 0.45} (up to float rounding).
    ```
    """
    _check_shapes(shapes)
    if not 0.0 < float(density) <= 1.0:
        raise ValueError(f"`density` must be in (0, 1]. Received: density={density}")
    if distribution not in DISTRIBUTIONS:
        raise ValueError(
            f"`distribution` must be one of {DISTRIBUTIONS}. "
            f"Received: distribution={distribution!r}"
        )
    if not float(erk_power) > 0.0 or not math.isfinite(erk_power):
        raise ValueError(
            f"`erk_power` must be a finite number > 0. Received: erk_power={erk_power}"
        )
    first = next(iter(shapes))
    if distribution == "custom":
        result = _checked_custom(shapes, custom)
        if dense_first_layer:
            result[first] = 1.0
        return result
    if density == 1.0:
        return {name: 1.0 for name in shapes}
    if distribution == "uniform":
        result = {name: float(density) for name in shapes}
        if dense_first_layer:
            result[first] = 1.0
        return result
    if distribution == "er":
        raw = {name: _er_raw(shape) for name, shape in shapes.items()}
    else:
        raw = {name: _erk_raw(shape) ** erk_power for name, shape in shapes.items()}
    dense = {first} if dense_first_layer else set()
    return _solve_eps(shapes, raw, float(density), dense)


def active_counts(
    shapes: Mapping[str, tuple[int, ...]], densities: Mapping[str, float]
) -> dict[str, int]:
    """Number of active weights per layer, `round(density_l * prod(shape_l))`.

    Args:
        shapes: Prunable weight name to kernel shape.
        densities: Weight name to density, e.g. from `layer_densities`.

    Returns:
        A dict from weight name (in the order of `shapes`) to an int count.

    Example:

    ```python
    active_counts({"dense": (4, 4)}, {"dense": 0.4})  # {"dense": 6}
    ```
    """
    return {
        name: int(round(float(densities[name]) * _size(shape)))
        for name, shape in shapes.items()
    }


def _check_shapes(shapes: Mapping[str, tuple[int, ...]]) -> None:
    if not shapes:
        raise ValueError("`shapes` must hold at least one weight. Received: shapes={}")
    for name, shape in shapes.items():
        if len(shape) == 0 or any(int(dim) <= 0 for dim in shape):
            raise ValueError(
                "Every shape in `shapes` must have rank >= 1 and positive "
                f"dimensions. Received: shapes[{name!r}]={tuple(shape)}"
            )


def _checked_custom(
    shapes: Mapping[str, tuple[int, ...]], custom: Mapping[str, float] | None
) -> dict[str, float]:
    if custom is None:
        raise ValueError('`custom` is required when distribution="custom".')
    unknown = [name for name in custom if name not in shapes]
    if unknown:
        raise ValueError(f"`custom` names weights not in `shapes`: {unknown}")
    missing = [name for name in shapes if name not in custom]
    if missing:
        raise ValueError(f"`custom` is missing densities for: {missing}")
    bad = {n: custom[n] for n in shapes if not 0.0 < float(custom[n]) <= 1.0}
    if bad:
        raise ValueError(f"`custom` densities must be in (0, 1]. Received: {bad}")
    return {name: float(custom[name]) for name in shapes}


def _size(shape: tuple[int, ...]) -> int:
    return math.prod(int(dim) for dim in shape)


def _er_raw(shape: tuple[int, ...]) -> np.float64:
    n_out = np.float64(shape[-1])
    n_in = np.float64(shape[-2]) if len(shape) >= 2 else np.float64(1.0)
    return (n_in + n_out) / (n_in * n_out)


def _erk_raw(shape: tuple[int, ...]) -> np.float64:
    dims = np.asarray(shape, dtype=np.float64)
    return dims.sum() / dims.prod()


def _solve_eps(
    shapes: Mapping[str, tuple[int, ...]],
    raw: Mapping[str, np.float64],
    density: float,
    dense: set[str],
) -> dict[str, float]:
    """Solves `eps`, densifying every layer with `eps * raw > 1`, until none."""
    dense = set(dense)
    sizes = {name: np.float64(_size(shape)) for name, shape in shapes.items()}
    target = np.float64(density) * sum(sizes.values())
    while True:
        sparse = [name for name in shapes if name not in dense]
        if not sparse:
            return {name: 1.0 for name in shapes}
        budget = target - sum(sizes[name] for name in dense)
        if budget <= 0.0:
            raise ValueError(
                "The dense first layer alone exceeds the global target. "
                f"Received: density={density}"
            )
        eps = budget / sum(raw[name] * sizes[name] for name in sparse)
        exceeding = {name for name in sparse if eps * raw[name] > 1.0}
        if not exceeding:
            break
        dense |= exceeding
    return {
        name: 1.0 if name in dense else float(eps * raw[name]) for name in shapes
    }
