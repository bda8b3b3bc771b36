"""`--set PATH=VALUE` overrides, applied to a recipe mapping before validation."""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from typing import Any

from ftk.recipes._types import show
from ftk.recipes.errors import RecipeError, unknown_key_hint
from ftk.recipes.schema import section_model
from ftk.recipes.yaml_io import parse_value


def parse_override(text: str) -> tuple[tuple[str, ...], Any]:
    """Splits `"training.lr_milestones=[0.3,0.6]"` into its key path and value.

    The value is read as YAML, as in a recipe file (`read_yaml`), so `5`,
    `0.1`, `5e-4`, `true`, `null`, `[0.3, 0.6]` and plain words (`cifar100`)
    all mean what they mean there.

    Args:
        text: One override, `PATH=VALUE`.

    Returns:
        `(keys, value)`, e.g. `(("data", "name"), "cifar100")`.

    Raises:
        ValueError: if `text` has no `=`, an empty key, or a value that a
            recipe file could not hold (invalid YAML, an alias, deep nesting,
            a number too large).

    Example:

    ```python
    parse_override("ensemble.members=5")  # (("ensemble", "members"), 5)
    ```
    """
    path, equals, raw = text.partition("=")
    if not equals:
        raise ValueError("expected PATH=VALUE, e.g. 'data.name=cifar100'")
    keys = tuple(key.strip() for key in path.strip().split("."))
    if not all(keys):
        raise ValueError(f"the path {path.strip()!r} has an empty key")
    return keys, parse_value(raw, ".".join(keys))


def apply_overrides(
    data: Mapping[str, Any], overrides: Sequence[str], source: str = "<recipe>"
) -> dict[str, Any]:
    """Returns a copy of the recipe mapping `data` with `overrides` applied.

    Each override sets one key, creating the sections on its path when the
    recipe leaves them out; later overrides win. Only keys of the schema may
    be set; the result is validated later, with the rest of the recipe.

    Args:
        data: The recipe as read from YAML.
        overrides: `PATH=VALUE` strings, e.g. `["data.name=cifar100"]`.
        source: Name of the recipe in error messages. Defaults to `"<recipe>"`.

    Returns:
        A new mapping; `data` is not changed.

    Raises:
        RecipeError: listing every override that is malformed or names a key
            the schema does not have.

    Example:

    ```python
    data = apply_overrides(data, ["ensemble.members=5", "training.epochs=450"])
    ```
    """
    result: dict[str, Any] = copy.deepcopy(dict(data))
    problems: list[str] = []
    for text in overrides:
        try:
            keys, value = parse_override(text)
            _check_path(keys)
        except ValueError as error:
            problems.append(f"--set {show(text)}: {error}")
            continue
        node = result
        for key in keys[:-1]:
            if not isinstance(node.get(key), dict):
                node[key] = {}
            node = node[key]
        node[keys[-1]] = value
    if problems:
        raise RecipeError(source, problems)
    return result


def _check_path(keys: tuple[str, ...]) -> None:
    for depth, key in enumerate(keys):
        parent = keys[:depth]
        model = section_model(parent)
        if model is None:
            where = ".".join(parent)
            raise ValueError(f"'{where}' is a value, not a section: it has no key {key!r}")
        valid = list(model.model_fields)
        if key not in valid:
            where = f"in '{'.'.join(parent)}'" if parent else "at the top level"
            hint = unknown_key_hint(key, valid)
            if "valid keys" not in hint:
                hint += f"; valid keys: {', '.join(valid)}"
            raise ValueError(f"unknown key {key!r} {where}{hint}")
