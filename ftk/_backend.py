"""Checks that TensorFlow and the Keras TensorFlow backend are available, without importing them."""

import importlib.util
import os
import sys

_INSTALL_HINT = (
    "Install ftk with a TensorFlow extra: `pip install 'ftk[cpu]'` on a CPU "
    "machine, or `pip install 'ftk[cuda]'` for NVIDIA GPUs."
)

#: `TF_CPP_MIN_LOG_LEVEL` as the user set it, before ftk chose a default (None: unset).
user_tf_log_level = os.environ.get("TF_CPP_MIN_LOG_LEVEL")


def ensure_tensorflow_backend() -> None:
    """Selects the Keras TensorFlow backend and checks that TensorFlow is installed.

    The check finds TensorFlow's package without importing it, so that
    `import ftk` stays fast; TensorFlow is imported by the first part of ftk
    that needs it.

    Raises:
        ImportError: if TensorFlow is not installed, with the extra to install.
        RuntimeError: if `KERAS_BACKEND` names another backend, or Keras was
            already imported with another backend.
    """
    backend = os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    # TensorFlow's C++ start-up chatter (INFO lines) drowns ftk's own output.
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "1")
    keras = sys.modules.get("keras")
    backend_of_keras = getattr(getattr(keras, "backend", None), "backend", None)
    if callable(backend_of_keras):
        backend = backend_of_keras()
    if backend != "tensorflow":
        raise RuntimeError(
            "ftk runs on the Keras TensorFlow backend. Received: "
            f"KERAS_BACKEND={backend!r}. Unset it or set KERAS_BACKEND=tensorflow."
        )
    if not _installed("tensorflow"):
        raise ImportError(f"ftk needs TensorFlow, which is not installed. {_INSTALL_HINT}")


def _installed(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):  # a `None` or half-imported entry in sys.modules
        return False
