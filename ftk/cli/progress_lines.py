"""The lines `RichProgress` prints and shows: formatting only, no state."""

from __future__ import annotations

from rich.text import Text

from ftk.sparse.counts import Counts

FIRST_METRICS = ("loss", "accuracy", "val_loss", "val_accuracy")
"""Metrics an epoch line shows first, in this order; the others follow by name."""


def display_line(text: str | Text, width: int, style: str = "") -> Text:
    """One display line, cut with an ellipsis if it would be wider than `width`."""
    line = Text(text, style=style) if isinstance(text, str) else text
    line.no_wrap, line.overflow = True, "ellipsis"
    line.truncate(width, overflow="ellipsis")
    return line


def run_start_line(event: dict) -> list[str]:
    counts = Counts(event.get("parameters", 0), event.get("trainable", 0), event.get("active", 0),
                    event.get("density", 1.0))
    return [f"{'resuming' if event.get('resumed') else 'starting'} {event.get('protocol')} run "
            f"{event.get('run')}: {event.get('model')} on {event.get('dataset')}", str(counts),
            f"{event.get('members')} tickets, {event.get('total_epochs')} epochs of "
            f"{event.get('steps_per_epoch')} steps"]


def epoch_line(where: str, steps: int, event: dict, density: float | None) -> list[str]:
    """The summary of one epoch: where, steps and time, then every metric."""
    metrics = event.get("metrics") or {}
    names = [k for k in FIRST_METRICS if k in metrics] + sorted(k for k in metrics if k not in FIRST_METRICS)
    parts = [where, f"{steps} steps {duration(event.get('seconds') or 0.0)}"]
    parts += [f"{name} {number(metrics[name])}" for name in names]
    return parts + ([f"density {density:.3f}"] if density is not None else [])


def wrap(parts: list[str], width: int, indent: str = "    ") -> str:
    """Joins `parts` with two spaces, breaking between parts (never inside one) at `width`."""
    lines = [parts[0]]
    for part in parts[1:]:
        if len(lines[-1]) + 2 + len(part) <= width:
            lines[-1] += "  " + part
        else:
            lines.append(indent + part)
    return "\n".join(lines)


def number(value) -> str:
    """A metric as a log shows it: 4 decimals (`nan` for a missing or non-finite value)."""
    try:
        return f"{float(value):.4f}"
    except (TypeError, ValueError):
        return "nan"


def duration(seconds: float, decimals: bool = True) -> str:
    """`3.1s`, `45s`, `2m05s`, `1h02m`."""
    if seconds < 10 and decimals:
        return f"{seconds:.1f}s"
    seconds = round(seconds)
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m{seconds % 60:02d}s"
    return f"{seconds // 3600}h{seconds // 60 % 60:02d}m"
