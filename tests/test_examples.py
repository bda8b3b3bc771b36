"""The example script runs and learns."""

import re
import runpy
from pathlib import Path

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "digits_demo.py"


def test_digits_demo_trains_a_sparse_mlp(capsys):
    runpy.run_path(str(EXAMPLE), run_name="__main__")
    out = capsys.readouterr().out
    accuracy = float(re.search(r"digits test accuracy: ([0-9.]+)", out).group(1))
    density = float(re.search(r"overall density: ([0-9.]+)", out).group(1))
    assert accuracy > 0.9
    assert abs(density - 0.1) < 1e-3
    assert "topology updates: " in out and "dense1/kernel" in out
