"""`ftk` starts at once: no TensorFlow for commands without a model, no banner for the others."""

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
RECIPE = "recipes/test_dense.yaml"


def child_env(**changes):
    env = {k: v for k, v in os.environ.items() if k != "TF_CPP_MIN_LOG_LEVEL"}
    return {**env, "KERAS_BACKEND": "tensorflow", **changes}


def run_python(code, *args, **env):
    return subprocess.run([sys.executable, "-c", code, *args], cwd=ROOT, capture_output=True,
                          text=True, env=child_env(**env), timeout=300)


@pytest.mark.parametrize("argv", [
    ["--help"],
    ["run", "--help"],
    ["eval", "--help"],
    ["validate", "--help"],
    ["flops", "--help"],
    ["run"],  # usage error
    ["validate", RECIPE, "--bad-flag"],  # usage error
    ["recipes"],
    ["validate", RECIPE, "--no-build"],
])
def test_commands_without_a_model_import_no_tensorflow(argv):
    code = (
        "import sys\n"
        "from ftk.cli import main\n"
        "try:\n    status = main(sys.argv[1:])\nexcept SystemExit as exit:\n    status = exit.code\n"
        "print('STATUS', status, 'tensorflow' in sys.modules, 'keras' in sys.modules)\n"
    )
    done = run_python(code, *argv)
    last = done.stdout.strip().splitlines()[-1]
    expected = 2 if argv in (["run"], ["validate", RECIPE, "--bad-flag"]) else 0
    assert last == f"STATUS {expected} False False", done.stdout + done.stderr


def test_validate_no_build_checks_the_recipe(tmp_path):
    done = run_python("import sys; from ftk.cli import main; sys.exit(main(sys.argv[1:]))",
                      "validate", RECIPE, "--no-build")
    assert done.returncode == 0 and "ok test_dense" in done.stdout and "not built" in done.stdout
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\nprotocol: edst\nmodel: {name: mlp}\ndata: {name: digits}\n"
                   "training: {epochs: 10}\nsparsity: {density: 1.5}\ndst: {}\nedst: {explore_epochs: 20}\n")
    done = run_python("import sys; from ftk.cli import main; sys.exit(main(sys.argv[1:]))",
                      "validate", str(bad), "--no-build")
    assert done.returncode == 1 and "sparsity.density" in done.stderr


def test_help_starts_at_once():
    # `python benchmarks/cli_start.py` reports the real figure (well under 0.5 s).
    times = []
    for _ in range(3):
        start = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", "ftk.cli", "--help"], cwd=ROOT,
                              capture_output=True, text=True, env=child_env())
        times.append(time.perf_counter() - start)
        assert done.returncode == 0 and "COMMAND" in done.stdout
    assert statistics.median(times) < 1.0, times


def test_validate_hides_tensorflow_start_up_noise_unless_debug():
    quiet = subprocess.run([sys.executable, "-m", "ftk.cli", "validate", RECIPE], cwd=ROOT,
                           capture_output=True, text=True, env=child_env(), timeout=300)
    debug = subprocess.run([sys.executable, "-m", "ftk.cli", "--debug", "validate", RECIPE], cwd=ROOT,
                           capture_output=True, text=True, env=child_env(), timeout=300)
    assert quiet.returncode == 0 and debug.returncode == 0, quiet.stderr + debug.stderr
    assert "ok test_dense" in quiet.stdout and "ok test_dense" in debug.stdout
    assert "oneDNN" not in quiet.stderr and "absl::InitializeLog" not in quiet.stderr
    if "oneDNN" not in debug.stderr:
        pytest.skip("this TensorFlow prints no oneDNN notice; test_a_noisy_import_is_filtered covers it")
    assert "oneDNN" in debug.stderr


FAKE_TENSORFLOW = """\
import os
os.write(2, b"WARNING: All log messages before absl::InitializeLog() is called are written to STDERR\\n")
os.write(2, b"I0000 00:00:1 port.cc:153] oneDNN custom operations are on. You may see ...\\n")
os.write(2, b"E0000 00:00:1 cuda_dnn.cc:8310] Unable to register cuDNN factory: Attempting ...\\n")
os.write(2, b"E0000 00:00:1 cuda_fft.cc:485] Unable to register cuFFT factory: Attempting ...\\n")
os.write(2, b"E0000 00:00:1 cuda_blas.cc:1418] Unable to register cuBLAS factory: Attempting ...\\n")
os.write(2, b"W0000 00:00:1 computation_placer.cc:177] computation placer already registered.\\n")
os.write(2, b"2024 W tensorflow/compiler/tf2tensorrt/utils/py_utils.cc:38] TF-TRT Warning: no TensorRT\\n")
os.write(2, b"I0000 00:00:1 cpu_feature_guard.cc:210] This TensorFlow binary is optimized to use "
            b"available CPU instructions in performance-critical operations.\\n")
os.write(2, b"To enable the following instructions: AVX2 FMA, in other operations, rebuild TensorFlow "
            b"with the appropriate compiler flags.\\n")
os.write(2, b"a real problem\\n")
LEVEL = os.environ.get("TF_CPP_MIN_LOG_LEVEL")
"""


@pytest.mark.parametrize("enabled", [True, False])
def test_a_noisy_import_is_filtered(tmp_path, enabled):
    (tmp_path / "tensorflow").mkdir()
    (tmp_path / "tensorflow" / "__init__.py").write_text(FAKE_TENSORFLOW)
    code = (
        f"import sys; sys.path.insert(0, {str(tmp_path)!r})\n"
        "from ftk.cli.quiet_tensorflow import start_up_noise_hidden\n"
        f"with start_up_noise_hidden(enabled={enabled}):\n"
        "    import json  # other imports are left alone\n"
        "    import tensorflow\n"
        "print('LEVEL', tensorflow.LEVEL)\n"
    )
    done = run_python(code)
    assert done.returncode == 0, done.stderr
    if enabled:
        assert done.stderr == "a real problem\n"
        assert "LEVEL 2" in done.stdout
    else:
        assert done.stderr.count("\n") == 10 and "oneDNN" in done.stderr
        assert "LEVEL 1" in done.stdout  # ftk's library default
    assert done.stderr.endswith("a real problem\n")


def test_a_user_chosen_log_level_is_kept(tmp_path):
    (tmp_path / "tensorflow").mkdir()
    (tmp_path / "tensorflow" / "__init__.py").write_text(FAKE_TENSORFLOW)
    code = (
        f"import sys; sys.path.insert(0, {str(tmp_path)!r})\n"
        "from ftk.cli.quiet_tensorflow import start_up_noise_hidden\n"
        "with start_up_noise_hidden():\n    import tensorflow\n"
        "print('LEVEL', tensorflow.LEVEL)\n"
    )
    assert "LEVEL 0" in run_python(code, TF_CPP_MIN_LOG_LEVEL="0").stdout
