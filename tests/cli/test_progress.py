"""`RichProgress`: a live display that fits the terminal, or plain log lines, one per epoch."""

import io
import os
import re
import subprocess
import sys

import pytest
from rich.cells import cell_len
from rich.console import Console

from ftk.cli.progress import RichProgress

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
EPOCH_LINE = re.compile(r"epoch \d+/\d+  \d+ steps ")
STEPS = 44  # per epoch; the batch hooks come every 8 steps (`steps_per_execution=8`), the last after 4


def run_start(**fields):
    return {"type": "run_start", "run": "edst_demo-20261204-031500", "protocol": "edst", "single_run": True,
            "model": "wrn-28-10", "dataset": "cifar10", "density": 0.2, "members": 3, "epochs": 4,
            "total_epochs": 4, "steps_per_epoch": STEPS, "resumed": False, "parameters": 36497146,
            "trainable": 36479194, "active": 7310207, "recipe": {}, "layers": [], **fields}


def epoch_end(epoch, member=0, global_epoch=None):
    return {"type": "epoch_end", "member": member, "epoch": epoch, "global_epoch": global_epoch or epoch,
            "step": epoch * STEPS, "lr": 0.1, "density": 0.2, "seconds": 3.14,
            "metrics": {"loss": 0.0202, "accuracy": 0.9943, "val_loss": 0.0512, "val_accuracy": 0.9801}}


def train_epoch(progress, epoch, stop=STEPS):
    """The Keras hooks of one epoch: a batch end after every execution of 8 steps, up to `stop`."""
    progress.on_epoch_begin(epoch)
    for last in [*range(7, stop - 1, 8), stop - 1]:
        progress.on_train_batch_end(last, {"loss": 0.0202, "accuracy": 0.9943})


def edst_stream(progress, epochs=4):
    """A run's events and hooks: start, a phase, `epochs` epochs, a ticket, its ensemble, the end.

    As in EDST, the ticket taken at the last epoch's end is announced before that epoch's `epoch_end`.
    """
    progress.on_event(run_start(epochs=epochs, total_epochs=epochs))
    progress.on_event({"type": "phase_start", "member": 0, "phase": "refinement", "index": 1, "of": 3,
                       "label": "refinement 1/3", "epoch": 0, "step": 0})
    for epoch in range(epochs):
        train_epoch(progress, epoch)
        if epoch + 1 == epochs:
            progress.on_event({"type": "ticket_saved", "index": 0, "member": 0, "epoch": epochs,
                               "path": "tickets/ticket_0.keras", "val_accuracy": None,
                               "test_accuracy": 0.9712, "density": 0.2})
            progress.on_event({"type": "ensemble_eval", "members": 1, "accuracy": 0.9712, "nll": 0.0934,
                               "ece": 0.0121, "member_accuracy": [0.9712], "source": "run"})
        progress.on_event(epoch_end(epoch + 1))
    progress.on_event({"type": "run_end", "status": "finished", "error": None,
                       "summary": {"ensemble_accuracy": 0.9712}})


def terminal(width, monkeypatch):
    monkeypatch.setenv("TERM", "xterm-256color")  # a dumb terminal gets log lines
    return Console(file=io.StringIO(), force_terminal=True, width=width)


def screen_lines(output: str) -> list[str]:
    """What a terminal would show on each line written, escape codes removed."""
    return [ANSI.sub("", part) for part in re.split(r"[\r\n]", output)]


@pytest.mark.parametrize("width", [80, 60, 120])
def test_terminal_display_fits_the_width_and_leaves_one_line_per_epoch(width, monkeypatch):
    console = terminal(width, monkeypatch)
    progress = RichProgress(console, refresh_per_second=0.1)  # refreshed by the lines printed above it
    edst_stream(progress)
    output = console.file.getvalue()
    lines = screen_lines(output)
    assert max(cell_len(line) for line in lines) <= width
    shown = "\n".join(lines)
    # The live lines: where, steps of all, ETA and the last batch's metrics.
    assert "edst refinement 1/3 epoch 2/4  tickets 0/3" in shown
    assert re.search(r"\b88/176  ETA \d", shown) and "loss 0.0202" in shown and "accuracy 0.9943" in shown
    assert sum(bool(EPOCH_LINE.search(line)) for line in lines) == 4  # one summary per epoch
    assert "val_accuracy 0.9801" in shown and "density 0.200" in shown
    assert "ticket 0 (1/3) saved at epoch 4" in shown and "run finished" in shown
    assert "\x1b[" in output and output.endswith("ensemble accuracy 0.9712\n")  # live, then stopped


