"""`ftk run --tui`: train in a child process and watch it in `ftk-tui`, another process."""

from __future__ import annotations

import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from rich.console import Console

#: Starts the TUI on a run directory (appended). The trainer and the TUI share
#: only the run directory, so ftk never imports `ftk_tui` (DESIGN section 2).
TUI_COMMAND: tuple[str, ...] = (sys.executable, "-m", "ftk_tui")


def train_and_watch(argv: list[str], run_dir: Path, console: Console) -> int:
    """Runs `ftk run ARGV` in a child process and opens its run directory in `ftk-tui`.

    The trainer runs apart, so the terminal UI stays responsive; the UI runs
    in a process of its own (`TUI_COMMAND`) that imports no TensorFlow.
    Quitting the UI while training goes on interrupts the trainer (as Ctrl-C
    would); the run can be continued with `--resume`.

    Args:
        argv: the `ftk run` arguments, without `--tui`.
        run_dir: the run directory the child will write.
        console: where to report.

    Returns:
        The trainer's exit status.
    """
    log = Path(tempfile.mkstemp(prefix="ftk-run-", suffix=".log")[1])
    with open(log, "w") as output:
        child = subprocess.Popen([sys.executable, "-m", "ftk.cli", "run", *argv],
                                 stdout=output, stderr=subprocess.STDOUT)
    while child.poll() is None and not (run_dir / "recipe.yaml").is_file():
        time.sleep(0.2)
    if (run_dir / "recipe.yaml").is_file():
        tui = subprocess.run([*TUI_COMMAND, str(run_dir)], check=False)
        if tui.returncode:
            console.print(f"ftk-tui exited with status {tui.returncode}.")
    if child.poll() is None:
        console.print("Stopping the trainer; continue with "
                      f"`ftk run RECIPE --resume {run_dir}`.")
        child.send_signal(signal.SIGINT)
    status = child.wait()
    console.print(f"Trainer exited with status {status}; its output is in {log}.")
    return status
