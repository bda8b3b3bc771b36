"""`ftk_tui` reads files only: it must not import TensorFlow, Keras or `ftk`."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _run(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)


def test_ftk_tui_does_not_import_tensorflow_keras_or_ftk() -> None:
    result = _run(
        "import ftk_tui.app, sys; "
        "bad = [m for m in sys.modules if m.split('.')[0] in ('tensorflow', 'keras', 'ftk')]; "
        "assert not bad, bad"
    )
    assert result.returncode == 0, result.stderr


def test_import_is_quick() -> None:
    result = _run("import time; t = time.perf_counter(); import ftk_tui.app; print(time.perf_counter() - t)")
    assert result.returncode == 0, result.stderr
    assert float(result.stdout) < 1.0


def test_help_runs_without_a_terminal() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "ftk_tui", "--help"], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0 and "--refresh" in result.stdout


def test_missing_path_is_an_error() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "ftk_tui", "/no/such/runs"], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 2 and "no such run directory" in result.stderr


def test_a_state_table_without_rows_is_refused() -> None:
    import pytest

    from ftk_tui.widgets.state_table import StateTable

    with pytest.raises(TypeError, match="state_rows"):
        type("Rowless", (StateTable,), {"PART": "layers", "COLUMNS": ("a",)})
