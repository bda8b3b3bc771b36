"""What `ftk run` prints when a run ends: each ticket's and the ensemble's accuracy, sizes, folder."""

from __future__ import annotations


def print_result(recipe, result, console) -> None:
    """Prints a run's summary: each ticket's and the ensemble's test accuracy, sizes, folder."""
    from rich.table import Table

    table = Table(title=f"{recipe.name}: test accuracy", min_width=44)
    table.add_column("model")
    table.add_column("accuracy", justify="right")
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
        console.print(f"Each ticket: {result.counts}")
    if result.file_sizes:
        console.print("Sizes on disk:\n" + "\n".join(f"  {line}" for line in result.file_sizes.describe()))
    console.print(f"Run directory: {result.run_dir}")
