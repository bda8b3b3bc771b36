"""`ftk run --tui`: train in a child process and watch it in `ftk-tui`, another process."""

from __future__ import annotations

import argparse
import os
import shlex
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from rich.console import Console
from rich.markup import escape

from ftk.run_dir.commands import resume_command
from ftk.run_dir.paths import LOGS, RECIPE

#: Starts the TUI on a run directory (appended). The trainer and the TUI share
#: only the run directory, so ftk never imports `ftk_tui` (DESIGN section 2).
#: The environment variable `FTK_TUI_COMMAND` (a shell-quoted command) replaces it.
TUI_COMMAND: tuple[str, ...] = (sys.executable, "-m", "ftk_tui")
#: The trainer's output in the run folder: `logs/trainer.log` (appended by each `--tui` run).
TRAINER_LOG = LOGS / "trainer.log"
#: Seconds the trainer has to end once asked (its `run_end` and checkpoint) before SIGTERM,
#: and again before SIGKILL.
GRACE_SECONDS = 120.0
POLL_SECONDS = 0.1


def watch_command(args: argparse.Namespace, recipe, console: Console) -> int:
    """`ftk run --tui`: the same `ftk run` in a child process, watched in `ftk-tui`."""
    from ftk.protocols.run_directory import run_folder

    run_dir = run_folder(recipe, args.resume or args.run_dir)
    if not args.resume and run_dir.exists() and any(run_dir.iterdir()):
        raise FileExistsError(f"Run directory '{run_dir}' already exists. Continue it with "
                              f"`{resume_command(run_dir)} --tui`.")
    argv = [*([args.recipe] if args.recipe is not None else []), *(f"--set={o}" for o in args.overrides)]
    argv += ["--resume", str(run_dir)] if args.resume else ["--run-dir", str(run_dir)]
    return train_and_watch(argv, run_dir, console)


def train_and_watch(argv: list[str], run_dir: Path, console: Console) -> int:
    """Runs `ftk run ARGV` in a child process and opens its run directory in `ftk-tui`.

    The trainer runs apart, so the terminal UI stays responsive; the UI runs
    in a process of its own (`TUI_COMMAND`) that imports no TensorFlow. The
    trainer has a session of its own, so no signal of the terminal reaches
    it: quitting the UI (or Ctrl-C here) while training goes on closes the
    trainer's standard input, which it takes as Ctrl-C at the end of its
    next step (`ftk run --stop-on-eof`, `StopWhenInputEnds`: a signal could
    land during its start-up or inside library code), and waits for it to
    write its `run_end` (`interrupted`); only a trainer that has not ended after
    `GRACE_SECONDS` gets SIGTERM, then SIGKILL. If this process dies, the
    trainer stops the same way. The run continues with `ftk run --resume
    RUN_DIR`. The trainer's output goes to the run folder's
    `logs/trainer.log` (until the folder exists, to a temporary file that is
    moved there or, when the folder never came, shown and removed).

    Args:
        argv: the `ftk run` arguments, without `--tui`.
        run_dir: the run directory the child will write.
        console: where to report.

    Returns:
        The trainer's exit status (130 when it was interrupted).
    """
    log = _TrainerLog(run_dir)
    try:
        child = subprocess.Popen([sys.executable, "-m", "ftk.cli", "run", *argv, "--stop-on-eof"],
                                 stdout=log.file, stderr=subprocess.STDOUT, stdin=subprocess.PIPE,
                                 start_new_session=True)
        try:
            _watch(child, run_dir, log, console)
        except KeyboardInterrupt:  # Ctrl-C here before the TUI took the terminal: stop, as `q` does
            pass
        finally:
            status = _stop(child, run_dir, console)
    finally:
        where = log.close()
    output = f"; its output is in {escape(str(where))}" if where is not None else " (its output is above)"
    console.print(f"Trainer exited with status {status}{output}.", highlight=False, soft_wrap=True)
    return status


