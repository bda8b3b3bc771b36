"""Prune rules (`ftk.sparse.prune_rules`) on small hand-worked masks."""

import numpy as np
import pytest

from ftk.sparse.layer_state import LayerState
from ftk.sparse.prune_rules import MagnitudePrune, PruneRule, get_prune_rule, prune_rule_names


def test_prune_magnitude_removes_smallest_active():
    w = np.array([0.9, -0.1, 0.0, 0.5, -0.3, 0.0, 0.2, 0.7])
    m = np.array([1, 1, 0, 1, 1, 0, 1, 1], np.float32)
    # active |w|: 0.9, 0.1, 0.5, 0.3, 0.2, 0.7 -> the 3 smallest are at 1, 6, 4
    expected = np.array([1, 0, 0, 1, 0, 0, 0, 1], np.float32)
    np.testing.assert_array_equal(get_prune_rule("magnitude").prune(LayerState("w", w, m), 3), expected)


def test_prune_ties_go_to_the_lower_index_and_the_input_is_untouched():
    w = np.array([0.5, 0.2, 0.2, 0.2])
    m = np.ones(4, np.float32)
    # |w| ties at 1, 2, 3 -> prune the lower two
    np.testing.assert_array_equal(MagnitudePrune().prune(LayerState("w", w, m), 2), [1, 0, 0, 1])
    np.testing.assert_array_equal(m, 1.0)


def test_a_subclass_changes_only_the_score():
    class LargestFirst(PruneRule):
        def score(self, layer):
            return -np.abs(layer.weights)

    w = np.array([0.9, -0.1, 0.0, 0.5])
    m = np.array([1, 1, 0, 1], np.float32)
    np.testing.assert_array_equal(LargestFirst().prune(LayerState("w", w, m), 1), [0, 1, 0, 1])


def test_registry():
    assert prune_rule_names()[0] == "magnitude"
    rule = MagnitudePrune()
    assert get_prune_rule(rule) is rule
    message = r"`prune` must be one of \('magnitude'.*Received: prune='magnitud'\. Did you mean 'magnitude'\?"
    with pytest.raises(ValueError, match=message):
        get_prune_rule("magnitud")
