"""The example scripts run and learn."""

import re
import runpy
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def run_example(name, capsys):
    runpy.run_path(str(EXAMPLES / name), run_name="__main__")
    out = capsys.readouterr().out
    accuracy = float(re.search(r"digits test accuracy: ([0-9.]+)", out).group(1))
    density = float(re.search(r"overall density: ([0-9.]+)", out).group(1))
    return out, accuracy, density


def test_digits_demo_trains_a_sparse_mlp(capsys):
    out, accuracy, density = run_example("digits_demo.py", capsys)
    assert accuracy > 0.9
    assert abs(density - 0.1) < 1e-3
    assert "topology updates: " in out and "dense1/kernel" in out


def test_custom_loop_drives_dynamic_sparsity(capsys):
    out, accuracy, density = run_example("custom_loop.py", capsys)
    assert accuracy > 0.9
    assert abs(density - 0.1) < 1e-3
    steps, updates = map(int, re.search(r"optimizer steps: (\d+), topology updates: (\d+)", out).groups())
    assert updates == (steps - 1) // 50  # every 50 steps; the last step ends the window
