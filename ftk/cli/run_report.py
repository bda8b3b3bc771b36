"""What `ftk run` prints when a run ends: each ticket's and the ensemble's accuracy, sizes, folder."""

from __future__ import annotations

import textwrap
from collections.abc import Sequence


def print_result(recipe, result, console) -> None:
    """Prints a run's summary: each ticket's and the ensemble's test accuracy, sizes, folder."""
    from rich.table import Table

    table = Table(title=f"{recipe.name}: test accuracy", min_width=min(44, console.width))
    table.add_column("model", no_wrap=True)
    table.add_column("accuracy", justify="right", no_wrap=True)
    # Members are tickets, unless a ticket stands for several (MC dropout's passes).
    unit = "ticket" if len(result.tickets) == len(result.member_accuracy) else "member"
    names = [p.stem.split("_")[-1] for p in result.tickets] if unit == "ticket" else []
    for index, accuracy in enumerate(result.member_accuracy):
        table.add_row(f"{unit} {names[index] if names else index}", f"{accuracy:.4f}")
    if result.ensemble:
        e = result.ensemble
        table.add_row("[bold]ensemble[/]", f"[bold]{e['accuracy']:.4f}[/]")
        table.caption = f"ensemble NLL {e['nll']:.4f}, ECE {e['ece']:.4f}"
    console.print(table)
    if result.counts:
        print_wrapped(console, [f"Each ticket: {result.counts}"])
    if result.file_sizes:
        print_wrapped(console, result.file_sizes.describe(), "Sizes on disk:")
    print_path(console, "Run directory:", result.run_dir)


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
        wrapped = textwrap.wrap(line, width=max(console.width, 20), initial_indent=indent,
                                subsequent_indent=indent + "    ", break_on_hyphens=False) or [""]
        for part in wrapped:
            console.print(part, style=style, markup=False, highlight=False, soft_wrap=True)
