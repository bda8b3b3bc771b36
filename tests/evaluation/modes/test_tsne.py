"""The `tsne` mode splits a run at its phases only when the protocol says it is one run."""

import pytest

from ftk.evaluation.context import EvalContext
from ftk.evaluation.modes import tsne
from ftk.recipes import find_recipe, load_recipe
from tests.evaluation.test_recorded_trajectories import write_run


@pytest.mark.parametrize("recipe, labels", [
    ("test_edst", ["exploration", "ticket 0", "ticket 1", "ticket 1"]),  # member 0 split at 4, 6
    ("test_dst", ["ticket 0", "ticket 1"]),  # independent runs: one path each
])
def test_paths_follow_protocol_single_run(tmp_path, recipe, labels):
    write_run(tmp_path)
    ctx = EvalContext(tmp_path, tmp_path / "eval", load_recipe(find_recipe(recipe)), None, None)
    report = tsne.run(ctx)
    assert [p["label"] for p in report["paths"]] == labels
    assert (tmp_path / "eval" / "tsne.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_without_recordings_the_mode_is_skipped(tmp_path):
    ctx = EvalContext(tmp_path, tmp_path / "eval", load_recipe(find_recipe("test_edst")), None, None)
    assert "record_every" in tsne.run(ctx)["skipped"]
