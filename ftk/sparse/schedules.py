"""Death-rate schedules: the fraction of active weights replaced per update."""

from __future__ import annotations

import math
from typing import Literal

DeathRateSchedule = Literal["constant", "cosine", "linear"]
SCHEDULES: tuple[str, ...] = ("constant", "cosine", "linear")

#: Floor of the cosine and linear schedules, as in the official code.
MIN_DEATH_RATE = 0.005


def death_rate_at(
    step: int,
    initial_rate: float,
    schedule: DeathRateSchedule,
    start: int,
    end: int,
    min_rate: float = MIN_DEATH_RATE,
) -> float:
    """Returns the death rate at optimizer `step` within the update window.

    With t = step - start and T = end - start:
    - `constant`: initial_rate;
    - `cosine`: min_rate + (initial_rate - min_rate) * (1 + cos(pi * t / T)) / 2;
    - `linear`: initial_rate + (min_rate - initial_rate) * t / T.

    Args:
        step: the optimizer step.
        initial_rate: rate at the start of the window.
        schedule: one of `"constant"`, `"cosine"`, `"linear"`.
        start: first step of the update window.
        end: last step of the update window (exclusive).
        min_rate: rate at the end of the window. Defaults to `0.005`.

    Returns:
        The death rate, a float.
    """
    if schedule == "constant":
        return initial_rate
    progress = min(max((step - start) / max(end - start, 1), 0.0), 1.0)
    if schedule == "cosine":
        return min_rate + (initial_rate - min_rate) * (1 + math.cos(math.pi * progress)) / 2
    if schedule == "linear":
        return initial_rate + (min_rate - initial_rate) * progress
    raise ValueError(
        f"`death_rate_schedule` must be one of {SCHEDULES}. Received: {schedule!r}"
    )
