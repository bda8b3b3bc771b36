"""Checks that TensorFlow and the Keras TensorFlow backend are available."""

import os

_INSTALL_HINT = (
    "Install ftk with a TensorFlow extra: `pip install 'ftk[cpu]'` on a CPU "
    "machine, or `pip install 'ftk[cuda]'` for NVIDIA GPUs."
)


def ensure_tensorflow_backend() -> None:
    """Selects the Keras TensorFlow backend and checks that TensorFlow imports.

    Raises:
        ImportError: if TensorFlow is not installed, with the extra to install.
        RuntimeError: if `KERAS_BACKEND` names another backend.
    """
    backend = os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    # TensorFlow's C++ start-up chatter (INFO lines) drowns ftk's own output.
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "1")
    if backend != "tensorflow":
        raise RuntimeError(
            "ftk runs on the Keras TensorFlow backend. Received: "
            f"KERAS_BACKEND={backend!r}. Unset it or set KERAS_BACKEND=tensorflow."
        )
    try:
        import tensorflow  # noqa: F401
    except ImportError as error:
        raise ImportError(f"ftk needs TensorFlow, which is not installed. {_INSTALL_HINT}") from error
