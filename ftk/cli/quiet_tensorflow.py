"""TensorFlow's start-up banner is hidden from `ftk` commands (shown with `ftk --debug`).

Importing TensorFlow prints C++ log lines straight to file descriptor 2, some
of them before its logging honours `TF_CPP_MIN_LOG_LEVEL` (the oneDNN notice,
twice). `start_up_noise_hidden()` sets `TF_CPP_MIN_LOG_LEVEL=2` unless the
user chose a level, and runs the import of `tensorflow`, whichever module asks
for it, with fd 2 sent to a temporary file; afterwards every line that is not
known start-up noise (`is_start_up_noise`) is written to fd 2 again, in order.
A process that dies during the import loses those lines: `ftk --debug` shows
them as they come.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import re
import sys
from collections.abc import Callable, Iterator

from ftk import _backend

#: Lines TensorFlow prints on every start, whatever the machine's state.
_NOISE = re.compile("|".join((
    r"All log messages before absl::InitializeLog\(\) is called",
    r"oneDNN custom operations are on",
    r"This TensorFlow binary is optimized to use available CPU instructions",
    r"^To enable the following instructions: .* rebuild TensorFlow",
    r"Unable to register cu(DNN|FFT|BLAS) factory",
    r"TF-TRT Warning",
    r"computation placer already registered",
    r"successful NUMA node read from SysFS had negative value",
)))


def is_start_up_noise(line: str) -> bool:
    """Whether `line` is one of TensorFlow's known start-up notices."""
    return _NOISE.search(line) is not None


@contextlib.contextmanager
def start_up_noise_hidden(enabled: bool = True) -> Iterator[None]:
    """Within the block, importing `tensorflow` prints no start-up noise.

    Args:
        enabled: `False` changes nothing (`ftk --debug`). Defaults to `True`.

    Example:

    ```python
    with start_up_noise_hidden():
        import tensorflow  # no oneDNN notice
    ```
    """
    if not enabled or "tensorflow" in sys.modules:
        yield
        return
    if _backend.user_tf_log_level is None:
        os.environ["TF_CPP_MIN_LOG_LEVEL"] = "2"  # INFO and WARNING lines
    finder = _QuietImport()
    sys.meta_path.insert(0, finder)
    try:
        yield
    finally:
        with contextlib.suppress(ValueError):  # gone once tensorflow was imported
            sys.meta_path.remove(finder)


@contextlib.contextmanager
def filtered_stderr(is_noise: Callable[[str], bool] = is_start_up_noise) -> Iterator[None]:
    """Captures file descriptor 2 in the block, then writes back its lines that are not noise."""
    import tempfile

    sys.stderr.flush()
    with tempfile.TemporaryFile() as capture:
        saved = os.dup(2)
        os.dup2(capture.fileno(), 2)
        try:
            yield
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)
            capture.seek(0)
            lines = capture.read().splitlines(keepends=True)
            kept = b"".join(line for line in lines if not is_noise(line.decode(errors="replace")))
            with open(2, "wb", closefd=False) as stderr:
                stderr.write(kept)


class _QuietImport:
    """One-shot `sys.meta_path` finder: `tensorflow` is imported inside `filtered_stderr`."""

    def find_spec(self, name: str, path=None, target=None):
        if name != "tensorflow":
            return None
        try:
            sys.meta_path.remove(self)  # the next finders find the real spec
        except ValueError:  # another thread is at it
            return None
        spec = importlib.util.find_spec(name)
        if spec is not None and hasattr(spec.loader, "exec_module"):
            spec.loader = _QuietLoader(spec.loader)
        return spec


class _QuietLoader:
    def __init__(self, loader) -> None:
        self._loader = loader

    def create_module(self, spec):
        return self._loader.create_module(spec)

    def exec_module(self, module) -> None:
        module.__loader__ = module.__spec__.loader = self._loader
        with filtered_stderr():
            self._loader.exec_module(module)

    def __getattr__(self, name: str):
        return getattr(self._loader, name)
