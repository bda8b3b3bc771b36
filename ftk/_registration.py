"""ftk's Keras objects are registered before Keras deserializes anything.

`keras.saving.load_model` finds ftk's masked layers, optimizers, schedules
and losses by their registered names ("ftk>MaskedDense"), so the modules that
define them must have been imported by then, while `import ftk` itself stays
free of Keras and TensorFlow. `register_keras_objects()`, called by
`import ftk`, imports those modules at once when Keras is already imported.
Otherwise it installs `AfterKeras`, a one-shot `sys.meta_path` finder that
imports them as soon as `keras` has finished importing, and then removes
itself. It finds no module of its own: it wraps the loaders of `keras`,
`tensorflow` and `ftk.*` to see when their imports end, and waits until none
of them is still being imported in this thread (TensorFlow imports Keras
half-way through its own import; an ftk module can import Keras half-way
through its own), so that the registering modules never meet a partially
imported module.
"""

from __future__ import annotations

import importlib
import sys
import threading
import warnings
from importlib.machinery import ModuleSpec
from types import ModuleType

#: The modules that register classes Keras saves in `.keras` files.
MODULES = ("ftk.sparse.layers", "ftk.training")


def register_keras_objects() -> None:
    """Registers ftk's Keras objects now if Keras is imported, else once it is."""
    if "keras" in sys.modules:
        _import_modules()
    elif not any(isinstance(finder, AfterKeras) for finder in sys.meta_path):
        sys.meta_path.insert(0, AfterKeras())


def _import_modules() -> None:
    for name in MODULES:
        importlib.import_module(name)


def _watched(name: str) -> bool:
    return name in ("keras", "tensorflow") or name.startswith("ftk.")


class AfterKeras:
    """Imports `MODULES` right after `keras` (and whatever imported it) is imported."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._local = threading.local()  # .depth: watched imports under way in this thread
        self._keras_loaded = False
        self._done = False

    def find_spec(self, name: str, path=None, target=None) -> ModuleSpec | None:
        if self._done or not _watched(name):
            return None
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(name, path, target)
            if spec is not None:
                if spec.loader is not None and hasattr(spec.loader, "exec_module"):
                    spec.loader = _Watching(spec.loader, self)
                return spec
        return None

    def started(self) -> int:
        """Counts a watched import as under way; returns how many were before it."""
        depth = getattr(self._local, "depth", 0)
        self._local.depth = depth + 1
        return depth

    def ended(self, module: ModuleType, depth: int, ok: bool) -> None:
        """Counts a watched import as ended; registers once Keras and its importers are done."""
        self._local.depth = depth
        if ok and module.__name__ == "keras":
            self._keras_loaded = True
        if ok and self._keras_loaded and depth == 0:
            self._register()

    def _register(self) -> None:
        with self._lock:
            if self._done:
                return
            self._done = True
            if self in sys.meta_path:
                sys.meta_path.remove(self)
        try:
            _import_modules()
        except Exception as error:  # a hook must not make `import keras` fail
            warnings.warn(
                f"ftk could not register its Keras objects after `keras` was imported "
                f"({type(error).__name__}: {error}); `keras.saving.load_model` will not read "
                f"ftk models. `import {', '.join(MODULES)}` shows why.", RuntimeWarning, stacklevel=2)


class _Watching:
    """A loader that hands its module back to the real loader and reports the end of exec."""

    def __init__(self, loader, finder: AfterKeras) -> None:
        self._loader = loader
        self._finder = finder

    def create_module(self, spec: ModuleSpec) -> ModuleType | None:
        return self._loader.create_module(spec)

    def exec_module(self, module: ModuleType) -> None:
        # The module keeps its real loader (importlib.resources, inspect, reload use it).
        module.__loader__ = self._loader
        if module.__spec__ is not None:
            module.__spec__.loader = self._loader
        depth, ok = self._finder.started(), False
        try:
            self._loader.exec_module(module)
            ok = True
        finally:
            self._finder.ended(module, depth, ok)

    def __getattr__(self, name: str):
        return getattr(self._loader, name)
