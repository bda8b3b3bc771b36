"""What `ftk run` prints when a run ends: each ticket's and the ensemble's accuracy, sizes, folder."""

from __future__ import annotations

from ftk.cli.wrapping import print_path, print_wrapped


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
