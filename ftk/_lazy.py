"""Lazy package attributes: a package names its public API without importing it.

`ftk` and `ftk.sparse` use it so that `import ftk.recipes` or `ftk --help`
do not pay TensorFlow's start-up: an attribute's module is imported the first
time the attribute is read (PEP 562).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping


def lazy_attributes(
    package: str, attributes: Mapping[str, str]
) -> tuple[Callable[[str], object], Callable[[], list[str]]]:
    """Returns the module-level `__getattr__` and `__dir__` of a lazy package.

    Args:
        package: the package's `__name__`.
        attributes: public name -> the module that defines it, e.g.
            `{"sparsify": "ftk.sparse.sparsify"}`. A module path that ends
            with the name itself (`"ftk.metrics": ...`) is the module.

    Returns:
        `(__getattr__, __dir__)`, to assign at the package's top level.

    Example:

    ```python
    __getattr__, __dir__ = lazy_attributes(__name__, {"sparsify": "ftk.sparse.sparsify"})
    ```
    """
    names = dict(attributes)

    def __getattr__(name: str) -> object:
        if name not in names:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        module = importlib.import_module(names[name])
        value = module if module.__name__.rsplit(".", 1)[-1] == name and not hasattr(
            module, name) else getattr(module, name)
        globals_of(package)[name] = value  # later reads skip this function
        return value

    def __dir__() -> list[str]:
        return sorted({*globals_of(package), *names})

    return __getattr__, __dir__


def globals_of(package: str) -> dict:
    """The namespace of the (already importing) module `package`."""
    import sys

    return vars(sys.modules[package])