def test_steps_are_counted_by_execution_in_the_live_display(monkeypatch):
    console = terminal(80, monkeypatch)
    progress = RichProgress(console, refresh_per_second=0.1)
    progress.on_event(run_start())
    progress.on_event(epoch_end(1))  # after one epoch (its hooks are not needed here)
    train_epoch(progress, 1, stop=24)  # 3 executions of 8 steps into the second epoch
    assert (progress.done, progress.total) == (STEPS + 24, 4 * STEPS)
    progress.live.refresh()
    assert f"{STEPS + 24}/{4 * STEPS}" in screen_lines(console.file.getvalue())[-1]
    train_epoch(progress, 1)  # the last execution is short: 44 = 5 x 8 + 4
    assert progress.done == 2 * STEPS
    progress.on_event({"type": "run_end", "status": "interrupted", "error": "KeyboardInterrupt", "summary": None})
    assert "run interrupted" in console.file.getvalue() and progress.live is None


def test_narrow_terminal_puts_the_metrics_on_a_third_line(monkeypatch):
    console = terminal(40, monkeypatch)
    progress = RichProgress(console, refresh_per_second=0.1)
    progress.on_event(run_start())
    train_epoch(progress, 0, stop=16)
    progress.live.refresh()
    lines = screen_lines(console.file.getvalue())
    assert max(cell_len(line) for line in lines) <= 40
    assert lines[-1] == "loss 0.0202  accuracy 0.9943" and "16/176  ETA" in lines[-2]
    progress.on_event({"type": "run_end", "status": "finished", "error": None, "summary": {}})


def test_log_output_is_plain_lines_one_per_epoch():
    console = Console(file=io.StringIO(), force_terminal=False, width=80)
    progress = RichProgress(console)
    assert not progress.dynamic
    edst_stream(progress, epochs=5)
    output = console.file.getvalue()
    assert "\x1b" not in output and "\r" not in output
    lines = output.splitlines()
    assert len(lines) == 1 + 1 + 5 + 1 + 1 + 1  # start, phase, epochs, ticket, ensemble, end
    assert lines[0].startswith("starting edst run edst_demo-20261204-031500: wrn-28-10 on cifar10")
    assert "36,497,146 parameters" in lines[0] and "3 tickets, 5 epochs of 44 steps" in lines[0]
    assert lines[1] == "edst refinement 1/3 starts at epoch 0 (step 0)"
    assert lines[2] == ("edst refinement 1/3 epoch 1/5  44 steps 3.1s  loss 0.0202  accuracy 0.9943  "
                        "val_loss 0.0512  val_accuracy 0.9801  density 0.200")  # whole, though > 80
    assert [bool(EPOCH_LINE.search(line)) for line in lines] == [False, False, *[True] * 5, False, False, False]
    assert lines[-3] == "ticket 0 (1/3) saved at epoch 5: tickets/ticket_0.keras  test_accuracy 0.9712"
    assert lines[-2] == "ensemble of 1 ticket:  accuracy 0.9712  nll 0.0934  ece 0.0121"
    assert lines[-1].startswith("run finished after ") and lines[-1].endswith("ensemble accuracy 0.9712")


def test_members_phases_and_tickets_of_an_ensemble_of_runs():
    console = Console(file=io.StringIO(), force_terminal=False, width=80)
    progress = RichProgress(console)
    progress.on_event(run_start(protocol="deep_ensemble", single_run=False, density=1.0, members=2,
                                epochs=2, total_epochs=4))
    for member in (0, 1):
        # No `label` (events of ftk 0.1): the protocol names the phase.
        progress.on_event({"type": "phase_start", "member": member, "phase": "training", "index": 1, "of": 1,
                           "epoch": 0, "step": 0})
        for epoch in (1, 2):
            progress.on_event(epoch_end(epoch, member, global_epoch=2 * member + epoch))
        progress.on_event({"type": "ticket_saved", "index": member, "member": member, "epoch": 2,
                           "path": f"tickets/ticket_{member}.keras", "val_accuracy": None,
                           "test_accuracy": None, "density": 1.0})
    lines = console.file.getvalue().splitlines()
    assert "deep_ensemble member 2/2 training starts at epoch 0 (step 0)" in lines
    assert lines[-2].startswith("deep_ensemble member 2/2 training epoch 2/2  44 steps")
    assert "density" not in lines[-2]  # a dense protocol
    assert lines[-1] == "ticket 1 (2/2) saved at epoch 2: tickets/ticket_1.keras"
    assert progress.tickets == 2 and progress.done == progress.total == 4 * STEPS


