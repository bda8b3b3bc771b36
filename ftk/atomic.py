"""Writes that never leave a half-written file: write a temporary file, then rename.

Files get the mode a plain `open(path, "w")` would give them: 0o666 less the
umask for a new file (0o644 under umask 022), the old mode for a file that is
replaced. The temporary file sits beside its target, named
`.<name>.tmp-<random>` (with `.keras` appended for models, as Keras requires),
so that a folder left by a killed process can be cleaned with
`remove_stale_temp_files`.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import shutil
import signal
import stat
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

if TYPE_CHECKING:
    import keras

_TEMP_MARK = ".tmp-"
_TEMP_NAME = re.compile(r"^\..+\.tmp-[0-9a-f]{16}(\.keras)?$")
# Names of earlier versions: `tempfile.mkstemp`'s `.<name>.<8 random characters>.tmp` and `.<stem>.tmp.keras`.
_OLD_TEMP_NAME = re.compile(r"^\..+\.[a-z0-9_]{8}\.tmp$|^\..+\.tmp\.keras$")
_NEW_FILE_MODE = 0o666  # less the umask, as `open` creates files


def _temp_path(path: Path, suffix: str = "") -> Path:
    """A fresh temporary name beside `path`: `.<name>.tmp-<16 hex digits><suffix>`."""
    return path.with_name(f".{path.name}{_TEMP_MARK}{secrets.token_hex(8)}{suffix}")


def _create(path: Path) -> tuple[Path, int]:
    """Creates a new temporary file beside `path`; returns its path and descriptor.

    `os.open` with 0o666 lets the kernel apply the umask (and a default ACL) exactly
    as `open(path, "w")` would, without reading the process-wide umask.
    """
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
    flags |= getattr(os, "O_BINARY", 0)  # Windows: newlines are `io`'s business, as for `open`
    while True:
        tmp = _temp_path(path)
        try:
            return tmp, os.open(tmp, flags, _NEW_FILE_MODE)
        except FileExistsError:  # 2**-64 odds; pick another name
            continue


def _keep_mode(tmp: Path, path: Path) -> None:
    """Gives `tmp` the permission bits of `path` when `path` exists (as rewriting it
    in place would keep them)."""
    try:
        mode = stat.S_IMODE(os.stat(path).st_mode)
    except FileNotFoundError:
        return
    os.chmod(tmp, mode)


@contextlib.contextmanager
def replacing(path: str | os.PathLike, mode: str = "w") -> Iterator[IO]:
    """Yields a temporary file beside `path` that replaces `path` if the block succeeds.

    On an error the temporary file is removed and `path` keeps its old content.
    The file gets the mode `open(path, mode)` would give it (see the module).

    Args:
        path: The file to write.
        mode: A writing mode of `open`; text is UTF-8. Defaults to `"w"`.

    Example:

    ```python
    with atomic.replacing("metrics.json") as file:
        json.dump(results, file)
    ```
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp, fd = _create(path)
    try:
        with os.fdopen(fd, mode, encoding=None if "b" in mode else "utf-8") as file:
            yield file
            file.flush()
            os.fsync(file.fileno())
        _keep_mode(tmp, path)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_text(path: str | os.PathLike, text: str) -> None:
    """Atomically replaces `path` with `text` (UTF-8)."""
    with replacing(path) as file:
        file.write(text)


def write_json(path: str | os.PathLike, data: Any) -> None:
    """Atomically replaces `path` with `data` as indented JSON."""
    write_text(path, json.dumps(data, indent=2, sort_keys=True) + "\n")


def save_model(model: keras.Model, path: str | os.PathLike) -> None:
    """Atomically saves `model` as a `.keras` file at `path`.

    Keras insists on the `.keras` suffix, so the temporary file is
    `.<name>.tmp-<random>.keras` beside `path`; Keras creates it with `open`,
    so it gets the same mode as the files of `replacing`.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = _temp_path(path, ".keras")
    try:
        model.save(tmp)
        _keep_mode(tmp, path)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


@contextlib.contextmanager
def replacing_directory(path: str | os.PathLike) -> Iterator[Path]:
    """Yields a temporary folder beside `path` that replaces `path` if the block succeeds.

    For writers that fill a whole folder (a TensorFlow SavedModel). An
    existing `path` is kept until the new folder is complete, then swapped out
    by two renames and deleted; on an error the temporary folder is removed
    and `path` is left as it was.

    Args:
        path: The folder to write.

    Example:

    ```python
    with atomic.replacing_directory("serving/ensemble") as folder:
        model.export(folder, format="tf_saved_model")
    ```
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = _temp_path(path)
    try:
        yield tmp
        if path.exists():
            old = _temp_path(path)
            os.replace(path, old)
            os.replace(tmp, path)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(tmp, path)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


@contextlib.contextmanager
def uninterrupted() -> Iterator[None]:
    """Holds SIGINT and SIGTERM back while files that belong together are written.

    A Ctrl-C (or a scheduler's SIGTERM) that arrives inside the block is
    delivered when it ends, so a checkpoint and the state that records its
    checksum are never left half-written as a pair. The signals' handlers
    are swapped for ones that only note them (only the main thread can);
    elsewhere the block runs as is.

    Example:

    ```python
    with atomic.uninterrupted():
        atomic.save_model(model, folder / "model.keras")
        atomic.write_json(folder / "state.json", state)
    ```
    """
    if threading.current_thread() is not threading.main_thread():
        yield  # only the main thread receives Python signal handlers
        return
    pending: list[int] = []
    held = {signum: signal.signal(signum, lambda signum, frame: pending.append(signum))
            for signum in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for signum, handler in held.items():
            signal.signal(signum, handler)
        for signum in dict.fromkeys(pending):
            signal.raise_signal(signum)  # now handled as it would have been


def is_temp_file(path: str | os.PathLike) -> bool:
    """Whether `path` is named like a temporary file of this module (or of its
    earlier versions)."""
    name = Path(path).name
    return bool(_TEMP_NAME.match(name) or _OLD_TEMP_NAME.match(name))


def remove_stale_temp_files(folder: str | os.PathLike) -> list[Path]:
    """Deletes the temporary files that writes in `folder` (and below) left behind.

    A process killed during an atomic write leaves its temporary file beside the
    target. Call this only while nothing writes to `folder`, e.g. when a run is
    resumed: a write in progress would lose its temporary file.

    Args:
        folder: The folder to clean, for example a run directory. A missing
            folder has nothing to clean.

    Returns:
        The files deleted.

    Example:

    ```python
    atomic.remove_stale_temp_files("runs/edst_wrn")
    ```
    """
    removed = []
    for root, _, names in os.walk(folder):
        for name in names:
            path = Path(root, name)
            if is_temp_file(path) and not path.is_symlink():
                path.unlink(missing_ok=True)
                removed.append(path)
    return sorted(removed)
