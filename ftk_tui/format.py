"""Plain-text formatting of numbers, durations and events for the monitor.

Every function here takes any value an event may hold (`None`, NaN, infinities,
`10**400`, strings, lists) and returns text; what is not a number it can show
becomes a dash.
"""

from __future__ import annotations

from typing import Any

from ftk_tui.events import by_event_type
from ftk_tui.records import FIELD_ERRORS, Phase, as_finite, as_float, as_whole

DASH = "–"
MAX_DAYS = 9999
"""Longer durations read `>9999d`."""


def duration(seconds: Any) -> str:
    """Formats a duration compactly: `42s`, `12m05s`, `3h05m`, `2d03h`.

    Args:
        seconds: The duration, or `None` when unknown.

    Returns:
        The text; a dash when `seconds` is not a finite, non-negative number, and
        `>9999d` beyond 9999 days.
    """
    seconds = as_finite(seconds)
    if seconds is None or seconds < 0:
        return DASH
    if seconds >= (MAX_DAYS + 1) * 86400:
        return f">{MAX_DAYS}d"
    whole = int(round(seconds))
    if whole < 60:
        return f"{whole}s"
    if whole < 3600:
        return f"{whole // 60}m{whole % 60:02d}s"
    if whole < 86400:
        return f"{whole // 3600}h{whole % 3600 // 60:02d}m"
    return f"{whole // 86400}d{whole % 86400 // 3600:02d}h"


def number(value: Any, digits: int = 3) -> str:
    """Formats a float with `digits` decimals, or a dash when it is not a number."""
    value = as_float(value)
    if value is None:
        return DASH
    return f"{value:.{digits}f}"


def percent(value: Any, digits: int = 1) -> str:
    """Formats a fraction as a percentage, or a dash when it is not a number."""
    value = as_float(value)
    if value is None:
        return DASH
    return f"{100 * value:.{digits}f}%"


def count(value: Any) -> str:
    """Formats a whole number with thousands separators, or a dash when it is none."""
    whole = as_whole(value)
    if whole is None:
        return DASH
    return f"{whole:,}"


def bar(fraction: Any, width: int = 10) -> str:
    """Draws `fraction` (0 to 1) as a bar of `width` cells in eighths; blank when it
    is not a finite number."""
    fraction = as_finite(fraction)
    if fraction is None:
        return " " * width
    eighths = round(max(0.0, min(1.0, fraction)) * width * 8)
    full, rest = divmod(eighths, 8)
    partial = " ▏▎▍▌▋▊▉"[rest] if rest and full < width else ""
    return ("█" * full + partial).ljust(width, "·")[:width]


def clock_offset(t: Any, t0: Any) -> str:
    """Formats `t` as `+H:MM:SS` after the run's first event time `t0`."""
    t, t0 = as_finite(t), as_finite(t0)
    if t is None or t0 is None or as_finite(t - t0) is None:
        return "+?:??:??"
    seconds = max(0, int(t - t0))
    return f"+{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


def event_line(event: dict[str, Any], t0: float | None) -> str:
    """Formats one event as a line of the event log.

    Args:
        event: The decoded event.
        t0: Time of the run's first event; lines show the time since it.

    Returns:
        The line; events with unexpected fields still give a line.
    """
    kind = str(event.get("type", "?"))
    try:
        detail = _DETAILS[kind](event) if kind in _DETAILS else ""
    except FIELD_ERRORS:
        detail = "(unexpected fields)"
    return f"{clock_offset(event.get('t'), t0)} {kind:<15} {detail}".rstrip()


def _run_start(e: dict[str, Any]) -> str:
    return (
        f"{e.get('run', '')} · {e.get('protocol', '')} · {e.get('model', '')} · "
        f"{e.get('dataset', '')} · density {e.get('density')} · {e.get('members')} members"
        + (" (resumed)" if e.get("resumed") else "")
    )


def _phase_start(e: dict[str, Any]) -> str:
    name = Phase.from_event(e).label
    return f"{name} · member {e.get('member')} · epoch {e.get('epoch')} · step {count(e.get('step'))}"


def _epoch_end(e: dict[str, Any]) -> str:
    metrics = e.get("metrics") or {}
    parts = [f"m{e.get('member')} epoch {e.get('epoch')} ({e.get('global_epoch')})"]
    for key, label in (("loss", "loss"), ("accuracy", "acc"), ("val_accuracy", "val_acc")):
        if as_float(metrics.get(key)) is not None:
            parts.append(f"{label} {number(metrics[key], 4)}")
    if as_float(e.get("seconds")) is not None:
        parts.append(duration(e["seconds"]))
    return " ".join(parts)


def _topology_update(e: dict[str, Any]) -> str:
    return (
        f"step {count(e.get('step'))} {e.get('kind')} rate {number(e.get('rate'), 2)} "
        f"turnover {percent(e.get('turnover'))} -{count(e.get('pruned'))} +{count(e.get('grown'))}"
    )


def _ticket_saved(e: dict[str, Any]) -> str:
    return (
        f"#{e.get('index')} member {e.get('member')} epoch {e.get('epoch')} "
        f"val {number(e.get('val_accuracy'), 4)} test {number(e.get('test_accuracy'), 4)}"
    )


def _ensemble_eval(e: dict[str, Any]) -> str:
    return (
        f"{e.get('members')} members acc {number(e.get('accuracy'), 4)} "
        f"nll {number(e.get('nll'), 4)} ece {number(e.get('ece'), 4)} ({e.get('source')})"
    )


def _checkpoint(e: dict[str, Any]) -> str:
    return f"member {e.get('member')} epoch {e.get('epoch')} {e.get('path', '')}"


def _run_end(e: dict[str, Any]) -> str:
    error = e.get("error")
    return f"{e.get('status')}" + (f": {str(error).splitlines()[0]}" if error else "")


_DETAILS = by_event_type(
    _run_start, _phase_start, _epoch_end, _topology_update, _ticket_saved, _ensemble_eval, _checkpoint, _run_end
)
