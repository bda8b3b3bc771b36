"""The run-directory contract that `ftk run` writes and `ftk eval` reads (docs/run_directory.md)."""

from ftk.run_dir.keras_files import load_keras_file
from ftk.run_dir.state import (
    CHECKPOINT,
    STATE,
    RunDirectoryError,
    RunState,
    committed_ticket_paths,
    file_record,
    ticket_path,
)

__all__ = [
    "CHECKPOINT",
    "STATE",
    "RunDirectoryError",
    "RunState",
    "committed_ticket_paths",
    "file_record",
    "load_keras_file",
    "ticket_path",
]
