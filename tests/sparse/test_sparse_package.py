"""`ftk.sparse` names its API lazily, and every name resolves to what it did when eager."""

import subprocess
import sys
import textwrap
import types

import pytest

import ftk.sparse

EXPORTED_BEFORE_THE_REGISTRIES = [
    "active_count", "parameter_count", "summary", "DISTRIBUTIONS", "Prunable", "SparseWeight",
    "density", "layer_densities", "sparse_weights", "sparsify", "strip", "LayerUpdate",
    "TopologyUpdate", "update_topology",
]


@pytest.mark.parametrize("name", EXPORTED_BEFORE_THE_REGISTRIES)
def test_every_name_resolves_and_none_is_a_module(name):
    value = getattr(ftk.sparse, name)
    assert not isinstance(value, types.ModuleType)
    assert name in dir(ftk.sparse)


@pytest.mark.timeout(120)
def test_sparsify_stays_the_function_after_its_module_is_imported():
    code = textwrap.dedent("""
        from ftk.sparse.conversion import strip  # the import system binds the submodule
        import ftk.sparse
        from ftk.sparse import sparsify
        assert callable(sparsify) and sparsify.__name__ == "sparsify", sparsify
        assert ftk.sparse.sparsify is sparsify and ftk.sparse.strip is strip
    """)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-3000:]
