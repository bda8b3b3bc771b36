"""Text folded at the terminal's width between words, never inside a command to copy."""

from __future__ import annotations

import re
from collections.abc import Sequence

# A word, or a run of words in backticks (a command to copy), with what is glued to it.
_ATOM = re.compile(r"(?:`[^`]*`|[^\s`])+|`")


def print_message(console, label: str, style: str, text: str) -> None:
    """Prints `label text` folded by `wrap_words`: the label in `style`, the text as is (no markup).

    Line breaks in `text` are kept, and so is the indent of each of its lines.

    Args:
        console: a `rich.console.Console`.
        label: the first word(s), e.g. `"error:"`.
        style: a rich style for the label, e.g. `"bold red"`.
        text: plain text; brackets in it are shown, not read as markup.

    Example:

    ```python
    print_message(Console(stderr=True), "error:", "bold red", f"ValueError: {error}")
    ```
    """
    from rich.text import Text

    width = max(console.width, 20)
    lines: list[str] = []
    for paragraph in f"{label} {text}".rstrip().split("\n"):
        indent = paragraph[:len(paragraph) - len(paragraph.lstrip())]
        lines += wrap_words(paragraph, width, indent, indent + "    ")
    first = Text.assemble((label, style), lines[0][len(label):]) if lines[0].startswith(label) else lines[0]
    for line in [first, *lines[1:]]:
        console.print(line, soft_wrap=True, markup=False, highlight=False)


def print_path(console, label: str, path) -> None:
    """Prints `label path` on one line, or the path alone below, folded at the width (easy to copy)."""
    line = f"{label} {path}"
    if len(line) > console.width:
        console.print(label, markup=False, highlight=False)
        line = str(path)
    console.print(line, markup=False, highlight=False, overflow="fold")


def print_wrapped(console, lines: Sequence[str], heading: str | None = None, style: str = "") -> None:
    """Prints `lines` wrapped at the console's width between words, continuations indented.

    Args:
        console: a `rich.console.Console`.
        lines: the lines (plain text, no markup).
        heading: a line above them; when given, `lines` are indented by two
            spaces under it. Defaults to `None`.
        style: a rich style for `lines`, e.g. `"dim"`. Defaults to none.

    Example:

    ```python
    print_wrapped(Console(width=40), ["tickets: 3 x 1.05 MB = 3.14 MB, 0.27x one dense model"],
                  "Sizes on disk:")
    # Sizes on disk:
    #   tickets: 3 x 1.05 MB = 3.14 MB, 0.27x
    #       one dense model
    ```
    """
    indent = "  " if heading else ""
    if heading:
        console.print(heading, markup=False, highlight=False)
    for line in lines:
        for part in wrap_words(line, max(console.width, 20), indent, indent + "    "):
            console.print(part, style=style, markup=False, highlight=False, soft_wrap=True)


def wrap_words(text: str, width: int, indent: str = "", subsequent_indent: str = "    ") -> list[str]:
    """Breaks `text` into lines of at most `width` between words, never inside backticks.

    A command in backticks stays on one line so that it can be copied; a word or command
    longer than the width gets a line of its own.

    Args:
        text: plain text.
        width: the most characters per line.
        indent: put before the first line. Defaults to none.
        subsequent_indent: put before the other lines. Defaults to four spaces.

    Returns:
        The lines (one empty line for empty text).

    Example:

    ```python
    wrap_words("train with `--set run.record_every=1` and run it again", 30)
    # ['train with', '    `--set run.record_every=1`', '    and run it again']
    ```
    """
    lines: list[str] = []
    current = indent
    for atom in _ATOM.findall(text):
        fresh = current == (subsequent_indent if lines else indent)
        if fresh or len(current) + 1 + len(atom) <= width:
            current += atom if fresh else " " + atom
        else:
            lines.append(current)
            current = subsequent_indent + atom
    lines.append(current)
    return lines
