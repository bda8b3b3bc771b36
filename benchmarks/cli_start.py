"""How fast `ftk` commands start: wall time of each in a fresh interpreter.

Prints JSON with, for each command, the median wall time over `--repeats`
runs (each a new process, output discarded) and its ratio to `python -c pass`,
the cost of starting Python at all. The commands that need no model (help,
usage errors, `ftk recipes`, `ftk validate --no-build`) import no TensorFlow;
`ftk validate RECIPE` builds the model and shows what TensorFlow costs.

Usage: `python benchmarks/cli_start.py [--repeats 5]`.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RECIPE = "recipes/test_dense.yaml"

#: name -> (ftk arguments, expected exit status)
COMMANDS: dict[str, tuple[list[str], int]] = {
    "ftk --help": (["--help"], 0),
    "ftk run --help": (["run", "--help"], 0),
    "ftk recipes": (["recipes"], 0),
    f"ftk validate {RECIPE} --no-build": (["validate", RECIPE, "--no-build"], 0),
    "ftk run (usage error)": (["run"], 2),
    f"ftk validate {RECIPE} (builds the model)": (["validate", RECIPE], 0),
}


def ftk_command() -> list[str]:
    """The `ftk` console script next to this Python, else `python -m ftk.cli`."""
    script = Path(sys.executable).with_name("ftk")
    return [str(script)] if script.is_file() else [sys.executable, "-m", "ftk.cli"]


def wall_times(command: list[str], repeats: int, expected: int = 0) -> list[float]:
    """Seconds each of `repeats` runs of `command` takes, from start to exit."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        done = subprocess.run(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        times.append(time.perf_counter() - start)
        if done.returncode != expected:
            raise SystemExit(f"{command} exited with {done.returncode}:\n{done.stderr.decode()}")
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    python = statistics.median(wall_times([sys.executable, "-c", "pass"], args.repeats))
    ftk = ftk_command()
    results = {}
    for name, (arguments, expected) in COMMANDS.items():
        median = statistics.median(wall_times(ftk + arguments, args.repeats, expected))
        results[name] = {"median_seconds": round(median, 3), "ratio_to_python": round(median / python, 1)}
    print(json.dumps({
        "benchmark": "cli_start",
        "repeats": args.repeats,
        "python_c_pass_seconds": round(python, 3),
        "commands": results,
        "environment": {"python": platform.python_version(), "machine": platform.machine(),
                        "cpus": os.cpu_count(), "load_average": os.getloadavg()[0]},
    }, indent=2))


if __name__ == "__main__":
    main()
