"""The import contracts of DESIGN section 2 (pyproject.toml `[tool.importlinter]`)."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.timeout(120)
def test_imports_follow_the_floors():
    command = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    assert command, "import-linter is in the dev extra: pip install -e '.[dev]'"
    done = subprocess.run([command, str(ROOT / "pyproject.toml"), "--no-cache"],
                          capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert "5 kept, 0 broken" in done.stdout


def test_a_broken_contract_fails(tmp_path):
    """The check can fail: a config forbidding an import that exists is reported broken."""
    config = tmp_path / "contracts.toml"
    config.write_text(
        '[tool.importlinter]\nroot_packages = ["ftk"]\n\n[[tool.importlinter.contracts]]\n'
        'name = "impossible"\ntype = "forbidden"\nsource_modules = ["ftk.protocols.runner"]\n'
        'forbidden_modules = ["ftk.run_dir"]\n'
    )
    command = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    done = subprocess.run([command, str(config), "--no-cache"], capture_output=True,
                          text=True, cwd=ROOT)
    assert done.returncode != 0 and "BROKEN" in done.stdout
