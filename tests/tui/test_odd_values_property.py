"""Property test: any events, with any JSON values in the fields the monitor reads,
fold and render without raising (hypothesis)."""

from __future__ import annotations

from typing import Any

import pytest

from ftk_tui.events import EVENT_TYPES
from ftk_tui.state import fold
from tests.tui.conftest import edst_events
from tests.tui.odd_events import FIELDS, HUGE, LAYER_FIELDS, render_all, through_json

hypothesis = pytest.importorskip("hypothesis")
st = hypothesis.strategies

_leaves = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-HUGE, max_value=HUGE),
    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=12),
    st.sampled_from(["", "[/]", "[bold]", "nan", "1e400", "refinement", "jump", "failed"]),
)  # fmt: skip
_values = st.recursive(
    _leaves, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4),
    max_leaves=12,
)
_layers = st.lists(
    st.one_of(_values, st.dictionaries(st.sampled_from(LAYER_FIELDS), _values, max_size=len(LAYER_FIELDS))),
    max_size=4,
)
_events = st.builds(
    lambda type_, fields, layers, metrics: {"type": type_, **fields, "layers": layers, "metrics": metrics},
    st.sampled_from(sorted(EVENT_TYPES) + ["from_the_future"]),
    st.dictionaries(st.sampled_from(FIELDS), _values, max_size=12),
    _layers,
    st.one_of(_values, st.dictionaries(st.sampled_from(["loss", "accuracy", "val_loss", "val_accuracy"]), _values)),
)


@hypothesis.settings(max_examples=100, deadline=None, derandomize=True, database=None)
@hypothesis.given(st.lists(_events, max_size=8))
def test_any_events_fold_and_render(events: list[dict[str, Any]]) -> None:
    state = fold(edst_events(end=None)[:6])
    for event in through_json(events):
        state.apply(event)
        render_all(state)
    assert state.events <= 6 + len(events)


