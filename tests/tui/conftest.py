"""Shared event files for the ftk-tui tests: a realistic EDST run and helpers."""

from __future__ import annotations

import asyncio
import inspect
import json
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

T0 = 1_700_000_000.0
"""Time of the first event of every fixture run."""

EPOCH_SECONDS = 60.0
STEPS = 100
LAYERS = [
    {"name": "conv1", "shape": [3, 3, 3, 16], "density": 0.5},
    {"name": "block1/conv", "shape": [3, 3, 16, 32], "density": 0.2},
    {"name": "dense", "shape": [128, 10], "density": 0.1},
]


def event(type_: str, t: float, **fields: Any) -> dict[str, Any]:
    """One event of schema 1 of type `type_`."""
    return {"schema": 1, "t": t, "type": type_, **fields}


def run_start(name: str = "edst_wrn", total_epochs: int = 10, members: int = 3, t: float = T0) -> dict[str, Any]:
    """The `run_start` event of an EDST run with the three `LAYERS`."""
    return event(
        "run_start", t, run=name, protocol="edst", single_run=True, model="wrn-16-2", dataset="cifar10", density=0.2,
        members=members, epochs=total_epochs, total_epochs=total_epochs, steps_per_epoch=STEPS,
        resumed=False, recipe={"name": "edst_wrn", "protocol": "edst"}, layers=LAYERS,
    )  # fmt: skip


def phase_start(phase: str, index: int, of: int, epoch: int, t: float) -> dict[str, Any]:
    """A `phase_start` event of member 0."""
    return event("phase_start", t, member=0, phase=phase, index=index, of=of, epoch=epoch, step=epoch * STEPS)


def epoch_end(epoch: int, t: float) -> dict[str, Any]:
    """An `epoch_end` event of member 0 after `epoch` epochs (1-based)."""
    metrics = {
        "loss": 2.0 / epoch, "accuracy": 1 - 0.5 / epoch,
        "val_loss": 2.2 / epoch, "val_accuracy": 1 - 0.6 / epoch,
    }  # fmt: skip
    return event(
        "epoch_end", t, member=0, epoch=epoch, global_epoch=epoch, step=epoch * STEPS, lr=0.1,
        density=0.2, metrics=metrics, seconds=EPOCH_SECONDS,
    )  # fmt: skip


def topology_update(step: int, t: float, kind: str = "regular", pruned: int = 40) -> dict[str, Any]:
    """A `topology_update` event touching the three `LAYERS`."""
    layers = [
        {
            "name": layer["name"], "shape": layer["shape"], "density": layer["density"],
            "active": round(layer["density"] * math.prod(layer["shape"])), "size": math.prod(layer["shape"]),
            "pruned": pruned, "grown": pruned, "turnover": pruned / 1000,
        }
        for layer in LAYERS
    ]  # fmt: skip
    rate = 0.8 if kind == "jump" else 0.5 * (1 - step / 2000)
    return event(
        "topology_update", t, member=0, epoch=step // STEPS, step=step, kind=kind, rate=rate,
        density=0.2, pruned=3 * pruned, grown=3 * pruned, turnover=pruned / 1000, layers=layers,
    )  # fmt: skip


def ticket_saved(index: int, epoch: int, t: float) -> dict[str, Any]:
    """A `ticket_saved` event."""
    return event(
        "ticket_saved", t, index=index, member=0, epoch=epoch, path=f"tickets/ticket_{index}.keras",
        val_accuracy=0.90 + index / 100, test_accuracy=0.89 + index / 100, density=0.2,
    )  # fmt: skip


def ensemble_eval(members: int, t: float) -> dict[str, Any]:
    """An `ensemble_eval` event for the first `members` tickets."""
    return event(
        "ensemble_eval", t, members=members, accuracy=0.90 + members / 50, nll=0.4 - members / 20,
        ece=0.05 - members / 100, member_accuracy=[0.89 + i / 100 for i in range(members)], source="run",
    )  # fmt: skip


def edst_events(explore: int = 4, refine: int = 2, members: int = 3, end: str | None = "finished") -> list[dict[str, Any]]:
    """A whole EDST run: exploration, `members` refinements with a ticket each.

    Args:
        explore: Epochs of exploration.
        refine: Epochs of each refinement.
        members: Refinement phases and tickets.
        end: `run_end` status, or `None` for a run still going.

    Returns:
        The events in order; event `i` has time `T0 + 60 * epochs so far`.
    """
    total = explore + members * refine
    events = [run_start(total_epochs=total, members=members), phase_start("exploration", 1, 1, 0, T0)]
    epoch = 0

    def train(epochs: int) -> None:
        nonlocal epoch
        for _ in range(epochs):
            epoch += 1
            t = T0 + epoch * EPOCH_SECONDS
            events.append(topology_update(epoch * STEPS - 50, t - 30, pruned=10 * epoch))
            events.append(epoch_end(epoch, t))

    train(explore)
    for i in range(1, members + 1):
        t = T0 + epoch * EPOCH_SECONDS
        events.append(phase_start("refinement", i, members, epoch, t))
        if i > 1:
            events.append(topology_update(epoch * STEPS, t, kind="jump", pruned=500))
        train(refine)
        t = T0 + epoch * EPOCH_SECONDS
        events.append(ticket_saved(i - 1, epoch, t))
        events.append(ensemble_eval(i, t))
    if end is not None:
        error = "ResourceExhaustedError: OOM when allocating tensor" if end == "failed" else None
        events.append(event("run_end", T0 + epoch * EPOCH_SECONDS + 5, status=end, error=error, summary=None))
    return events


def write_events(path: Path, events: list[dict[str, Any]], mode: str = "w") -> None:
    """Writes (or with `mode="a"` appends) events as JSON lines."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, mode, encoding="utf-8") as file:
        file.writelines(json.dumps(e) + "\n" for e in events)


def make_run(folder: Path, name: str, events: list[dict[str, Any]]) -> Path:
    """Creates run directory `folder/name` with `recipe.yaml` and `events`."""
    run_dir = folder / name
    run_dir.mkdir(parents=True, exist_ok=True)
    (run_dir / "recipe.yaml").write_text(f"name: {name}\n", encoding="utf-8")
    write_events(run_dir / "events.jsonl", events)
    return run_dir


def fixed_clock(t: float = T0 + 20 * EPOCH_SECONDS) -> Callable[[], float]:
    """A clock that always says `t`, for deterministic elapsed times."""
    return lambda: t


async def wait_for(pilot: Any, condition: Callable[[], bool], timeout: float = 5.0) -> None:
    """Lets the app run until `condition()` holds; fails after `timeout` seconds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        if loop.time() > deadline:
            pytest.fail("the app did not reach the expected state in time")
        await pilot.pause(0.05)


@pytest.fixture
def run_dir(tmp_path: Path) -> Path:
    """A finished EDST run directory."""
    return make_run(tmp_path / "runs", "edst_wrn", edst_events())


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function) -> bool | None:
    """Runs `async def` tests here in a fresh event loop (no asyncio plugin needed)."""
    if not inspect.iscoroutinefunction(pyfuncitem.obj):
        return None
    names = pyfuncitem._fixtureinfo.argnames
    asyncio.run(pyfuncitem.obj(**{name: pyfuncitem.funcargs[name] for name in names}))
    return True
