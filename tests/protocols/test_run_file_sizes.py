"""A finished run reports its file sizes, and a failure to measure them never fails the run."""

import pytest

import ftk.protocols.run_file_sizes as run_file_sizes


def test_a_failed_measurement_is_a_warning_and_the_run_finishes(run, monkeypatch):
    def full_disk(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(run_file_sizes, "measure_file_sizes", full_disk)
    with pytest.warns(UserWarning, match="Could not measure the run's file sizes: OSError"):
        result, events = run("test_dense")
    assert events[-1]["status"] == "finished" and events[-1]["summary"]["file_sizes"] is None
    assert result.file_sizes is None and len(result.tickets) == 1


def test_the_summary_holds_the_sizes_of_the_tickets(run):
    result, events = run("test_dst")
    sizes = events[-1]["summary"]["file_sizes"]
    assert sizes == result.file_sizes.as_dict()
    assert sizes["tickets_bytes"] == [path.stat().st_size for path in result.tickets]
    assert set(sizes["export_bytes"]) == {"plain", "packed"}
