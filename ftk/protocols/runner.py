"""`run_recipe`: trains a recipe's protocol into a run directory, resumably."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Sequence
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf

from ftk.data import Splits, load_data
from ftk.ensemble.file_sizes import FileSizes
from ftk.protocols import get_protocol, run_directory
from ftk.protocols.base import MemberRun
from ftk.protocols.member_callbacks import member_callbacks
from ftk.protocols.resume_plan import next_member, pending_runs, verified_state
from ftk.protocols.run_file_sizes import run_file_sizes
from ftk.protocols.strategy import training_strategy
from ftk.protocols.ticket_board import TicketBoard
from ftk.protocols.ticket_committer import TicketCommitter
from ftk.recipes import Recipe, recipe_to_dict
from ftk.run_dir import CHECKPOINT, EventLog, RunState, file_record, load_keras_file, ticket_path
from ftk.run_dir.events import PhaseStart, TicketSaved, phase_start
from ftk.run_dir.tickets import save_ticket
from ftk.sparse.counts import Counts
from ftk.sparse.sparse_weight import sparse_weights


@dataclasses.dataclass(frozen=True)
class RunResult:
    """What a finished run produced.

    `counts` are those of the last model trained (`None` when a resumed run had
    nothing left to train); `file_sizes` are the bytes on disk of the tickets
    and of the exported ensemble next to one dense model's.
    """

    run_dir: Path
    tickets: list[Path]
    member_accuracy: list[float]
    ensemble: dict
    counts: Counts | None = None
    file_sizes: FileSizes | None = None


def run_recipe(
    recipe: Recipe,
    run_dir: str | os.PathLike | None = None,
    *,
    resume: bool = False,
    callbacks: Sequence[keras.callbacks.Callback] = (),
    on_event: Callable[[dict], None] | None = None,
) -> RunResult:
    """Trains every member run of `recipe` and saves its tickets.

    Writes the run directory of `docs/run_directory.md`: the resolved recipe,
    `events.jsonl`, a checkpoint every `run.checkpoint_every` epochs, the
    tickets and TensorBoard logs. With `resume=True` it continues from the
    last checkpoint and ends with the same weights, masks and tickets as an
    uninterrupted run (with `run.deterministic: true`).

    Args:
        recipe: a validated `Recipe`.
        run_dir: the run folder. Defaults to `<run.root>/<name>`; with
            `resume=True`, the folder to continue.
        resume: continue an existing run. Defaults to `False`.
        callbacks: extra Keras callbacks for every `fit` (e.g. progress bars).
        on_event: called with every event written to `events.jsonl`.

    Returns:
        A `RunResult` with the tickets and test accuracies.
    """
    if resume:
        path, recipe, changed = run_directory.reopen(run_dir, recipe)
        state = RunState.read(path)
    else:
        path, changed = run_directory.create(recipe, run_dir), []
        state = RunState()
    if recipe.run.deterministic:
        tf.config.experimental.enable_op_determinism()
    runner = _Runner(recipe, path, list(callbacks), on_event)
    try:
        return runner.run(state, resume, changed)
    except Exception as error:
        if not resume and not runner.committed:
            run_directory.discard(path)
            if hasattr(error, "add_note"):  # Python 3.11+; `ftk` prints notes
                error.add_note(f"Nothing was trained, so the run folder '{path}' was removed; "
                               "the same command can run again.")
        raise


class _Runner:
    """The loop over a protocol's member runs; the protocol decides everything else."""

    def __init__(self, recipe: Recipe, path: Path, callbacks: list, on_event):
        self.recipe, self.path, self.extra_callbacks, self.on_event = recipe, path, callbacks, on_event
        self.protocol = get_protocol(recipe.protocol)
        self.runs = self.protocol.member_runs(recipe)
        self.log = EventLog(path, on_event=on_event)
        self.strategy = training_strategy(recipe.run.strategy)
        self.counts: Counts | None = None
        self.state = RunState()
        self.changed: list[str] = []

    @property
    def committed(self) -> bool:
        """Whether the run has written a checkpoint or a ticket worth resuming from."""
        return bool(self.state.epoch or self.state.member or self.state.tickets)

    def run(self, state: RunState, resumed: bool, changed: list[str]) -> RunResult:
        self.changed = changed
        try:
            self._load_data()
            if resumed:
                state = verified_state(self.protocol, self.recipe, self.path, state)
            self.state = state
            for index in sorted(state.tickets):  # committed tickets count again
                ticket = load_keras_file(ticket_path(self.path, index), f"ticket {index}")
                self.board.add(index, ticket, self._members([ticket]))
            for number, (run, epoch) in enumerate(pending_runs(self.protocol, self.runs, state)):
                self._train(run, epoch, resumed, first=number == 0)
        except BaseException as error:
            status = "interrupted" if isinstance(error, KeyboardInterrupt) else "failed"
            message = f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
            self.log.emit("run_end", status=status, error=message, summary=None)
            raise
        summary = self.board.summary() if self.board.member_probs else {}
        tickets = [ticket_path(self.path, i) for i in sorted(self.state.tickets)]
        sizes = run_file_sizes(tickets, self._members)
        self.log.emit("run_end", status="finished", error=None, summary={
            "member_accuracy": self.board.member_accuracy(),
            "ensemble_accuracy": summary.get("accuracy"),
            **(self.counts.as_dict() if self.counts else {}),
            "file_sizes": sizes.as_dict() if sizes else None,
        })
        return RunResult(self.path, tickets, self.board.member_accuracy(), summary, self.counts, sizes)

    def _load_data(self) -> None:
        d = self.recipe.data
        self.data: Splits = load_data(
            d.name, batch_size=d.batch_size, eval_batch_size=d.eval_batch_size,
            validation_split=d.validation_split, augment=d.augment, data_dir=d.data_dir,
            path=d.path, seed=self.recipe.seed, limit=d.limit,
        )
        self.board = TicketBoard(self.data.test)

    def _members(self, tickets: list[keras.Model]) -> list[keras.Model]:
        return self.protocol.ensemble_members(tickets, self.recipe)

    # One member run.

    def _train(self, run: MemberRun, initial_epoch: int, resumed: bool, first: bool) -> None:
        keras.utils.set_random_seed(run.seed)
        model = self._model(run, initial_epoch)
        if first:
            self._run_start(model, resumed)
        self.state.member, self.state.epoch = run.index, initial_epoch
        if initial_epoch == 0 and not self.protocol.single_run:  # single runs announce their phases
            self.log.write(phase_start(PhaseStart("training", 1, 1, 0, 0), run.index))
        committer = TicketCommitter(self.state, self.board, self._members)
        callbacks = member_callbacks(
            self.recipe, self.protocol, self.path, run,
            epoch_offset=sum(r.epochs for r in self.runs[: run.index]), committer=committer,
            state_fn=lambda done: self._checkpoint_state(run, done), on_event=self.on_event,
            record_inputs=self._record_inputs,
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
            self.state.write(self.path)
            return
        path = ticket_path(self.path, run.index)
        save_ticket(model, path, {"epoch": run.epochs, "val_accuracy": None})
        event = committer.commit(TicketSaved(run.index, run.epochs, str(path), None), model)
        self.state.member, self.state.epoch, self.state.checkpoint = next_member(self.runs, self.state), 0, None
        self.state.write(self.path)
        committer.announce(event)  # committed before it is announced

    def _model(self, run: MemberRun, initial_epoch: int) -> keras.Model:
        with self.strategy.scope():
            if initial_epoch == 0:
                return self.protocol.build(self.recipe, run, self.data.info)
            model = load_keras_file(self.path / CHECKPOINT, "checkpoint")
            # The recipe's schedule, not the saved one: a resume may lower the rate.
            model.optimizer.learning_rate = self.protocol.learning_rate(self.recipe, run, self.data.info)
            return model

    def _checkpoint_state(self, run: MemberRun, done: int) -> dict:
        """The state written with the checkpoint after `done` epochs of `run`."""
        self.state.member, self.state.epoch = run.index, done
        self.state.checkpoint = file_record(self.path / CHECKPOINT)
        return self.state.as_dict()

    def _record_inputs(self) -> np.ndarray:
        """The first `run.record_examples` test images, recorded along training."""
        images = np.concatenate([x for x, _ in self.data.test.take(-1)])
        return images[: self.recipe.run.record_examples]

    def _run_start(self, model: keras.Model, resumed: bool) -> None:
        r = self.recipe
        self.log.emit(
            "run_start", run=self.path.name, protocol=r.protocol, model=r.model.name,
            dataset=r.data.name, density=r.sparsity.density if r.sparsity else 1.0,
            members=self.protocol.ticket_count(r), single_run=self.protocol.single_run,
            epochs=self.runs[0].epochs, total_epochs=sum(run.epochs for run in self.runs),
            steps_per_epoch=self.data.steps_per_epoch, resumed=resumed,
            **({"changed": self.changed} if self.changed else {}),
            **Counts.of(model).as_dict(), recipe=recipe_to_dict(r),
            layers=[{"name": w.name, "shape": list(w.shape), "density": w.density()}
                    for w in sparse_weights(model)],
        )
