"""Density distributions: per-layer densities for a global density target, by name.

- `"uniform"` (`UniformDensity`): every layer at the global density;
- `"er"` (`ErdosRenyi`): density proportional to `(n_in + n_out) / (n_in * n_out)`;
- `"erk"` (`ErdosRenyiKernel`): proportional to `sum(shape) / prod(shape)`;
- `"custom"` (`CustomDensities`): a user map from weight name to density.

`target_densities` is the entry point; `ftk.sparsify` uses it. These are the
densities a model is built with; `ftk.layer_densities` measures a model's.
Pure NumPy.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping

import numpy as np

from ftk.sparse.rule_registry import RuleRegistry

Shapes = Mapping[str, tuple[int, ...]]


class DensityDistribution:
    """Base class of density distributions: one density per prunable weight.

    Subclasses override `densities`.

    Example:

    ```python
    class HalfEverywhere(DensityDistribution):
        def densities(self, shapes, density, **options):
            return {name: 0.5 for name in shapes}
    ```
    """

    #: Whether it reads `custom` (a density per weight) instead of the global density.
    needs_custom_densities: bool = False

    def densities(
        self,
        shapes: Shapes,
        density: float,
        *,
        dense_first_layer: bool = False,
        erk_power: float = 1.0,
        custom: Mapping[str, float] | None = None,
    ) -> dict[str, float]:
        """Returns a density in (0, 1] per name of `shapes` (arguments as `target_densities`)."""
        raise NotImplementedError(f"{type(self).__name__} must define `densities`.")

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class UniformDensity(DensityDistribution):
    """Every layer at the global density (`"uniform"`); the dense first layer adds to it."""

    def densities(self, shapes, density, *, dense_first_layer=False, erk_power=1.0, custom=None):
        if density == 1.0:
            return {name: 1.0 for name in shapes}
        result = {name: float(density) for name in shapes}
        if dense_first_layer:
            result[next(iter(shapes))] = 1.0
        return result


class ErdosRenyi(DensityDistribution):
    """Density `eps * raw_l` with `raw_l = (n_in + n_out) / (n_in * n_out)` (`"er"`).

    `eps` is solved so that the total active count meets the global target;
    a layer whose `eps * raw_l` would exceed 1 is made dense and `eps` is
    solved again over the others. Subclasses override `raw_share`.
    """

    def densities(self, shapes, density, *, dense_first_layer=False, erk_power=1.0, custom=None):
        if density == 1.0:
            return {name: 1.0 for name in shapes}
        raw = {name: self.raw_share(shape, erk_power) for name, shape in shapes.items()}
        dense = {next(iter(shapes))} if dense_first_layer else set()
        return _solve_eps(shapes, raw, float(density), dense)

    def raw_share(self, shape: tuple[int, ...], erk_power: float) -> np.float64:
        """The unnormalised density of a kernel of `shape` (channels only for ER)."""
        n_out = np.float64(shape[-1])
        n_in = np.float64(shape[-2]) if len(shape) >= 2 else np.float64(1.0)
        return (n_in + n_out) / (n_in * n_out)


class ErdosRenyiKernel(ErdosRenyi):
    """ER over every kernel dimension: `raw_l = (sum(shape) / prod(shape)) ** erk_power` (`"erk"`)."""

    def raw_share(self, shape: tuple[int, ...], erk_power: float) -> np.float64:
        dims = np.asarray(shape, dtype=np.float64)
        return (dims.sum() / dims.prod()) ** erk_power


class CustomDensities(DensityDistribution):
    """The user's density per weight name, from `custom` (`"custom"`)."""

    needs_custom_densities = True

    def densities(self, shapes, density, *, dense_first_layer=False, erk_power=1.0, custom=None):
        result = _checked_custom(shapes, custom)
        if dense_first_layer:
            result[next(iter(shapes))] = 1.0
        return result


DENSITY_DISTRIBUTIONS: RuleRegistry[DensityDistribution] = RuleRegistry(
    "distribution", DensityDistribution
)
DENSITY_DISTRIBUTIONS.register("uniform", UniformDensity())
DENSITY_DISTRIBUTIONS.register("er", ErdosRenyi())
DENSITY_DISTRIBUTIONS.register("erk", ErdosRenyiKernel())
DENSITY_DISTRIBUTIONS.register("custom", CustomDensities())

#: The built-in distributions (`density_distribution_names()` adds registered ones).
DISTRIBUTIONS: tuple[str, ...] = DENSITY_DISTRIBUTIONS.names()


