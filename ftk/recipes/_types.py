"""Field types of the recipe schema: strict values with readable error messages.

Each validator accepts exactly the values a recipe may hold (no silent
coercion of `"12"` to `12` or of `true` to `1`) and otherwise raises an error
whose message reads `must be in (0, 1]; received 1.5`; the loader prefixes it
with the field path. The `Annotated` aliases at the end are the field types.
Pure Python: nothing here imports TensorFlow or Keras.
"""

from __future__ import annotations

import difflib
import math
import numbers
import re
from collections.abc import Callable, Iterable, Sequence
from typing import Annotated, Any, NoReturn, get_args

from pydantic import PlainValidator
from pydantic_core import PydanticCustomError

#: Error type of a failed field check; its message is shown as is.
VALUE_ERROR = "ftk_value"
#: Error type of failed cross-field rules: one `relative.path: message` per line.
RULES_ERROR = "ftk_rules"

# PyYAML reads `5e-4` (no dot) as a string; such text is accepted as a number.
_NUMBER_TEXT = re.compile(r"[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?")

#: The largest count a recipe may hold: TensorFlow and Keras take counts as int32.
MAX_COUNT = 2**31 - 1
#: The largest seed: numpy and `keras.utils.set_random_seed` take seeds in [0, 2**32).
MAX_SEED = 2**32 - 1
#: The most epochs of one run (the paper's longest run has 450): more is a typo.
MAX_EPOCHS = 100_000
#: The most ensemble members (the paper uses up to 16): more is a typo.
MAX_MEMBERS = 1_000
SEED_RANGE = " (numpy and keras.utils.set_random_seed take seeds below 2**32)"
_EPOCHS_BOUND = " (a sanity bound: the paper's longest run has 450)"


def show(value: Any, limit: int = 80) -> str:
    """Renders a received value the way a YAML file spells it (`null`, `true`, `'text'`)."""
    if value is None:
        text = "null"
    elif isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, str):
        text = repr(value)
    elif isinstance(value, (list, tuple)):
        text = "[" + ", ".join(show(item) for item in value) + "]"
    elif isinstance(value, dict):
        text = "{" + ", ".join(f"{key}: {show(item)}" for key, item in value.items()) + "}"
    else:
        try:
            text = repr(value)
        except ValueError:  # an integer of more than 4300 digits
            text = f"an integer of {value.bit_length():,} bits"
    return text if len(text) <= limit else text[: limit - 3] + "..."


