"""`TicketCommitter`: a member run's announcements, with each new ticket committed first."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path

import keras

from ftk.protocols.ticket_board import TicketBoard
from ftk.run_dir import RunState, file_record, load_keras_file
from ftk.run_dir.events import TicketSaved


class TicketCommitter:
    """Commits tickets into the run state and evaluates them, then announces them.

    It listens to the callbacks of a member run (`watch`) and passes their
    announcements on to its own listeners (the run's `EventLog`): phase
    starts and topology updates as they are, a `TicketSaved` once the ticket
    is recorded in `state.tickets` (with its size and checksum) and
    evaluated, with its test accuracy and the ensemble so far. The runner
    commits the tickets it saves itself with `commit` and `announce`.

    Args:
        state: the run state; its `tickets` ledger is updated in place.
        board: evaluates tickets and the ensemble on the test split.
        members: makes a ticket's ensemble members (`Protocol.ensemble_members`).
    """

    def __init__(self, state: RunState, board: TicketBoard,
                 members: Callable[[list[keras.Model]], list[keras.Model]]):
        self.state = state
        self.board = board
        self.members = members
        self._listeners: list[Callable] = []

    def add_listener(self, listener: Callable) -> None:
        """Calls `listener(announcement)` for everything this committer passes on."""
        self._listeners.append(listener)

    def watch(self, callbacks: list) -> None:
        """Listens to every callback in `callbacks` that makes announcements."""
        for callback in callbacks:
            if hasattr(callback, "add_listener"):
                callback.add_listener(self._on_announcement)

    def commit(self, event: TicketSaved, model: keras.Model | None = None) -> TicketSaved:
        """Records and evaluates the ticket of `event`; returns `event` with the results.

        Args:
            event: the saved ticket.
            model: the ticket's model; loaded from `event.path` when `None`.
        """
        ticket = model if model is not None else load_keras_file(event.path, f"ticket {event.index}")
        self.state.tickets[event.index] = file_record(Path(event.path))
        ensemble = self.board.add(event.index, ticket, self.members([ticket]))
        return dataclasses.replace(event, test_accuracy=self.board.accuracy(event.index), ensemble=ensemble)

    def announce(self, announcement) -> None:
        """Passes `announcement` on to the listeners."""
        for listener in self._listeners:
            listener(announcement)

    def _on_announcement(self, announcement) -> None:
        if isinstance(announcement, TicketSaved):
            # Committed with the checkpoint written at the end of this epoch.
            announcement = self.commit(announcement)
        self.announce(announcement)
