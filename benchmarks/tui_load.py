"""How fast `ftk-tui` loads a long run: 100,000 events, read, folded and painted.

Writes a realistic EDST event file (epoch ends, topology updates with per-layer
entries, checkpoints, phases, tickets and ensemble evaluations) to a temporary run
directory, then prints JSON with:

- `load_seconds_median` (wall) and `load_cpu_seconds_median` (CPU time, steadier
  on a shared machine): the median over `--repeats` of reading the whole file
  with `EventReader` and folding it into a `RunState`;
- `first_paint_seconds`: from creating the app to the run view painted with the
  first chunk of events, headless (`App.run_test`), and `all_events_shown_seconds`
  to the run view showing all of them;
- `import_seconds`: importing `ftk_tui.app` in a fresh interpreter.

Usage: `python benchmarks/tui_load.py [--events 100000] [--repeats 5]`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ftk_tui.monitor import RunMonitor  # noqa: E402

LAYERS = [
    {"name": f"block{b}/conv{c}", "shape": [3, 3, 16 * 2**b, 16 * 2**b], "density": 0.2}
    for b in range(1, 4)
    for c in range(1, 4)
] + [{"name": "dense", "shape": [256, 10], "density": 0.2}]
UPDATES_PER_EPOCH = 3
STEPS = 391


def _events(count: int) -> Iterator[dict[str, Any]]:
    """Yields `count` events of a long EDST run (times one minute per epoch)."""
    t0 = 1_700_000_000.0
    epochs = int(count / (UPDATES_PER_EPOCH + 1.02))
    members, explore = 3, int(epochs * 0.4)
    refine = max((epochs - explore) // members, 1)
    total = int(explore + members * refine)
    yield _event("run_start", t0, run="bench", protocol="edst", model="wrn-16-8", dataset="cifar10",
                 density=0.2, members=members, epochs=total, total_epochs=total, steps_per_epoch=STEPS,
                 resumed=False, recipe={"name": "bench"}, layers=LAYERS)  # fmt: skip
    yield _event("phase_start", t0, member=0, phase="exploration", index=1, of=1, epoch=0, step=0)
    written, epoch = 2, 0
    while True:
        epoch += 1
        t = t0 + 60 * epoch
        for u in range(UPDATES_PER_EPOCH):
            yield _update(epoch, epoch * STEPS - 100 * (u + 1), t - 10 * (u + 1))
        yield _event("epoch_end", t, member=0, epoch=epoch, global_epoch=epoch, step=epoch * STEPS, lr=0.1,
                     density=0.2, seconds=60.0, metrics={"loss": 1 / epoch, "accuracy": 1 - 1 / (epoch + 1),
                     "val_loss": 1.1 / epoch, "val_accuracy": 1 - 1.1 / (epoch + 1)})  # fmt: skip
        written += UPDATES_PER_EPOCH + 1
        if epoch % 50 == 0:
            yield _event("checkpoint", t, member=0, epoch=epoch, path="checkpoints/state.json")
            written += 1
        if epoch >= explore and (epoch - explore) % refine == 0 and (epoch - explore) // refine < members:
            i = (epoch - explore) // refine
            if i > 0:
                yield _event("ticket_saved", t, index=i - 1, member=0, epoch=epoch, path=f"tickets/ticket_{i - 1}.keras",
                             val_accuracy=0.9, test_accuracy=0.9, density=0.2)  # fmt: skip
                yield _event("ensemble_eval", t, members=i, accuracy=0.9 + i / 100, nll=0.3, ece=0.02,
                             member_accuracy=[0.9] * i, source="run")  # fmt: skip
            yield _event("phase_start", t, member=0, phase="refinement", index=i + 1, of=members, epoch=epoch,
                         step=epoch * STEPS)  # fmt: skip
            written += 3


def _event(type_: str, t: float, **fields: Any) -> dict[str, Any]:
    return {"schema": 1, "t": t, "type": type_, **fields}


def _update(epoch: int, step: int, t: float) -> dict[str, Any]:
    layers = [
        {"name": layer["name"], "shape": layer["shape"], "density": 0.2, "active": 1000, "size": 5000,
         "pruned": 100 + epoch % 7, "grown": 100 + epoch % 7, "turnover": 0.01}
        for layer in LAYERS
    ]  # fmt: skip
    return _event("topology_update", t, member=0, epoch=epoch - 1, step=step, kind="regular", rate=0.3,
                  density=0.2, pruned=1000, grown=1000, turnover=0.01, layers=layers)  # fmt: skip


def write_run(folder: Path, count: int) -> Path:
    """Writes a run directory with `count` events and returns it."""
    run = folder / "bench"
    run.mkdir(parents=True, exist_ok=True)
    with open(run / "events.jsonl", "w", encoding="utf-8") as file:
        for index, event in enumerate(_events(count)):
            if index >= count:
                break
            file.write(json.dumps(event) + "\n")
    return run


def load_seconds(run: Path) -> tuple[float, float, int]:
    """Wall and CPU seconds to read and fold the whole file (`EventReader` into
    `RunState`, through `RunMonitor`), and the number of events folded."""
    wall, cpu = time.perf_counter(), time.process_time()
    monitor = RunMonitor(run)
    monitor.catch_up()
    return time.perf_counter() - wall, time.process_time() - cpu, monitor.state.events


async def app_seconds(run: Path) -> tuple[float, float]:
    """Seconds from creating the app to the first painted run view (showing the
    first chunk of events) and to the run view showing all of them, headless.

    The run view reads the rest of a long file in chunks, each after a paint;
    the first such read marks the end of the first paint.
    """
    from ftk_tui.app import FtkTui
    from ftk_tui.screens.run_view import RunViewScreen

    painted: list[float] = []
    catch_up = RunViewScreen._catch_up

    def timed_catch_up(screen: RunViewScreen) -> None:
        painted.append(time.perf_counter())
        catch_up(screen)

    RunViewScreen._catch_up = timed_catch_up  # type: ignore[method-assign]
    try:
        start = time.perf_counter()
        app = FtkTui(run)
        async with app.run_test(size=(120, 40)) as pilot:
            while not (isinstance(app.screen, RunViewScreen) and app.screen.monitor.state.events):
                await pilot.pause(0.001)
            await pilot.pause()
            while app.screen.monitor.loading or app.screen._catching_up:
                await pilot.pause(0.01)
            await pilot.pause()
            done = time.perf_counter()
    finally:
        RunViewScreen._catch_up = catch_up  # type: ignore[method-assign]
    return (painted[0] if painted else done) - start, done - start


def import_seconds() -> float:
    """Seconds to import `ftk_tui.app` in a fresh interpreter."""
    code = "import time; t = time.perf_counter(); import ftk_tui.app; print(time.perf_counter() - t)"
    root = Path(__file__).resolve().parents[1]
    return float(subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True).stdout)


def main() -> None:
    """Runs the benchmark and prints its JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        run = write_run(Path(folder), args.events)
        size = (run / "events.jsonl").stat().st_size
        loads = [load_seconds(run) for _ in range(args.repeats)]
        first_paint, all_shown = asyncio.run(app_seconds(run))
    result = {
        "benchmark": "tui_load",
        "events": loads[0][2],
        "file_mb": round(size / 1e6, 1),
        "load_seconds_median": round(statistics.median(wall for wall, _, _ in loads), 3),
        "load_seconds": [round(wall, 3) for wall, _, _ in loads],
        "load_cpu_seconds_median": round(statistics.median(cpu for _, cpu, _ in loads), 3),
        "events_per_cpu_second": round(loads[0][2] / statistics.median(cpu for _, cpu, _ in loads)),
        "first_paint_seconds": round(first_paint, 3),
        "all_events_shown_seconds": round(all_shown, 3),
        "import_seconds": round(import_seconds(), 3),
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