def register_density_distribution(
    name: str, distribution: DensityDistribution | type | None = None, *, override: bool = False
) -> DensityDistribution | type | Callable[[type], type]:
    """Registers a density distribution under `name`, for `ftk.sparsify` and recipes.

    Args:
        name: the name, e.g. `"erk"`.
        distribution: a `DensityDistribution` instance, or a subclass that
            takes no arguments. Defaults to `None`: returns a class decorator.
        override: replace one already registered as `name`. Defaults to `False`.

    Returns:
        `distribution`, or a decorator that registers the class it decorates.

    Raises:
        ValueError: if `name` is already registered and not `override`.
        TypeError: if `distribution` is not a `DensityDistribution`.

    Example:

    ```python
    @register_density_distribution("erk_sqrt")
    class SquareRootErk(ErdosRenyiKernel):
        def raw_share(self, shape, erk_power):
            return super().raw_share(shape, 0.5)

    ftk.sparsify(model, density=0.2, distribution="erk_sqrt")
    ```
    """
    return DENSITY_DISTRIBUTIONS.register(name, distribution, override=override)


def get_density_distribution(distribution: str | DensityDistribution) -> DensityDistribution:
    """Returns the distribution registered as `distribution` (or itself if one).

    Raises:
        ValueError: for an unknown name, naming the registered ones.
    """
    return DENSITY_DISTRIBUTIONS.get(distribution)


def density_distribution_names() -> tuple[str, ...]:
    """Returns the names of the registered distributions, e.g. `('uniform', 'er', 'erk', 'custom')`."""
    return DENSITY_DISTRIBUTIONS.names()


def target_densities(
    shapes: Shapes,
    density: float,
    distribution: str | DensityDistribution = "erk",
    *,
    erk_power: float = 1.0,
    custom: Mapping[str, float] | None = None,
    dense_first_layer: bool = False,
) -> dict[str, float]:
    """Splits a global density target into one density per prunable weight.

    `"er"` and `"erk"` give layer `l` the density `eps * raw_l` (see
    `ErdosRenyi`), with `eps` solved so that the total active count equals
    `density * sum_l prod(shape_l)`, densifying layers that would exceed 1.

    Args:
        shapes: Prunable weight name to kernel shape, in model order.
        density: Global fraction of weights kept active, in `(0, 1]`.
        distribution: A registered name (`"uniform"`, `"er"`, `"erk"`,
            `"custom"`, ...) or a `DensityDistribution`. Defaults to `"erk"`.
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
    densities = target_densities({"dense": (2, 2), "out": (2, 4)}, 0.5)
    # ERK raw shares 4/4 = 1 and 6/8 = 0.75; eps = 0.5 * 12 / (1 * 4 + 0.75 * 8)
    # = 0.6, so densities are {"dense": 0.6, "out": 0.45} (up to float rounding).
    ```
    """
    _check_shapes(shapes)
    if not 0.0 < float(density) <= 1.0:
        raise ValueError(f"`density` must be in (0, 1]. Received: density={density}")
    rule = get_density_distribution(distribution)
    if not float(erk_power) > 0.0 or not math.isfinite(erk_power):
        raise ValueError(f"`erk_power` must be a finite number > 0. Received: erk_power={erk_power}")
    return rule.densities(
        shapes, density, dense_first_layer=dense_first_layer, erk_power=erk_power, custom=custom
    )


def active_counts(shapes: Shapes, densities: Mapping[str, float]) -> dict[str, int]:
    """Number of active weights per layer, `round(density_l * prod(shape_l))`.

    Args:
        shapes: Prunable weight name to kernel shape.
        densities: Weight name to density, e.g. from `target_densities`.

    Returns:
        A dict from weight name (in the order of `shapes`) to an int count.

    Example:

    ```python
    active_counts({"dense": (4, 4)}, {"dense": 0.4})  # {"dense": 6}
    ```
    """
    return {name: int(round(float(densities[name]) * _size(shape))) for name, shape in shapes.items()}


def _check_shapes(shapes: Shapes) -> None:
    if not shapes:
        raise ValueError("`shapes` must hold at least one weight. Received: shapes={}")
    for name, shape in shapes.items():
        if len(shape) == 0 or any(int(dim) <= 0 for dim in shape):
            raise ValueError(
                "Every shape in `shapes` must have rank >= 1 and positive "
                f"dimensions. Received: shapes[{name!r}]={tuple(shape)}"
            )


def _checked_custom(shapes: Shapes, custom: Mapping[str, float] | None) -> dict[str, float]:
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


def _solve_eps(shapes: Shapes, raw: Mapping[str, np.float64], density: float, dense: set[str]):
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
    return {name: 1.0 if name in dense else float(eps * raw[name]) for name in shapes}
