"""`RunLoop`: trains a protocol's member runs into a run folder, one after another."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import keras
import numpy as np

from ftk.data import Splits, load_data
from ftk.protocols import get_protocol
from ftk.protocols.base import MemberRun
from ftk.protocols.member_callbacks import member_callbacks
from ftk.protocols.resume_plan import next_member, pending_runs, verified_state
from ftk.protocols.run_file_sizes import run_file_sizes
from ftk.protocols.run_result import RunResult
from ftk.protocols.strategy import training_strategy
from ftk.protocols.ticket_board import TicketBoard
from ftk.protocols.ticket_committer import TicketCommitter
from ftk.recipes import Recipe, recipe_to_dict
from ftk.run_dir import CHECKPOINT, EventLog, RunState, file_record, load_keras_file, ticket_path
from ftk.run_dir.events import PhaseStart, TicketSaved, phase_start
from ftk.run_dir.paths import EVENTS
from ftk.run_dir.process_start import process_start
from ftk.run_dir.state import committed_tickets, file_problem
from ftk.run_dir.tickets import save_ticket
from ftk.sparse.counts import Counts
from ftk.sparse.sparse_weight import sparse_weights


class RunLoop:
    """Trains a protocol's member runs in turn into a run folder; the protocol decides the rest.

    It writes the events, checkpoints, state and tickets of the run directory
    contract (`docs/run_directory.md`) and keeps the ticket board from which
    the ensemble is evaluated as tickets arrive.

    Args:
        recipe: the validated recipe.
        path: the run folder.
        callbacks: extra Keras callbacks for every `fit`.
        on_event: called with every event written.
        home: where the state, checkpoint and events go. Defaults to `path`;
            `members/member_<i>` for a member trained on its own.
        only: the one member run to train. Defaults to `None`: every one.
        data: splits loaded for an earlier member. Defaults to loading them.
    """

    def __init__(self, recipe: Recipe, path: Path, callbacks: list, on_event,
                 home: Path | None = None, only: int | None = None, data: Splits | None = None):
        self.recipe, self.path, self.extra_callbacks, self.on_event = recipe, path, callbacks, on_event
        self.home, self.only, self.data = home or path, only, data
        self.protocol = get_protocol(recipe.protocol)
        self.runs = self.protocol.member_runs(recipe)
        self.log = EventLog(path, on_event=on_event, events=self.home / EVENTS)
        self.strategy = training_strategy(recipe.run.strategy)
        self.counts: Counts | None = None
        self.state = RunState()
        self.changed: list[str] = []

    @property
    def committed(self) -> bool:
        """Whether the run has written a checkpoint or a ticket worth resuming from."""
        if self.only is not None:  # a member trained on its own starts at `member == only`
            return bool(self.state.epoch or self.state.tickets)
        return bool(self.state.epoch or self.state.member or self.state.tickets)

    def run(self, state: RunState, resumed: bool, changed: list[str]) -> RunResult:
        """Trains what `state` leaves to train; writes `run_end` however it ends."""
        self.changed = changed
        try:
            self.load_data()
            if resumed:
                state = verified_state(self.protocol, self.recipe, self.path, state, self.home)
            self.state = state
            if self.only is not None:
                self.home.mkdir(parents=True, exist_ok=True)
                state.write(self.home)
            for index in sorted(state.tickets):  # committed tickets count again
                ticket = load_keras_file(ticket_path(self.path, index), f"ticket {index}")
                self.board.add(index, ticket, self.ensemble_members([ticket]))
            runs = self.runs if self.only is None else [self.runs[self.only]]
            for number, (run, epoch) in enumerate(pending_runs(self.protocol, runs, state)):
                self._train(run, epoch, resumed, first=number == 0)
        except BaseException as error:
            status = "interrupted" if isinstance(error, KeyboardInterrupt) else "failed"
            message = f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
            self.log.emit("run_end", status=status, error=message, summary=None)
            raise
        if self.only is not None:
            self._add_committed()
            return self.finish([ticket_path(self.path, i) for i in sorted(self.board.indices)])
        return self.finish([ticket_path(self.path, i) for i in sorted(self.state.tickets)])

    def finish(self, tickets: list[Path]) -> RunResult:
        """Writes the `run_end` event with the summary of the tickets on the board."""
        summary = self.board.summary() if self.board.member_probs else {}
        sizes = run_file_sizes(tickets, self.ensemble_members)
        self.log.emit("run_end", status="finished", error=None, summary={
            "member_accuracy": self.board.member_accuracy(),
            "ensemble_accuracy": summary.get("accuracy"),
            **(self.counts.as_dict() if self.counts else {}),
            "file_sizes": sizes.as_dict() if sizes else None,
        })
        return RunResult(self.path, tickets, self.board.member_accuracy(), summary, self.counts, sizes)

    def load_data(self) -> None:
        """Loads the recipe's data (once per process) and starts an empty ticket board."""
        if self.data is not None:  # loaded for an earlier member
            self.board = TicketBoard(self.data.test)
            return
        d = self.recipe.data
        self.data = load_data(
            d.name, batch_size=d.batch_size, eval_batch_size=d.eval_batch_size,
            validation_split=d.validation_split, augment=d.augment, data_dir=d.data_dir,
            path=d.path, seed=self.recipe.seed, limit=d.limit,
        )
        self.board = TicketBoard(self.data.test)

    def ensemble_members(self, tickets: list[keras.Model]) -> list[keras.Model]:
        """The models that stand for `tickets` in the ensemble (the protocol's choice)."""
        return self.protocol.ensemble_members(tickets, self.recipe)

    def _add_committed(self) -> None:
        """Puts the tickets other processes have committed so far on the board.

        A member trained on its own reports the ensemble of every ticket
        committed so far, as a sequential run does; a ticket whose file is
        not (yet, or any more) what was recorded is left out.
        """
        records = committed_tickets(self.path, strict=False) or {}
        for index, record in sorted(records.items()):
            if index in self.board.indices or index in self.state.tickets:
                continue
            path = ticket_path(self.path, index)
            if file_problem(path, record) is None:
                ticket = load_keras_file(path, f"ticket {index}")
                self.board.add(index, ticket, self.ensemble_members([ticket]))

    # One member run.

    def _train(self, run: MemberRun, initial_epoch: int, resumed: bool, first: bool) -> None:
        keras.utils.set_random_seed(run.seed)
        model = self._model(run, initial_epoch)
        if first:
            self._run_start(model, resumed)
        self.state.member, self.state.epoch = run.index, initial_epoch
        if initial_epoch == 0 and not self.protocol.single_run:  # single runs announce their phases
            self.log.write(phase_start(PhaseStart("training", 1, 1, 0, 0), run.index,
                                       self.protocol.phase_label("training", 1, 1)))
        committer = TicketCommitter(self.state, self.board, self.ensemble_members)
        callbacks = member_callbacks(
            self.recipe, self.protocol, self.path, run,
            epoch_offset=sum(r.epochs for r in self.runs[: run.index]), committer=committer,
            state_fn=lambda done: self._checkpoint_state(run, done), on_event=self.on_event,
            record_inputs=self._record_inputs, home=self.home,
        )
        model.fit(
            self.data.train_from(initial_epoch, order_seed=run.seed),
            epochs=run.epochs, initial_epoch=initial_epoch,
            steps_per_epoch=self.data.steps_per_epoch, validation_data=self.data.val,
            callbacks=[*callbacks, *self.extra_callbacks], shuffle=False, verbose=0,
        )
        self.counts = Counts.of(model)
        if self.protocol.single_run:  # its tickets are committed: the run is done
            self.state.member, self.state.epoch, self.state.checkpoint = run.index + 1, 0, None
            self.state.write(self.home)
            return
        path = ticket_path(self.path, run.index)
        save_ticket(model, path, {"epoch": run.epochs, "val_accuracy": None})
        if self.only is not None:
            self._add_committed()  # the ensemble so far includes the other processes' tickets
        event = committer.commit(TicketSaved(run.index, run.epochs, str(path), None), model)
        following = run.index if self.only is not None else next_member(self.runs, self.state)
        self.state.member, self.state.epoch, self.state.checkpoint = following, 0, None
        self.state.write(self.home)
        committer.announce(event)  # committed before it is announced

    def _model(self, run: MemberRun, initial_epoch: int) -> keras.Model:
        with self.strategy.scope():
            if initial_epoch == 0:
                return self.protocol.build(self.recipe, run, self.data.info)
            model = load_keras_file(self.home / CHECKPOINT, "checkpoint")
            # The recipe's schedule, not the saved one: a resume may lower the rate.
            model.optimizer.learning_rate = self.protocol.learning_rate(self.recipe, run, self.data.info)
            return model

    def _checkpoint_state(self, run: MemberRun, done: int) -> dict:
        """The state written with the checkpoint after `done` epochs of `run`."""
        self.state.member, self.state.epoch = run.index, done
        self.state.checkpoint = file_record(self.home / CHECKPOINT)
        return self.state.as_dict()

    def _record_inputs(self) -> np.ndarray:
        """The first `run.record_examples` test images, recorded along training."""
        images = np.concatenate([x for x, _ in self.data.test.take(-1)])
        return images[: self.recipe.run.record_examples]

    def _run_start(self, model: keras.Model, resumed: bool) -> None:
        r, counts = self.recipe, Counts.of(model)
        self.log.emit(
            "run_start", run=self.path.name, protocol=r.protocol, model=r.model.name,
            dataset=r.data.name, density=counts.density,
            target_density=r.sparsity.density if r.sparsity else 1.0,
            members=self.protocol.ticket_count(r), single_run=self.protocol.single_run,
            epochs=self.runs[0].epochs, total_epochs=sum(run.epochs for run in self.runs),
            steps_per_epoch=self.data.steps_per_epoch, resumed=resumed,
            host=socket.gethostname(), pid=os.getpid(), pid_start=process_start(),
            **({"member_runs": len(self.runs), "trained_member": self.only} if self.only is not None else {}),
            **({"changed": self.changed} if self.changed else {}),
            **counts.as_dict(), recipe=recipe_to_dict(r),
            layers=[{"name": w.name, "shape": list(w.shape), "density": w.density()}
                    for w in sparse_weights(model)],
        )
