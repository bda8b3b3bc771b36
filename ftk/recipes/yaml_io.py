"""Recipe YAML: safe, bounded reading and tidy writing.

Reading is total: any text ends in a parsed value or in `path: message`
problems, quickly. Recipes hold plain data, so the reader refuses what plain
data does not need and what makes parsing slow or unsafe: Python tags,
anchors and aliases (`&name`, `*name`: the "billion laughs"), nesting deeper
than `MAX_DEPTH`, text longer than `MAX_CHARS`, numbers too large to hold, and
keys given twice in one mapping.
"""

from __future__ import annotations

import math
from typing import Any

import yaml

from ftk.recipes.errors import RecipeError

#: The longest recipe text read, in characters (the largest shipped recipe has ~1,400).
MAX_CHARS = 16 * 1024
#: The deepest nesting of lists and mappings read (recipes use 2 levels).
MAX_DEPTH = 32
#: The longest integer read, in characters.
MAX_DIGITS = 100

_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"


class _Refused(Exception):
    """YAML that is well formed but not read: `problems` says why."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


class _Loader(yaml.SafeLoader):
    """`yaml.SafeLoader` that refuses anchors and aliases and deep nesting.

    Both are refused while composing, before anything is expanded; the
    problem names the field path of the node.
    """

    def __init__(self, text: str, path: str) -> None:
        super().__init__(text)
        self._path = [path] if path else []
        self._root = len(self._path)

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node:
        if parent is not None:
            self._path.append(_step(index))
        try:
            event = self.peek_event()
            anchor = getattr(event, "anchor", None)
            if anchor is not None:
                mark = "*" if isinstance(event, yaml.AliasEvent) else "&"
                raise _Refused([
                    f"{_where(self._path)}: anchors and aliases (&name, *name) are not allowed "
                    f"in recipes; write the value out ({_line(event)}); received {mark}{anchor}"
                ])
            if len(self._path) - self._root > MAX_DEPTH:
                raise _Refused([
                    f"{_where(self._path)}: nested more than {MAX_DEPTH} levels deep "
                    f"({_line(event)}); recipes hold sections of plain values"
                ])
            return super().compose_node(parent, index)
        finally:
            if parent is not None:
                self._path.pop()


def read_yaml(text: str, source: str = "<recipe>") -> dict[str, Any]:
    """Parses recipe YAML safely (plain data only) and within bounds.

    Args:
        text: The YAML text.
        source: Name of the recipe in error messages. Defaults to `"<recipe>"`.

    Returns:
        The top-level mapping.

    Raises:
        RecipeError: if the text is longer than `MAX_CHARS`, is not valid YAML
            (the message gives the line and column), uses a tag such as
            `!!python/object`, an anchor or alias, nesting deeper than
            `MAX_DEPTH`, a number too large to hold, repeats a key within one
            mapping, or is not a mapping at the top level.
    """
    try:
        data = _parse(text)
    except _Refused as refused:
        raise RecipeError(source, refused.problems) from None
    if not isinstance(data, dict):
        kind = "an empty file" if data is None else f"a {type(data).__name__}"
        raise RecipeError(
            source, [f"(top level): must be a mapping of keys to values; received {kind}"]
        )
    return data


def parse_value(text: str, path: str) -> Any:
    """Parses the YAML value of the field at `path` (a `--set` override).

    Args:
        text: The YAML text of one value, e.g. `"[0.3, 0.6]"`.
        path: The dotted field path, named in problems, e.g. `"training.epochs"`.

    Returns:
        The value (`None` for empty text).

    Raises:
        ValueError: for text that `read_yaml` would refuse; the message names
            `path` and the problem.
    """
    try:
        return _parse(text, path)
    except _Refused as refused:
        raise ValueError("; ".join(refused.problems)) from None


def _parse(text: str, path: str = "") -> Any:
    """Parses one YAML document of plain data within the bounds above.

    Raises:
        _Refused: listing the problems, each `path: message`.
    """
    if len(text) > MAX_CHARS:
        raise _Refused([
            f"{path or '(file)'}: has {len(text):,} characters, more than a recipe needs "
            f"(at most {MAX_CHARS:,})"
        ])
    try:
        loader = _Loader(text, path)  # refuses unprintable characters
        node = loader.get_single_node()
        if node is None:
            return None
        problems = _node_problems(loader, node, [path] if path else [])
        if problems:
            raise _Refused(problems)
        return loader.construct_document(node)
    except yaml.YAMLError as error:
        raise _Refused([_syntax_problem(error, path)]) from None


def _syntax_problem(error: yaml.YAMLError, path: str) -> str:
    mark = getattr(error, "problem_mark", None)
    where = f"{path}: " if path else ""
    where += f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
    reason = getattr(error, "problem", None) or str(error)
    if "constructor for the tag" in reason:
        reason += " (recipes hold plain data; tags like !!python/... are refused)"
    return f"{where}not valid YAML: {reason}"


def _node_problems(loader: _Loader, node: yaml.Node, path: list[str]) -> list[str]:
    """Lists repeated keys and unreadable scalars below `node`.

    `yaml.safe_load` keeps only the last of repeated keys, and reads numbers
    too large for a float as `inf`; both are refused here, with their path.
    """
    problems: list[str] = []
    if isinstance(node, yaml.MappingNode):
        seen: dict[str, int] = {}
        for key, value in node.value:
            name = str(key.value) if isinstance(key, yaml.ScalarNode) else "?"
            where = _where([*path, name])
            if name in seen and name != "?":
                problems.append(
                    f"{where}: duplicate key (line {key.start_mark.line + 1}; "
                    f"first on line {seen[name]}); keep one"
                )
            seen.setdefault(name, key.start_mark.line + 1)
            problem = _scalar_problem(loader, key) if isinstance(key, yaml.ScalarNode) else ""
            if problem:
                problems.append(f"{where}: the key {problem}; received {_text(key.value)}")
            problems += _node_problems(loader, value, [*path, name])
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            problems += _node_problems(loader, item, [*path, _step(index)])
    elif isinstance(node, yaml.ScalarNode):
        problem = _scalar_problem(loader, node)
        if problem:
            problems.append(f"{_where(path)}: {problem}; received {_text(node.value) or repr('')}")
    return problems


def _scalar_problem(loader: _Loader, node: yaml.ScalarNode) -> str:
    if node.tag == _INT and len(node.value) > MAX_DIGITS:
        return f"must be a number of at most {MAX_DIGITS} digits"
    try:
        value = loader.construct_object(node)
    except yaml.YAMLError:
        raise
    except Exception:  # PyYAML's own: `2020-13-45`, `!!int ''`, `!!bool x`, `!!timestamp x`
        return f"is not a valid {node.tag.rpartition(':')[2]}"
    if node.tag == _FLOAT and math.isinf(value) and "inf" not in node.value.lower():
        return "must be a finite number (at most about 1.8e308)"
    return ""


def _step(index: Any) -> str:
    if isinstance(index, int):
        return f"[{index}]"
    if isinstance(index, yaml.ScalarNode):
        return str(index.value)
    return "(key)"


def _where(path: list[str]) -> str:
    return _text(".".join(path).replace(".[", "[")) if path else "(top level)"


def _text(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _line(event: yaml.Event) -> str:
    mark = event.start_mark
    return f"line {mark.line + 1}, column {mark.column + 1}"


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