def suggest(word: str, options: Iterable[str]) -> str:
    """Returns `"; did you mean 'x'?"` for the closest option, or `""`."""
    close = difflib.get_close_matches(word, list(options), n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""


def fail(message: str) -> NoReturn:
    """Raises the validation error of one field with `message`."""
    raise PydanticCustomError(VALUE_ERROR, "{message}", {"message": message})


def fail_rules(problems: Sequence[tuple[str, str]]) -> NoReturn:
    """Raises one error holding several `(path, message)` cross-field problems."""
    text = "\n".join(f"{path}: {message}" for path, message in problems)
    raise PydanticCustomError(RULES_ERROR, "{problems}", {"problems": text})


def _interval(low: float | None, high: float | None, low_open: bool, high_open: bool) -> str:
    if high is None:
        return f"must be {'>' if low_open else '>='} {low:g}"
    if low is None:
        return f"must be {'<' if high_open else '<='} {high:g}"
    return f"must be in {'(' if low_open else '['}{low:g}, {high:g}{')' if high_open else ']'}"


def _outside(x: float, low: float | None, high: float | None, lo_open: bool, hi_open: bool) -> bool:
    below = low is not None and (x <= low if lo_open else x < low)
    above = high is not None and (x >= high if hi_open else x > high)
    return below or above


def _as_number(value: Any) -> float:
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        try:
            number = float(value)
        except OverflowError:  # an integer beyond the float range
            number = math.inf
    elif isinstance(value, str) and _NUMBER_TEXT.fullmatch(value.strip()):
        number = float(value)
    else:
        fail(f"must be a number; received {show(value)}")
    if not math.isfinite(number):
        fail(f"must be a finite number; received {show(value)}")
    return number


def within(
    low: float | None = None,
    high: float | None = None,
    *,
    low_open: bool = False,
    high_open: bool = False,
) -> PlainValidator:
    """Validates a float within `[low, high]` (ends open where `low_open` / `high_open`)."""
    rule = _interval(low, high, low_open, high_open)

    def check(value: Any) -> float:
        result = _as_number(value)
        if _outside(result, low, high, low_open, high_open):
            fail(f"{rule}; received {show(value)}")
        return result

    return PlainValidator(check)


def whole(
    minimum: int, maximum: int = MAX_COUNT, *, optional: bool = False, why: str = ""
) -> PlainValidator:
    """Validates an integer in `[minimum, maximum]`; `optional` also accepts `null`.

    `why` explains the maximum in the message, e.g. `" (numpy's seed range)"`.
    """

    def check(value: Any) -> int | None:
        if value is None and optional:
            return None
        if not isinstance(value, numbers.Integral) or isinstance(value, bool):
            fail(f"must be an integer{' or null' if optional else ''}; received {show(value)}")
        if value < minimum:
            fail(f"must be >= {minimum}; received {show(value)}")
        if value > maximum:
            fail(f"must be <= {maximum}{why}; received {show(value)}")
        return int(value)

    return PlainValidator(check)


def flag(*, optional: bool = False) -> PlainValidator:
    """Validates `true` / `false`; `optional` also accepts `null`."""

    def check(value: Any) -> bool | None:
        if value is None and optional:
            return None
        if not isinstance(value, bool):
            fail(f"must be true or false{' or null' if optional else ''}; received {show(value)}")
        return value

    return PlainValidator(check)


def string(*, optional: bool = False, pattern: str = "", rule: str = "") -> PlainValidator:
    """Validates a string, optionally matching `pattern` (described by `rule`)."""
    compiled = re.compile(pattern) if pattern else None

    def check(value: Any) -> str | None:
        if value is None and optional:
            return None
        if not isinstance(value, str):
            fail(f"must be a string{' or null' if optional else ''}; received {show(value)}")
        if compiled is not None and not compiled.fullmatch(value):
            fail(f"{rule}; received {show(value)}")
        return value

    return PlainValidator(check)


def one_of(literal: Any) -> PlainValidator:
    """Validates one of the strings of the `Literal` type `literal`."""
    options: tuple[str, ...] = get_args(literal)
    return registered(lambda: options)


def registered(names: Callable[[], Sequence[str]]) -> PlainValidator:
    """Validates one of the strings `names()` returns when the value is validated.

    For choices that grow at run time, such as the rule registries of
    `ftk.sparse`: a rule registered after this module is imported is accepted.
    The message is `one_of`'s, with the closest name suggested.
    """

    def check(value: Any) -> str:
        options = tuple(names())
        if not isinstance(value, str) or value not in options:
            allowed = ", ".join(repr(option) for option in options)
            hint = suggest(value, options) if isinstance(value, str) else ""
            fail(f"must be one of {allowed}; received {show(value)}{hint}")
        return value

    return PlainValidator(check)


def _one_line(value: Any) -> str:
    if not isinstance(value, str):
        fail(f"must be a string; received {show(value)}")
    if "\n" in value.strip():
        fail(f"must be one line; received {show(value)}")
    return value.strip()


def _strings(value: Any) -> tuple[str, ...]:
    if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
        fail(f"must be a list of strings; received {show(value)}")
    return tuple(value)


def _fractions(value: Any) -> tuple[float, ...]:
    rule = "must be a strictly increasing list of numbers, each in (0, 1)"
    if not isinstance(value, (list, tuple)):
        fail(f"{rule}; received {show(value)}")
    items = tuple(_as_number(item) for item in value)
    if any(not 0.0 < x < 1.0 for x in items) or any(a >= b for a, b in zip(items, items[1:])):
        fail(f"{rule}; received {show(value)}")
    return items


Text = Annotated[str, string()]
RunName = Annotated[
    str,
    string(
        pattern=r"(?!\.{1,2}$)[A-Za-z0-9_.-]+",
        rule="must be a folder name of letters, digits, '_', '.' and '-'",
    ),
]
OptionalText = Annotated[str | None, string(optional=True)]
OneLine = Annotated[str, PlainValidator(_one_line)]
TextList = Annotated[tuple[str, ...], PlainValidator(_strings)]
Bool = Annotated[bool, flag()]
OptionalBool = Annotated[bool | None, flag(optional=True)]
Count = Annotated[int, whole(0)]
PositiveCount = Annotated[int, whole(1)]
OptionalPositiveCount = Annotated[int | None, whole(1, optional=True)]
Seed = Annotated[int, whole(0, MAX_SEED, why=SEED_RANGE)]
Epochs = Annotated[int, whole(1, MAX_EPOCHS, why=_EPOCHS_BOUND)]
EpochCount = Annotated[int, whole(0, MAX_EPOCHS, why=_EPOCHS_BOUND)]
Members = Annotated[int, whole(1, MAX_MEMBERS, why=" (each member is a full training run)")]
Fraction = Annotated[float, within(0, 1, high_open=True)]  # [0, 1)
OpenFraction = Annotated[float, within(0, 1, low_open=True, high_open=True)]  # (0, 1)
UnitFraction = Annotated[float, within(0, 1, low_open=True)]  # (0, 1]
Positive = Annotated[float, within(0, low_open=True)]  # > 0
NonNegative = Annotated[float, within(0)]  # >= 0
Fractions = Annotated[tuple[float, ...], PlainValidator(_fractions)]