def test_a_resumed_run_counts_its_earlier_tickets_and_steps():
    progress = RichProgress(Console(file=io.StringIO(), force_terminal=False))
    progress.on_event(run_start(resumed=True, epochs=9, total_epochs=9))
    progress.on_event({"type": "phase_start", "member": 0, "phase": "refinement", "index": 3, "of": 3,
                       "label": "refinement 3/3", "epoch": 6, "step": 6 * STEPS})
    progress.dynamic = True  # count the steps as a terminal would
    train_epoch(progress, 7, stop=8)
    assert progress.tickets == 2 and progress.done == 7 * STEPS + 8
    assert console_text(progress).startswith("resuming edst run")


def test_a_member_trained_on_its_own_counts_its_own_epochs():
    progress = RichProgress(Console(file=io.StringIO(), force_terminal=False))
    progress.on_event(run_start(protocol="deep_ensemble", single_run=False, members=3, epochs=5,
                                total_epochs=15, member_runs=3, trained_member=2))
    assert progress.total == 5 * STEPS
    progress.on_event(epoch_end(1, member=2, global_epoch=11))
    assert progress.done == STEPS and progress.tickets == 0
    assert "deep_ensemble member 3/3 training epoch 1/5" in console_text(progress)


def console_text(progress) -> str:
    return progress.console.file.getvalue()


def test_ftk_run_piped_writes_plain_log_lines(tmp_path):
    run_dir = tmp_path / "run"
    done = subprocess.run([sys.executable, "-m", "ftk.cli", "run", "test_edst", "--run-dir", str(run_dir)],
                          capture_output=True, text=True, timeout=600,
                          env={**os.environ, "COLUMNS": "80", "TERM": "xterm-256color"})
    assert done.returncode == 0, done.stderr
    log = done.stderr
    assert "\x1b" not in log and "\r" not in log
    lines = [line for line in log.splitlines() if line.strip()]
    assert lines[0].startswith("starting edst run run: mlp on digits")
    assert [line for line in lines if EPOCH_LINE.search(line)] == [
        line for line in lines if line.startswith("edst ") and " epoch " in line and "starts" not in line]
    epochs = [line for line in lines if EPOCH_LINE.search(line)]
    assert [line.split("  ")[0] for line in epochs] == [
        "edst exploration epoch 1/6", "edst exploration epoch 2/6", "edst refinement 1/2 epoch 3/6",
        "edst refinement 1/2 epoch 4/6", "edst refinement 2/2 epoch 5/6", "edst refinement 2/2 epoch 6/6"]
    assert all("loss" in line and "accuracy" in line and "density" in line for line in epochs)
    assert sum(" starts at epoch " in line for line in lines) == 3
    tickets = [i for i, line in enumerate(lines) if line.startswith("ticket ")]
    assert [lines[i].split(":")[0] for i in tickets] == ["ticket 0 (1/2) saved at epoch 4",
                                                         "ticket 1 (2/2) saved at epoch 6"]
    assert [lines[i - 1].split("  ")[0] for i in tickets] == [epochs[3].split("  ")[0], epochs[5].split("  ")[0]]
    assert [lines[i + 1].split(":")[0] for i in tickets] == ["ensemble of 1 ticket", "ensemble of 2 tickets"]
    assert lines[-1].startswith("run finished after ")
    assert "test accuracy" in done.stdout and "Run directory:" in done.stdout


def test_ftk_run_on_an_80_column_terminal_keeps_one_line_per_epoch(tmp_path):
    import fcntl
    import pty
    import select
    import struct
    import termios

    master, terminal_end = pty.openpty()
    fcntl.ioctl(terminal_end, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    with open(tmp_path / "stdout", "w") as stdout:
        process = subprocess.Popen(
            [sys.executable, "-m", "ftk.cli", "run", "test_edst", "--run-dir", str(tmp_path / "run")],
            stdin=subprocess.DEVNULL, stdout=stdout, stderr=terminal_end,
            env={**env, "TERM": "xterm-256color"})
    os.close(terminal_end)
    screen = b""
    while select.select([master], [], [], 300)[0]:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # the terminal's other end is closed: the run is over
            break
        if not chunk:
            break
        screen += chunk
    os.close(master)
    assert process.wait(timeout=60) == 0, screen.decode()[-2000:]
    output = screen.decode()
    assert "\x1b[" in output  # a live display
    lines = screen_lines(output)
    assert max(cell_len(line) for line in lines) <= 80
    assert sum(bool(EPOCH_LINE.search(line)) for line in lines) == 6
    assert re.search(r"\b\d+/48  ETA ", "\n".join(lines))
    assert "Run directory:" in (tmp_path / "stdout").read_text()
