"""The run-directory contract that `ftk run` writes and `ftk eval` reads (docs/run_directory.md).

Paths, the state and its ledger of committed files, the events and the
writers of the folder (`EventLog`, `RunCheckpoint`, `save_ticket`). It
imports nothing of callbacks or protocols; those import it. The writers
need Keras and are imported when first used.
"""

from ftk._lazy import lazy_attributes
from ftk.run_dir.keras_files import load_keras_file
from ftk.run_dir.paths import CHECKPOINT, STATE, ticket_path
from ftk.run_dir.state import RunDirectoryError, RunState, committed_ticket_paths, file_record

__getattr__, __dir__ = lazy_attributes(__name__, {
    "EventLog": "ftk.run_dir.event_log",
    "RunCheckpoint": "ftk.run_dir.checkpoint",
    "save_ticket": "ftk.run_dir.tickets",
    "TrainingDiverged": "ftk.run_dir.finite",
    "is_chief": "ftk.run_dir.chief",
})

__all__ = [
    "CHECKPOINT",
    "STATE",
    "EventLog",
    "RunCheckpoint",
    "RunDirectoryError",
    "RunState",
    "TrainingDiverged",
    "committed_ticket_paths",
    "file_record",
    "is_chief",
    "load_keras_file",
    "save_ticket",
    "ticket_path",
]
