"""Lazy package attributes: a package names its public API without importing it.

`ftk`, `ftk.sparse`, `ftk.protocols` and `ftk.run_dir` use it so that
`import ftk.recipes` or `ftk --help` do not pay TensorFlow's start-up: an
attribute's module is imported the first time the attribute is read (PEP 562).
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Mapping


def lazy_attributes(
    package: str, attributes: Mapping[str, str]
) -> tuple[Callable[[str], object], Callable[[], list[str]]]:
    """Returns the module-level `__getattr__` and `__dir__` of a lazy package.

    Args:
        package: the package's `__name__`.
        attributes: public name -> where it lives: `"module"` (the module's
            attribute of the same name; the module itself when it is the
            package's submodule of that name, e.g. `"data": "ftk.data"`),
            or `"module:attribute"`.

    Returns:
        `(__getattr__, __dir__)`, to assign at the package's top level.

    Example:

    ```python
    __getattr__, __dir__ = lazy_attributes(__name__, {
        "sparsify": "ftk.sparse.conversion",
        "Ensemble": "ftk.evaluation.run_ensemble:RunEnsemble",
    })
    ```
    """
    names = dict(attributes)

    def __getattr__(name: str) -> object:
        if name not in names:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        module_name, _, attribute = names[name].partition(":")
        module = importlib.import_module(module_name)
        if not attribute and module_name == f"{package}.{name}":
            value = module
        else:
            value = getattr(module, attribute or name)
        vars(sys.modules[package])[name] = value  # later reads skip this function
        return value

    def __dir__() -> list[str]:
        return sorted({*vars(sys.modules[package]), *names})

    return __getattr__, __dir__
