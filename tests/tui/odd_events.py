"""Odd event values for the robustness tests of the monitor, and what the app draws from a state."""

from __future__ import annotations

import json
import math
from typing import Any

from ftk_tui import format as fmt
from ftk_tui.events import EVENT_TYPES, decode_lines
from ftk_tui.state import RunState
from ftk_tui.widgets.ensemble_table import EnsembleTable
from ftk_tui.widgets.layer_table import LayerTable
from ftk_tui.widgets.run_header import RunHeader
from ftk_tui.widgets.tickets_table import TicketsTable
from ftk_tui.widgets.topology_timeline import _summary
from ftk_tui.widgets.training_curves import _series
from tests.tui.conftest import T0

HUGE = 10**400
"""An int JSON allows that no float holds."""

ODD_VALUES: list[Any] = [
    None, True, False, 0, -1, 2**63, -(2**63) - 1, HUGE, -HUGE, 1e308, -1e308, 5e-324,
    math.inf, -math.inf, math.nan, 0.5, "", "12", "nan", "[/]", "[bold]x", "\n", "x" * 500,
    [], [1, "a", None], {}, {"type": "run_end"}, {"a": {"b": [math.inf, {"c": HUGE}]}},
    [[[[[]]]]],
]  # fmt: skip

FIELDS = (
    "t", "schema", "run", "protocol", "model", "dataset", "density", "members", "epochs",
    "total_epochs", "steps_per_epoch", "resumed", "recipe", "layers", "member", "phase", "index",
    "of", "epoch", "global_epoch", "step", "lr", "metrics", "seconds", "kind", "rate", "pruned",
    "grown", "turnover", "path", "val_accuracy", "test_accuracy", "accuracy", "nll", "ece",
    "member_accuracy", "source", "status", "error", "summary",
)  # fmt: skip
"""Every field the monitor reads, of every event type."""

LAYER_FIELDS = ("name", "shape", "density", "size", "active", "pruned", "grown", "turnover")


def json_line(event: dict[str, Any]) -> bytes:
    """`event` as one JSON line (without the newline); NaN and infinities allowed."""
    return json.dumps(event, allow_nan=True).encode()


def through_json(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The events as the reader decodes them from their JSON lines."""
    decoded, malformed = decode_lines([json_line(e) for e in events])
    assert malformed == 0
    return decoded


def render_all(state: RunState, now: float = T0 + 100) -> list[str]:
    """Every text the run view and the run list draw from `state`."""
    texts = [*state.log_lines(), state.phase_label, str(state.status(now))]
    texts += [fmt.duration(state.elapsed(now)), fmt.duration(state.eta()), fmt.number(state.best_accuracy)]
    texts += [RunHeader._details(state), RunHeader._position(state), _summary(state)]
    for table in (LayerTable, TicketsTable, EnsembleTable):
        texts += [cell for row in table.state_rows(None, state) for cell in row]  # type: ignore[arg-type]
    for metric in ("loss", "accuracy", "val_loss", "val_accuracy"):
        _, xs, ys = _series(list(state.history), metric, metric)
        assert all(math.isfinite(v) for v in (*xs, *ys))
    return texts


def odd_events() -> list[dict[str, Any]]:
    """Every event type with every field set to each odd value in turn."""
    events = []
    for type_ in sorted(EVENT_TYPES):
        for value in ODD_VALUES:
            events.append({"type": type_, **{name: value for name in FIELDS}})
            layer = {name: value for name in LAYER_FIELDS}
            events.append({"type": type_, "t": T0, "layers": [layer, value], "metrics": {"loss": value}})
    return events