def tui_command() -> list[str]:
    """The command that starts the TUI: `FTK_TUI_COMMAND` when set, else `TUI_COMMAND`."""
    override = os.environ.get("FTK_TUI_COMMAND", "").strip()
    return shlex.split(override) if override else list(TUI_COMMAND)


def _watch(child: subprocess.Popen, run_dir: Path, log: _TrainerLog, console: Console) -> None:
    """Waits for the run folder, then shows it in the TUI until the user quits it."""
    while child.poll() is None and not (run_dir / RECIPE).is_file():
        time.sleep(POLL_SECONDS)
    if not (run_dir / RECIPE).is_file():
        return  # the trainer ended before it made the folder: its output says why
    log.move_into(run_dir)
    tui = subprocess.run([*tui_command(), str(run_dir)], check=False)
    if tui.returncode:
        console.print(f"ftk-tui exited with status {tui.returncode}.")


def _stop(child: subprocess.Popen, run_dir: Path, console: Console) -> int:
    """Interrupts a trainer still running (once), waits for it, escalates only after a grace period."""
    if child.poll() is None:
        console.print("Stopping the trainer (it writes its last events); continue with "
                      f"`{escape(resume_command(run_dir))} --tui`.", highlight=False, soft_wrap=True)
    child.stdin.close()  # the trainer's Ctrl-C
    if _wait(child, GRACE_SECONDS):
        return child.returncode
    for signum in (signal.SIGTERM, signal.SIGKILL):
        console.print(f"The trainer did not stop within {GRACE_SECONDS:.0f} s: sending "
                      f"{signal.Signals(signum).name}.")
        child.send_signal(signum)
        if _wait(child, GRACE_SECONDS if signum != signal.SIGKILL else None):
            break
    return child.returncode


def _wait(child: subprocess.Popen, timeout: float | None) -> bool:
    """Waits for `child`, ignoring further Ctrl-C here (the trainer is already stopping)."""
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        child.wait(timeout=timeout)
        return True
    except subprocess.TimeoutExpired:
        return False
    finally:
        signal.signal(signal.SIGINT, previous)


class _TrainerLog:
    """The trainer's output file: `logs/trainer.log` of the run folder, once that exists."""

    def __init__(self, run_dir: Path):
        self.target = run_dir / TRAINER_LOG
        if (run_dir / RECIPE).is_file():  # a resumed run: its folder is there
            self.target.parent.mkdir(parents=True, exist_ok=True)
            path, self.temporary = self.target, None
        else:
            handle, name = tempfile.mkstemp(prefix="ftk-run-", suffix=".log")
            os.close(handle)
            path = self.temporary = Path(name)
        self.file = open(path, "ab")
        self.reader = open(path, "rb")  # still readable if the trainer removes its folder
        self.start = self.reader.seek(0, os.SEEK_END)  # this run's output only

    def move_into(self, run_dir: Path) -> None:
        """Moves a temporary log to `logs/trainer.log` (the trainer keeps writing to it)."""
        if self.temporary is None:
            return
        self.target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.replace(self.temporary, self.target)  # the same file system: the file itself moves
            self.temporary = None
        except OSError:
            pass  # another file system: copied when the trainer has ended

    def close(self) -> Path | None:
        """Puts the whole output where it belongs; returns that path, or `None` when shown instead."""
        self.file.close()
        try:
            where: Path | None = self.target if self.temporary is None else None
            self.reader.seek(self.start)
            if self.temporary is not None:
                text = self.reader.read()
                if self.target.parent.parent.is_dir():  # the run folder exists: keep it there
                    self.target.parent.mkdir(parents=True, exist_ok=True)
                    with open(self.target, "ab") as kept:
                        kept.write(text)
                    where = self.target
                else:  # the trainer ended before making (or after removing) its folder
                    sys.stderr.write(text.decode("utf-8", errors="replace"))
            elif not self.target.is_file():  # the folder was removed with the log in it
                sys.stderr.write(self.reader.read().decode("utf-8", errors="replace"))
            return where if where is not None and where.is_file() else None
        finally:
            self.reader.close()
            if self.temporary is not None:
                self.temporary.unlink(missing_ok=True)

