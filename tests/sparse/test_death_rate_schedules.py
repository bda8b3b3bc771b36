"""Death-rate schedules (`ftk.sparse.death_rate_schedules`)."""

import pytest

from ftk.sparse.death_rate_schedules import death_rate_schedule_names, get_death_rate_schedule


def rate(name, step, initial, start, end):
    return get_death_rate_schedule(name).rate(step, initial, start, end)


def test_death_rate_schedules():
    assert rate("constant", 500, 0.5, 0, 1000) == 0.5
    assert rate("cosine", 0, 0.5, 0, 1000) == pytest.approx(0.5)
    assert rate("cosine", 500, 0.5, 0, 1000) == pytest.approx(0.005 + 0.495 / 2)
    assert rate("cosine", 1000, 0.5, 0, 1000) == pytest.approx(0.005)
    assert rate("linear", 750, 0.5, 500, 1000) == pytest.approx(0.2525)
    with pytest.raises(ValueError, match="death_rate_schedule"):
        get_death_rate_schedule("step")


def test_no_end_counts_as_the_current_step_and_only_constant_allows_it():
    assert rate("cosine", 300, 0.5, 0, None) == pytest.approx(0.005)
    assert [get_death_rate_schedule(n).needs_end for n in ("constant", "cosine", "linear")] == [
        False, True, True]


def test_registry_names():
    assert death_rate_schedule_names()[:3] == ("constant", "cosine", "linear")
