"""Running the tiny test recipes into temporary run directories."""

import json

import pytest

from ftk.protocols.runner import run_recipe
from ftk.recipes import find_recipe, load_recipe


def read_events(run_dir):
    return [json.loads(line) for line in (run_dir / "events.jsonl").read_text().splitlines()]


@pytest.fixture
def run(tmp_path):
    """`run(name, *overrides, callbacks=(), resume_dir=None)` -> (result, events)."""

    def run(name, *overrides, callbacks=(), run_dir=None, resume=False):
        recipe = load_recipe(find_recipe(name), overrides)
        run_dir = run_dir or tmp_path / name
        result = run_recipe(recipe, run_dir, resume=resume, callbacks=callbacks)
        return result, read_events(run_dir)

    return run
