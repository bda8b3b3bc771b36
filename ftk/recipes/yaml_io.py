"""Recipe YAML: safe reading (no Python tags, no duplicate keys) and tidy writing."""

from __future__ import annotations

from typing import Any

import yaml

from ftk.recipes.errors import RecipeError


def read_yaml(text: str, source: str = "<recipe>") -> dict[str, Any]:
    """Parses recipe YAML safely (`yaml.safe_load`: plain data, no Python tags).

    Args:
        text: The YAML text.
        source: Name of the recipe in error messages. Defaults to `"<recipe>"`.

    Returns:
        The top-level mapping.

    Raises:
        RecipeError: if the text is not valid YAML (the message gives the line
            and column), uses a tag such as `!!python/object`, repeats a key
            within one mapping, or is not a mapping at the top level.
    """
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        reason = getattr(error, "problem", None) or str(error)
        if "constructor for the tag" in reason:
            reason += " (recipes hold plain data; tags like !!python/... are refused)"
        raise RecipeError(source, [f"{where}not valid YAML: {reason}"]) from None
    duplicates = _duplicate_keys(yaml.compose(text, Loader=yaml.SafeLoader))
    if duplicates:
        raise RecipeError(source, duplicates)
    if not isinstance(data, dict):
        kind = "an empty file" if data is None else f"a {type(data).__name__}"
        raise RecipeError(
            source, [f"(top level): must be a mapping of keys to values; received {kind}"]
        )
    return data


def _duplicate_keys(node: yaml.Node | None, path: str = "") -> list[str]:
    """Lists keys given twice in one mapping (`yaml.safe_load` keeps only the last)."""
    problems: list[str] = []
    if isinstance(node, yaml.MappingNode):
        seen: dict[str, int] = {}
        for key, value in node.value:
            name = str(key.value)
            where = f"{path}.{name}" if path else name
            if name in seen:
                problems.append(
                    f"{where}: duplicate key (line {key.start_mark.line + 1}; "
                    f"first on line {seen[name]}); keep one"
                )
            seen.setdefault(name, key.start_mark.line + 1)
            problems += _duplicate_keys(value, where)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            problems += _duplicate_keys(item, f"{path}[{index}]")
    return problems


class _Dumper(yaml.SafeDumper):
    """Block style for sections, flow style (`[0.5, 0.75]`) for lists."""


_Dumper.add_representer(
    list, lambda dumper, data: dumper.represent_sequence("tag:yaml.org,2002:seq", data, True)
)


def to_yaml(data: dict[str, Any]) -> str:
    """Writes plain data as YAML: keys in the given order, lists inline.

    Args:
        data: Nested dicts, lists and scalars.

    Returns:
        YAML text that `read_yaml` reads back to `data`.
    """
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True)
