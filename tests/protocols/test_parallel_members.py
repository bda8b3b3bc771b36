"""Member runs trained on their own into one shared run folder (`ftk run --member`)."""

import json

import keras
import numpy as np
import pytest

import ftk
from ftk.protocols.runner import run_recipe, summarize_run
from ftk.recipes import find_recipe, load_recipe
from ftk.run_dir import RunState, committed_ticket_paths
from tests.protocols.test_resume import StopAfter

DETERMINISTIC = "run.deterministic=true"


def recipe(name="test_dst", *overrides):
    return load_recipe(find_recipe(name), [DETERMINISTIC, *overrides])


def weights_of(path):
    return [w.numpy() for w in keras.saving.load_model(path).weights]


def events_of(path):
    return [json.loads(line) for line in path.read_text().splitlines()]


def assert_same_tickets(a, b):
    assert [p.name for p in a] == [p.name for p in b]
    for x, y in zip(a, b):
        for u, v in zip(weights_of(x), weights_of(y), strict=True):
            np.testing.assert_array_equal(u, v)


@pytest.mark.parametrize("name", [
    "test_dst",
    pytest.param("test_pf", marks=pytest.mark.slow),
    pytest.param("test_static", marks=pytest.mark.slow),
])
def test_members_trained_apart_equal_the_sequential_run(tmp_path, name):
    sequential = run_recipe(recipe(name), tmp_path / "sequential")
    folder = tmp_path / "members"
    second = run_recipe(recipe(name), folder, members=[1])  # in any order
    first = run_recipe(recipe(name), folder, members=[0])
    assert_same_tickets(sequential.tickets, committed_ticket_paths(folder))
    # Each member wrote only its own state, checkpoint and events; no run-wide ledger.
    assert not (folder / "checkpoints").exists() and not (folder / "events.jsonl").exists()
    for index in (0, 1):
        home = folder / "members" / f"member_{index}"
        assert set(RunState.read(home).tickets) == {index}
        assert (home / "checkpoints" / "model.keras").is_file()
        events = events_of(home / "events.jsonl")
        assert events[0]["type"] == "run_start" and events[-1]["type"] == "run_end"
        assert {e["member"] for e in events if e["type"] == "epoch_end"} == {index}
    # The second process to finish reports the ensemble of both tickets.
    assert len(second.member_accuracy) == 1 and len(first.member_accuracy) == 2
    np.testing.assert_allclose(first.ensemble["accuracy"], sequential.ensemble["accuracy"])
    ensemble = ftk.Ensemble.load(folder)
    assert len(ensemble.members) == 2

    summary = summarize_run(recipe(name), folder)
    assert summary.member_accuracy == pytest.approx(sequential.member_accuracy)
    run_end = events_of(folder / "events.jsonl")[-1]
    assert run_end["type"] == "run_end" and run_end["status"] == "finished"
    assert run_end["summary"]["ensemble_accuracy"] == pytest.approx(sequential.ensemble["accuracy"])


def test_a_member_resumes_on_its_own_and_a_finished_one_is_left_alone(tmp_path):
    full = run_recipe(recipe(), tmp_path / "full", members=[0, 1])
    folder = tmp_path / "stopped"
    run_recipe(recipe(), folder, members=[0])
    with pytest.raises(KeyboardInterrupt):
        run_recipe(recipe(), folder, members=[1], callbacks=[StopAfter(0, 2)])
    state = RunState.read(folder / "members" / "member_1")
    assert state.epoch == 2 and not state.tickets
    with pytest.raises(FileExistsError, match=r"Member 1 .* already started.*--resume .* --member 1"):
        run_recipe(recipe(), folder, members=[1])

    member_0 = (folder / "members" / "member_0" / "events.jsonl").read_bytes()
    result = run_recipe(recipe(), folder, members=[0, 1], resume=True)
    assert result.finished_before == (0,)
    assert_same_tickets(full.tickets, committed_ticket_paths(folder))
    events = events_of(folder / "members" / "member_1" / "events.jsonl")
    assert [e["epoch"] for e in events if e["type"] == "epoch_end"] == [1, 2, 3]
    assert (folder / "members" / "member_0" / "events.jsonl").read_bytes() == member_0  # left alone

    again = run_recipe(recipe(), folder, members=[1], resume=True)
    assert again.finished_before == (1,) and len(again.tickets) == 2


def test_edst_and_members_out_of_range_are_refused_before_anything_is_created(tmp_path):
    with pytest.raises(ValueError, match=r"'edst'.*one run.*cannot be trained on their own"):
        run_recipe(recipe("test_edst"), tmp_path / "edst", members=[0])
    with pytest.raises(ValueError, match=r"No member 2: the recipe has 2 member runs \(--member 0 to 1\)"):
        run_recipe(recipe(), tmp_path / "range", members=[0, 2])
    with pytest.raises(ValueError, match=r"No member -1"):
        run_recipe(recipe(), tmp_path / "range", members=[-1])
    assert not (tmp_path / "edst").exists() and not (tmp_path / "range").exists()


def test_another_recipe_and_a_sequential_folder_are_refused(tmp_path):
    folder = tmp_path / "run"
    with pytest.raises(KeyboardInterrupt):  # stopped: the folder and its recipe stay
        run_recipe(recipe(), folder, members=[0], callbacks=[StopAfter(0, 1)])
    with pytest.raises(ValueError, match=r"trained member by member.*`ftk run --resume \S+/run --parallel 2`"):
        run_recipe(recipe(), folder, resume=True)  # without --member
    with pytest.raises(ValueError, match=r"another recipe .*training.epochs.*same recipe"):
        run_recipe(recipe("test_dst", "training.epochs=4"), folder, members=[1])
    assert not (folder / "members" / "member_1").exists()

    sequential = tmp_path / "sequential"
    with pytest.raises(KeyboardInterrupt):
        run_recipe(recipe(), sequential, callbacks=[StopAfter(0, 1)])
    with pytest.raises(ValueError, match=r"trained without --member"):
        run_recipe(recipe(), sequential, members=[1])
    with pytest.raises(ValueError, match=r"trained without --member"):
        run_recipe(recipe(), sequential, members=[1], resume=True)


def test_a_member_that_trained_nothing_leaves_no_folder(tmp_path, monkeypatch):
    folder = tmp_path / "run"

    def fail(*args, **kwargs):
        raise RuntimeError("no model")

    monkeypatch.setattr(ftk.protocols.dst.DSTEnsemble, "build", fail, raising=False)
    with pytest.raises(RuntimeError, match="no model"):
        run_recipe(recipe(), folder, members=[1])
    assert not (folder / "members").exists()
    assert (folder / "recipe.yaml").is_file()  # the shared folder stays for the other members
