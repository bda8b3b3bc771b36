"""`UpdateWindow`: at which optimizer steps topology updates happen."""

from __future__ import annotations

import dataclasses


@dataclasses.dataclass(frozen=True)
class UpdateWindow:
    """Updates at every multiple of `frequency` in `[start, end)`.

    Attributes:
        frequency: optimizer steps between updates.
        start: first step of the window.
        end: end of the window (exclusive), or `None` for no end.
    """

    frequency: int
    start: int
    end: int | None

    @classmethod
    def resolve(
        cls, frequency: int, start: float | int, end: float | int, total_steps: int | None
    ) -> UpdateWindow:
        """Builds the window from fractions of training (floats) or steps (ints).

        Raises:
            ValueError: for a fraction outside [0, 1], or a fraction other than
                0 and 1 when `total_steps` is unknown.
        """

        def to_step(value, name):
            if not isinstance(value, float):
                return int(value)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"`{name}` as a fraction must be in [0, 1]. Received: {name}={value}")
            if total_steps is not None:
                return round(value * total_steps)
            if value in (0.0, 1.0):
                return 0 if value == 0.0 else None
            raise ValueError(
                f"`{name}={value}` is a fraction of training, but the number of steps is "
                "unknown. Pass `total_steps=` to DynamicSparsity or `steps_per_epoch=` to fit."
            )

        return cls(frequency, to_step(start, "update_start"), to_step(end, "update_end"))

    def last_update_in(self, after: int, upto: int) -> int | None:
        """Returns the last update step in `(after, upto]`, or `None` if there is none."""
        boundary = upto // self.frequency * self.frequency
        if boundary <= after or boundary < self.start or (self.end is not None and boundary >= self.end):
            return None
        return boundary
