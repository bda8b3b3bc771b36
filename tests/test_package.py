"""Package-level behaviour: the import error without TensorFlow, a lazy public API,
ftk's Keras objects registered in either import order, no import of the TUI."""

import ast
import os
import subprocess
import sys
from pathlib import Path

import keras
import pytest

import ftk

ROOT = Path(__file__).resolve().parents[1]


def run_python(code, *args, cwd=ROOT):
    env = {**os.environ, "KERAS_BACKEND": "tensorflow", "TF_CPP_MIN_LOG_LEVEL": "3"}
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True,
                          env=env, cwd=cwd, timeout=300)


def test_import_without_tensorflow_names_the_extra_to_install():
    done = run_python("import sys; sys.modules['tensorflow'] = None; import ftk")
    assert done.returncode != 0
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith("ImportError: ftk needs TensorFlow")
    assert "pip install 'ftk[cpu]'" in last and "ftk[cuda]" in last


def test_import_ftk_imports_neither_tensorflow_nor_keras():
    code = ("import sys, ftk, ftk.recipes; "
            "print([m for m in ('tensorflow', 'keras', 'ftk.sparse.layers') if m in sys.modules])")
    done = run_python(code)
    assert done.stdout.strip() == "[]", done.stderr


def test_public_api():
    for name in ("sparsify", "strip", "density", "layer_densities", "DynamicSparsity", "EDST",
                 "PruneAndFinetune", "Ensemble", "metrics", "Prunable", "layers", "training",
                 "TopologyUpdate", "active_count", "parameter_count", "sparse_weights", "summary"):
        assert hasattr(ftk, name), name
    assert ftk.layers.MaskedConv2D.__name__ == "MaskedConv2D"
    assert callable(ftk.sparsify) and callable(ftk.strip)
    assert ftk.__version__
    assert set(ftk.__all__) <= set(dir(ftk))
    with pytest.raises(AttributeError, match="no attribute 'nothing'"):
        ftk.nothing  # noqa: B018


@pytest.fixture(scope="module")
def saved_sparse_model(tmp_path_factory):
    """A sparse model compiled with ftk's optimizer and loss, saved as `.keras`."""
    model = keras.Sequential([keras.Input((8,)), keras.layers.Dense(16, activation="relu"),
                              keras.layers.Dense(3)])
    sparse = ftk.sparsify(model, density=0.5, seed=0)
    sparse.compile(optimizer=ftk.training.SGD(0.1, momentum=0.9, weight_decay=5e-4),
                   loss=ftk.training.SparseCategoricalCrossentropy(from_logits=True))
    path = tmp_path_factory.mktemp("saved") / "sparse.keras"
    sparse.save(path)
    return path


@pytest.mark.parametrize("imports", [
    "import keras; import ftk",
    "import ftk; import keras",
    "import ftk; import tensorflow; import keras",
    "import ftk; from ftk.models import build_model; import keras",  # Keras imported by ftk itself
])
def test_saved_ftk_models_load_in_any_import_order(saved_sparse_model, imports):
    code = (
        f"{imports}\n"
        "import sys\n"
        "model = keras.saving.load_model(sys.argv[1])\n"
        "print(sorted({type(l).__name__ for l in model.layers}), type(model.optimizer).__name__,\n"
        "      type(model.loss).__name__, round(ftk.density(model), 2))\n"
    )
    done = run_python(code, str(saved_sparse_model))
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "['MaskedDense'] SGD SparseCategoricalCrossentropy 0.5"


def test_the_registration_hook_removes_itself():
    code = ("import sys, ftk; hooks = lambda: [type(f).__name__ for f in sys.meta_path if 'After' in "
            "type(f).__name__]; before = hooks(); import keras; print(before, hooks(), "
            "'ftk>MaskedDense' in keras.saving.get_custom_objects())")
    done = run_python(code)
    assert done.stdout.strip() == "['AfterKeras'] [] True", done.stderr


def test_no_module_of_ftk_imports_ftk_tui():
    """The trainer and the TUI share only the run directory (DESIGN section 2)."""
    offenders = []
    for file in sorted((ROOT / "ftk").rglob("*.py")):
        for node in ast.walk(ast.parse(file.read_text(), str(file))):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) and not node.level
                     else [])
            offenders += [f"{file.relative_to(ROOT)}:{node.lineno}" for n in names
                          if n == "ftk_tui" or n.startswith("ftk_tui.")]
    assert offenders == []
