"""`RecipeError`: every problem of a recipe in one readable message."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import ValidationError

from ftk.recipes._types import RULES_ERROR, show, suggest
from ftk.recipes.protocol_registry import protocol_names
from ftk.recipes.schema import key_locations, section_model

_MAPPING_ERRORS = ("model_type", "model_attributes_type", "dict_type")


class RecipeError(ValueError):
    """A recipe file, override or value is not valid.

    The message starts with the recipe's source (its file path), followed by
    one line per problem, each naming the field path, what is wrong and what
    was received, e.g.
    `sparsity.density: must be in (0, 1]; received 1.5`.

    Args:
        source: Where the recipe came from, usually its file path.
        problems: One message per problem, each starting with a field path.

    Attributes:
        source: As given.
        problems: The problems, as a tuple of strings.

    Example:

    ```python
    try:
        recipe = ftk.recipes.load_recipe("my_recipe.yaml")
    except ftk.recipes.RecipeError as error:
        print(error)  # my_recipe.yaml: invalid recipe (1 problem): ...
    ```
    """

    def __init__(self, source: str, problems: Sequence[str]) -> None:
        self.source = str(source)
        self.problems = tuple(problems)
        count = len(self.problems)
        header = f"{self.source}: invalid recipe ({count} problem{'s' if count != 1 else ''}):"
        super().__init__("\n".join([header, *(f"  {p}" for p in self.problems)]))

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.source, self.problems))


class RecipeNotFoundError(RecipeError, FileNotFoundError):
    """No recipe file at the given path, and no shipped recipe of that name.

    A `RecipeError` (so `except RecipeError` catches every recipe problem) and
    a `FileNotFoundError` (what a missing file raises elsewhere in Python).
    """


def validation_problems(error: ValidationError) -> list[str]:
    """Turns pydantic's `ValidationError` into `path: message` lines.

    Args:
        error: Raised by `Recipe.model_validate`.

    Returns:
        One line per problem, in the order pydantic found them.
    """
    lines: list[str] = []
    for item in error.errors(include_url=False):
        loc = tuple(str(part) for part in item["loc"])
        if item["type"] == RULES_ERROR:
            for line in item["msg"].splitlines():
                relative, _, message = line.partition(": ")
                lines.append(f"{_dotted((*loc, relative))}: {message}")
        else:
            lines.append(f"{_dotted(loc)}: {_message(item, loc)}")
    return lines


def unknown_key_hint(key: str, valid: Sequence[str]) -> str:
    """Suggests a close valid key, the section that has `key`, or lists the valid keys."""
    close = suggest(key, valid)
    if close:
        return close
    elsewhere = key_locations(key)
    if elsewhere:
        return f"; did you mean {' or '.join(map(repr, elsewhere))}?"
    return f"; valid keys: {', '.join(valid)}"


def _dotted(loc: Sequence[str]) -> str:
    return ".".join(loc) if loc else "(top level)"


def _message(item: Any, loc: tuple[str, ...]) -> str:
    kind, received = item["type"], show(item.get("input"))
    if kind == "missing":
        hint = f"; one of {', '.join(map(repr, protocol_names()))}" if loc == ("protocol",) else ""
        return f"required, but missing{hint}"
    if kind == "extra_forbidden":
        model = section_model(loc[:-1])
        keys = list(model.model_fields) if model is not None else []
        return f"unknown key {loc[-1]!r}{unknown_key_hint(loc[-1], keys)}"
    if kind in _MAPPING_ERRORS:
        return f"must be a mapping of keys to values; received {received}"
    if kind.startswith("ftk_"):
        return str(item["msg"])
    return f"{item['msg']}; received {received}"
