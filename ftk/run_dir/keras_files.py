"""Loading the `.keras` files of a run folder with errors that name the file."""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

from ftk.run_dir.state import RunDirectoryError


def load_keras_file(path: str | os.PathLike, what: str = "model"):
    """Loads a `.keras` file, or raises an error that says which file and what is wrong.

    Keras reports a truncated file as "File not found" and garbled bytes as
    a bare `BadZipFile`; this names the file instead.

    Args:
        path: the `.keras` file.
        what: what the file is, for the message (e.g. `"ticket 1"`).

    Returns:
        The loaded Keras model (masked layers need `import ftk`, which the
        caller has done).

    Raises:
        RunDirectoryError: if the file is missing or not a readable model.
    """
    import keras

    path = Path(path)
    if not path.is_file():
        raise RunDirectoryError(f"The {what} '{path}' is missing.")
    if not zipfile.is_zipfile(path):
        raise RunDirectoryError(
            f"The {what} '{path}' is not a .keras file: it is truncated or corrupted "
            f"({path.stat().st_size} bytes, no zip directory)."
        )
    try:
        return keras.saving.load_model(path)
    except Exception as error:
        reason = str(error).strip().splitlines()[0][:200] if str(error).strip() else ""
        raise RunDirectoryError(
            f"The {what} '{path}' could not be loaded: {type(error).__name__}: {reason}"
        ) from error
