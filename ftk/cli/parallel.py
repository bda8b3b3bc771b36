"""`ftk run --parallel N`: an ensemble's members trained by N local child processes at once."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from rich.console import Console

from ftk.run_dir.paths import parallel_log

#: How a child is started (the recipe and its arguments are appended).
CHILD_COMMAND: tuple[str, ...] = (sys.executable, "-m", "ftk.cli", "run")
POLL_SECONDS = 0.2


@dataclass
class Child:
    """One child process and the member runs it trains, in turn."""

    number: int
    members: list[int]
    process: subprocess.Popen
    log: Path
    returncode: int | None = field(default=None)


def assign_members(members: int, processes: int) -> list[list[int]]:
    """Members `k, k + N, k + 2N, ...` for child `k` of `N` (no child without a member)."""
    processes = max(1, min(processes, members))
    return [list(range(k, members, processes)) for k in range(processes)]


def visible_gpus() -> list[str]:
    """The GPUs to hand out, one a child: `CUDA_VISIBLE_DEVICES`, else those `nvidia-smi` lists."""
    visible = os.environ.get("CUDA_VISIBLE_DEVICES")
    if visible is not None:
        return [g.strip() for g in visible.split(",") if g.strip() and g.strip() != "-1"]
    if shutil.which("nvidia-smi") is None:
        return []
    try:
        listing = subprocess.run(["nvidia-smi", "-L"], capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.SubprocessError):
        return []
    return [str(i) for i, line in enumerate(listing.stdout.splitlines()) if line.startswith("GPU ")]


def train_in_parallel(recipe_arg: str | None, overrides: list[str], run_dir: Path, members: int,
                      processes: int, resume: bool, console: Console) -> list[int]:
    """Trains every member of the run in `processes` child `ftk run --member` processes.

    `recipe_arg` and `overrides` are passed on to each child; `recipe_arg`
    may be `None` with `resume` (the children read the folder's recipe.yaml).

    Each child trains its members (`assign_members`) one after the other into
    `run_dir`, sees one GPU of `visible_gpus()` (round robin; none: CPU) and
    writes its output to `logs/parallel_<k>.log`. SIGINT and SIGTERM are
    passed on to the children (as SIGTERM, which a child takes as Ctrl-C), and
    all are waited for.

    Returns:
        The members whose child failed (empty when all succeeded).

    Raises:
        KeyboardInterrupt: when stopped (after the children have stopped).
    """
    gpus = visible_gpus()
    children: list[Child] = []
    stopping: list[int] = []

    def forward(signum, frame):
        stopping.append(signum)
        for child in children:
            if child.process.poll() is None:
                child.process.send_signal(signal.SIGTERM)

    previous = {s: signal.signal(s, forward) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        for number, assigned in enumerate(assign_members(members, processes)):
            if stopping:
                break
            argv = [*CHILD_COMMAND, *([recipe_arg] if recipe_arg is not None else []),
                    *(f"--set={o}" for o in overrides)]
            argv += ["--resume", str(run_dir)] if resume else ["--run-dir", str(run_dir)]
            for index in assigned:
                argv += ["--member", str(index)]
            env = dict(os.environ)
            if gpus:
                env["CUDA_VISIBLE_DEVICES"] = gpus[number % len(gpus)]
            log = parallel_log(run_dir, number)
            log.parent.mkdir(parents=True, exist_ok=True)
            with open(log, "w") as output:
                process = subprocess.Popen(argv, stdout=output, stderr=subprocess.STDOUT, env=env,
                                           start_new_session=True)  # Ctrl-C reaches it once, from us
            children.append(Child(number, assigned, process, log))
            device = f"GPU {env['CUDA_VISIBLE_DEVICES']}" if gpus else "CPU"
            console.print(f"Child {number} ({device}): member{'s' if len(assigned) > 1 else ''} "
                          f"{', '.join(map(str, assigned))}; output in {log}")
        while any(child.returncode is None for child in children):
            for child in children:
                if child.returncode is None and (code := child.process.poll()) is not None:
                    child.returncode = code
                    verdict = "done" if code == 0 else f"[red]exit status {code}[/]"
                    console.print(f"Child {child.number} (members {', '.join(map(str, child.members))}): "
                                  f"{verdict}")
            time.sleep(POLL_SECONDS)
    finally:
        for child in children:  # never leave a child behind
            if child.process.poll() is None:
                child.process.send_signal(signal.SIGTERM)
                try:
                    child.process.wait(timeout=60)
                except subprocess.TimeoutExpired:
                    child.process.kill()
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    if stopping:
        raise KeyboardInterrupt(f"stopped by {signal.Signals(stopping[0]).name}")
    failed = [child for child in children if child.returncode != 0]
    for child in failed:
        console.print(f"[red]Child {child.number} failed[/] (members {', '.join(map(str, child.members))}); "
                      f"the end of {child.log}:")
        console.print(_tail(child.log), highlight=False, markup=False)
    return sorted(index for child in failed for index in child.members)


def _tail(path: Path, lines: int = 15) -> str:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return "(no output)"
    return "\n".join(f"  {line}" for line in text.splitlines()[-lines:])
