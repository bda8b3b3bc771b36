"""`UpdateWindow`: update steps from fractions or step numbers."""

import pytest

from ftk.sparse.update_window import UpdateWindow


def test_fractions_of_training_become_steps():
    window = UpdateWindow.resolve(100, 0.25, 0.75, total_steps=1000)
    assert (window.start, window.end) == (250, 750)
    assert [window.last_update_in(s - 1, s) for s in (200, 300, 700, 800)] == [None, 300, 700, None]
    assert window.last_update_in(250, 450) == 400  # several boundaries passed: the last one


def test_unknown_length_allows_whole_run_only():
    assert UpdateWindow.resolve(10, 0.0, 1.0, total_steps=None).end is None
    with pytest.raises(ValueError, match="update_end=0.5"):
        UpdateWindow.resolve(10, 0.0, 0.5, total_steps=None)
    with pytest.raises(ValueError, match=r"update_start.*\[0, 1\]"):
        UpdateWindow.resolve(10, 1.5, 1.0, total_steps=100)
