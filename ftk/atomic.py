"""Writes that never leave a half-written file: write a temporary file, then rename."""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

if TYPE_CHECKING:
    import keras


@contextlib.contextmanager
def replacing(path: str | os.PathLike, mode: str = "w") -> Iterator[IO]:
    """Yields a temporary file beside `path` that replaces `path` if the block succeeds.

    On an error the temporary file is removed and `path` keeps its old content.

    Example:

    ```python
    with atomic.replacing("metrics.json") as file:
        json.dump(results, file)
    ```
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, mode) as file:
            yield file
            file.flush()
            os.fsync(file.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_text(path: str | os.PathLike, text: str) -> None:
    """Atomically replaces `path` with `text`."""
    with replacing(path) as file:
        file.write(text)


def write_json(path: str | os.PathLike, data: Any) -> None:
    """Atomically replaces `path` with `data` as indented JSON."""
    write_text(path, json.dumps(data, indent=2, sort_keys=True) + "\n")


def save_model(model: keras.Model, path: str | os.PathLike) -> None:
    """Atomically saves `model` as a `.keras` file at `path`.

    Keras insists on the `.keras` suffix, so the temporary file is
    `.<name>.tmp.keras` beside `path`.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.stem}.tmp.keras")
    try:
        model.save(tmp)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
