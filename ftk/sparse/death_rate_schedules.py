"""Death-rate schedules: the fraction of active weights replaced per update, by name.

With progress p = (step - start) / (end - start) through the update window,
clipped to [0, 1]:

- `"constant"`: initial_rate;
- `"cosine"`: min_rate + (initial_rate - min_rate) * (1 + cos(pi * p)) / 2;
- `"linear"`: initial_rate + (min_rate - initial_rate) * p.

Pure standard library.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from ftk.sparse.rule_registry import RuleRegistry

#: Floor of the cosine and linear schedules, as in the official code.
MIN_DEATH_RATE = 0.005


class DeathRateSchedule:
    """Base class of death-rate schedules: a rate for each point of the update window.

    Subclasses override `rate_at` (and set `needs_end = False` if they do not
    depend on where the window ends).

    Example:

    ```python
    class StepDeathRate(DeathRateSchedule):
        def rate_at(self, progress, initial_rate, min_rate):
            return initial_rate if progress < 0.5 else min_rate

    register_death_rate_schedule("step", StepDeathRate())
    ```
    """

    #: Whether the rate depends on the end of the window (so it must be known).
    needs_end: bool = True

    def rate(
        self,
        step: int,
        initial_rate: float,
        start: int,
        end: int | None,
        min_rate: float = MIN_DEATH_RATE,
    ) -> float:
        """Returns the death rate at optimizer `step` within the update window.

        Args:
            step: the optimizer step.
            initial_rate: rate at the start of the window.
            start: first step of the window.
            end: end of the window (exclusive); `None` (no end) counts as `step`.
            min_rate: rate at the end of the window. Defaults to `0.005`.

        Returns:
            The death rate, a float.
        """
        end = step if end is None else end
        progress = min(max((step - start) / max(end - start, 1), 0.0), 1.0)
        return self.rate_at(progress, initial_rate, min_rate)

    def rate_at(self, progress: float, initial_rate: float, min_rate: float) -> float:
        """Returns the rate at `progress` in [0, 1] through the window."""
        raise NotImplementedError(f"{type(self).__name__} must define `rate_at`.")

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class ConstantDeathRate(DeathRateSchedule):
    """The initial rate throughout (`"constant"`)."""

    needs_end = False

    def rate_at(self, progress: float, initial_rate: float, min_rate: float) -> float:
        return initial_rate


class CosineDeathRate(DeathRateSchedule):
    """Cosine decay from the initial rate to `min_rate` (`"cosine"`, RigL's)."""

    def rate_at(self, progress: float, initial_rate: float, min_rate: float) -> float:
        return min_rate + (initial_rate - min_rate) * (1 + math.cos(math.pi * progress)) / 2


class LinearDeathRate(DeathRateSchedule):
    """Linear decay from the initial rate to `min_rate` (`"linear"`)."""

    def rate_at(self, progress: float, initial_rate: float, min_rate: float) -> float:
        return initial_rate + (min_rate - initial_rate) * progress


DEATH_RATE_SCHEDULES: RuleRegistry[DeathRateSchedule] = RuleRegistry(
    "death_rate_schedule", DeathRateSchedule
)
DEATH_RATE_SCHEDULES.register("constant", ConstantDeathRate())
DEATH_RATE_SCHEDULES.register("cosine", CosineDeathRate())
DEATH_RATE_SCHEDULES.register("linear", LinearDeathRate())


def register_death_rate_schedule(
    name: str,
    schedule: DeathRateSchedule | type[DeathRateSchedule] | None = None,
    *,
    override: bool = False,
) -> DeathRateSchedule | type[DeathRateSchedule] | Callable[[type], type]:
    """Registers a death-rate schedule under `name`, for `DynamicSparsity` and recipes.

    Args:
        name: the name, e.g. `"cosine"`.
        schedule: a `DeathRateSchedule` instance, or a subclass that takes no
            arguments. Defaults to `None`: returns a class decorator.
        override: replace a schedule already registered as `name`.
            Defaults to `False`.

    Returns:
        `schedule`, or a decorator that registers the class it decorates.

    Raises:
        ValueError: if `name` is already registered and not `override`.
        TypeError: if `schedule` is not a `DeathRateSchedule`.

    Example:

    ```python
    @register_death_rate_schedule("step")
    class StepDeathRate(DeathRateSchedule):
        def rate_at(self, progress, initial_rate, min_rate):
            return initial_rate if progress < 0.5 else min_rate

    ftk.DynamicSparsity(death_rate_schedule="step")
    ```
    """
    return DEATH_RATE_SCHEDULES.register(name, schedule, override=override)


def get_death_rate_schedule(schedule: str | DeathRateSchedule) -> DeathRateSchedule:
    """Returns the schedule registered as `schedule` (or `schedule` itself if one).

    Raises:
        ValueError: for an unknown name, naming the registered ones.

    Example:

    ```python
    get_death_rate_schedule("cosine").rate(500, 0.5, start=0, end=1000)  # 0.2525
    ```
    """
    return DEATH_RATE_SCHEDULES.get(schedule)


def death_rate_schedule_names() -> tuple[str, ...]:
    """Returns the names of the registered schedules, e.g. `('constant', 'cosine', 'linear')`."""
    return DEATH_RATE_SCHEDULES.names()
