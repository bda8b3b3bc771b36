"""Package-level behaviour: the import error without TensorFlow, the public API."""

import subprocess
import sys

import ftk


def test_import_without_tensorflow_names_the_extra_to_install():
    code = "import sys; sys.modules['tensorflow'] = None; import ftk"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode != 0
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith("ImportError: ftk needs TensorFlow")
    assert "pip install 'ftk[cpu]'" in last and "ftk[cuda]" in last


def test_public_api():
    for name in ("sparsify", "strip", "density", "layer_densities", "DynamicSparsity", "EDST",
                 "PruneAndFinetune", "Ensemble", "metrics", "Prunable", "layers"):
        assert hasattr(ftk, name), name
    assert ftk.layers.MaskedConv2D.__name__ == "MaskedConv2D"
