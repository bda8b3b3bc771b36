"""`ftk/ensemble` imports nothing of ftk but `ftk.ensemble` and `ftk.sparse` (DESIGN section 2).

Checked statically over the source of every module, at any depth: imports in
functions and in `if TYPE_CHECKING:` blocks count, as do relative imports and
`importlib.import_module("ftk....")` with a literal name.
"""

from __future__ import annotations

import ast
import pathlib

import pytest

ROOT = pathlib.Path(__file__).parents[2]
PACKAGE = ROOT / "ftk" / "ensemble"
ALLOWED = ("ftk.ensemble", "ftk.sparse")
MODULES = sorted(PACKAGE.rglob("*.py"))


def module_name(path: pathlib.Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_names(source: str, module: str, is_package: bool = False) -> list[tuple[int, str]]:
    """`(line, dotted name)` of everything `source` imports; `from a import b` gives `a.b`."""
    package = module if is_package else module.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1])
                base = ".".join(p for p in (anchor, base) if p)
            found += [(node.lineno, f"{base}.{alias.name}") for alias in node.names]
        elif isinstance(node, ast.Call) and _is_import_call(node.func) and node.args:
            first = node.args[0]
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                found.append((node.lineno, first.value))
    return found


def _is_import_call(func: ast.expr) -> bool:
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
    return name in ("import_module", "__import__")


def forbidden(names: list[tuple[int, str]]) -> list[str]:
    """The names of ftk outside `ALLOWED`, as `"line N: name"`."""
    def inside(name: str, package: str) -> bool:
        return name == package or name.startswith(package + ".")

    return [f"line {line}: {name}" for line, name in names
            if inside(name, "ftk") and not any(inside(name, p) for p in ALLOWED)]


def test_the_check_sees_every_kind_of_import():
    source = (
        "import ftk\n"
        "from ftk import atomic\n"
        "from ftk.sparse import sparsify\n"
        "from . import ensemble\n"
        "from .. import recipes\n"
        "if TYPE_CHECKING:\n    from ftk.recipes import Recipe\n"
        "def f():\n    from ftk.run_dir import load_keras_file\n"
        "    importlib.import_module('ftk.protocols')\n"
    )
    assert forbidden(imported_names(source, "ftk.ensemble.plots.x")) == [
        "line 1: ftk", "line 2: ftk.atomic", "line 7: ftk.recipes.Recipe",
        "line 9: ftk.run_dir.load_keras_file", "line 10: ftk.protocols",
    ]
    assert forbidden(imported_names("from .. import recipes\n", "ftk.ensemble.x")) == [
        "line 1: ftk.recipes"]


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_ensemble_imports_only_ensemble_and_sparse(path):
    names = imported_names(path.read_text(), module_name(path), path.name == "__init__.py")
    assert forbidden(names) == [], f"{path.relative_to(ROOT)} imports outside {ALLOWED}"


def test_every_module_is_checked():
    assert {"ensemble.py", "distillation.py", "trajectories.py"} <= {p.name for p in MODULES}
    assert any(p.parent.name == "plots" for p in MODULES) and any(p.parent.name == "metrics" for p in MODULES)
