"""`run_recipe`: trains a recipe's protocol into a run directory, resumably."""

from __future__ import annotations

import dataclasses
import os
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf

from ftk.callbacks.checkpoint import RunCheckpoint
from ftk.callbacks.divergence import DivergenceGuard
from ftk.callbacks.edst import TicketSaved
from ftk.callbacks.event_log import EventLog
from ftk.callbacks.prediction_recorder import PredictionRecorder
from ftk.callbacks.tickets import save_ticket
from ftk.data import Splits, load_data
from ftk.protocols import get_protocol, run_directory
from ftk.protocols.base import MemberRun, Protocol
from ftk.protocols.tickets import TicketBoard
from ftk.recipes import Recipe, recipe_to_dict
from ftk.run_dir import CHECKPOINT, RunDirectoryError, RunState, file_record, load_keras_file, ticket_path
from ftk.sparse.counts import Counts
from ftk.sparse.sparse_weight import current_density, sparse_weights


@dataclasses.dataclass(frozen=True)
class RunResult:
    """What a finished run produced.

    `counts` are those of the last model trained (`None` when a resumed run had
    nothing left to train).
    """

    run_dir: Path
    tickets: list[Path]
    member_accuracy: list[float]
    ensemble: dict
    counts: Counts | None = None


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
            _note(error, f"Nothing was trained, so the run folder '{path}' was removed; "
                         "the same command can run again.")
        raise


def _note(error: BaseException, note: str) -> None:
    if hasattr(error, "add_note"):  # Python 3.11+; `ftk` prints notes
        error.add_note(note)


class _Runner:
    def __init__(self, recipe: Recipe, path: Path, callbacks: list, on_event):
        self.recipe, self.path, self.extra_callbacks = recipe, path, callbacks
        self.protocol: Protocol = get_protocol(recipe.protocol)
        self.runs = self.protocol.member_runs(recipe)
        self.log = _HookedEventLog(path, on_event)
        self.strategy = training_strategy(recipe.run.strategy)
        self.started = False
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
            plan = self._plan(state, resumed)
            for run, epoch in plan:
                self._train(run, epoch, resumed)
        except BaseException as error:
            status = "interrupted" if isinstance(error, KeyboardInterrupt) else "failed"
            message = f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
            self.log.emit("run_end", status=status, error=message, summary=None)
            raise
        summary = self.board.summary() if self.board.member_probs else {}
        self.log.emit("run_end", status="finished", error=None, summary={
            "member_accuracy": self.board.member_accuracy(),
            "ensemble_accuracy": summary.get("accuracy"),
            **(self.counts.as_dict() if self.counts else {}),
        })
        return RunResult(self.path, self._ticket_paths(), self.board.member_accuracy(), summary,
                         self.counts)

    def _plan(self, state: RunState, resumed: bool) -> list[tuple[MemberRun, int]]:
        """Checks what the state says is done; returns the (member run, first epoch) to train.

        Committed tickets are evaluated again; a committed ticket that is
        gone or changed is named, and its member trained again (EDST, whose
        tickets all come from one run, refuses instead).
        """
        if resumed:
            state = self._verified(state)
        self.state = state
        for index in sorted(state.tickets):
            self.board.add(index, load_keras_file(ticket_path(self.path, index), f"ticket {index}"))
        if self.protocol.tickets_from_callbacks:
            done = state.member >= len(self.runs)
            return [] if done else [(self.runs[0], state.epoch)]
        pending = [run for run in self.runs if run.index not in state.tickets]
        # The member with a checkpoint first: training another would replace it.
        pending.sort(key=lambda run: (run.index != state.member, run.index))
        return [(run, state.epoch if run.index == state.member else 0) for run in pending]

    def _verified(self, state: RunState) -> RunState:
        if not state.ledger:  # a run of an older ftk: its ticket files are the record
            done = len(self.runs) if self.protocol.tickets_from_callbacks else state.member
            state.tickets = {i: file_record(ticket_path(self.path, i))
                             for i in range(self.protocol.ticket_count(self.recipe))
                             if (i < done or self.protocol.tickets_from_callbacks)
                             and ticket_path(self.path, i).is_file()}
        problem = state.checkpoint_problem(self.path)
        if problem:
            raise RunDirectoryError(
                f"'{self.path / CHECKPOINT}' {problem}, but checkpoints/state.json resumes from it "
                f"(member {state.member}, epoch {state.epoch}). Restore the checkpoint, or start "
                "the run again in a new folder (`ftk run RECIPE --run-dir NEW`)."
            )
        problems = state.ticket_problems(self.path)
        if problems and self.protocol.tickets_from_callbacks:
            named = "; ".join(f"tickets/ticket_{i}.keras {p}" for i, p in problems.items())
            raise RunDirectoryError(
                f"{named}. EDST makes all its tickets in one run, so a lost ticket can only be "
                f"re-made by training again: start a new run (`ftk run RECIPE --run-dir NEW`)."
            )
        for index, problem in problems.items():
            warnings.warn(f"tickets/ticket_{index}.keras {problem}: member {index} is trained again.",
                          stacklevel=2)
            del state.tickets[index]
        return state

    def _load_data(self) -> None:
        d = self.recipe.data
        self.data: Splits = load_data(
            d.name, batch_size=d.batch_size, eval_batch_size=d.eval_batch_size,
            validation_split=d.validation_split, augment=d.augment, data_dir=d.data_dir,
            path=d.path, seed=self.recipe.seed, limit=d.limit,
        )
        self.board = TicketBoard(self.data.test)

    # One member run.

    def _train(self, run: MemberRun, initial_epoch: int, resumed: bool) -> None:
        keras.utils.set_random_seed(run.seed)
        model = self._model(run, initial_epoch)
        if not self.started:
            self._run_start(model, resumed)
            self.started = True
        self.state = dataclasses.replace(self.state, member=run.index, epoch=initial_epoch)
        if initial_epoch == 0 and not self.protocol.tickets_from_callbacks:  # EDST: its own phases
            self.log.emit("phase_start", member=run.index, phase="training", index=1, of=1,
                          epoch=0, step=0)
        callbacks = self._callbacks(run, model)
        model.fit(
            self.data.train_from(initial_epoch, order_seed=run.seed),
            epochs=run.epochs, initial_epoch=initial_epoch,
            steps_per_epoch=self.data.steps_per_epoch, validation_data=self.data.val,
            callbacks=callbacks, shuffle=False, verbose=0,
        )
        self.counts = Counts.of(model)
        if self.protocol.tickets_from_callbacks:  # its tickets are committed: the run is done
            self.state = dataclasses.replace(self.state, member=run.index + 1, epoch=0, checkpoint=None)
            self.state.write(self.path)
        else:
            self._save_ticket(run, model)

    def _model(self, run: MemberRun, initial_epoch: int) -> keras.Model:
        with self.strategy.scope():
            if initial_epoch == 0:
                return self.protocol.build(self.recipe, run, self.data.info)
            model = load_keras_file(self.path / CHECKPOINT, "checkpoint")
            # The recipe's schedule, not the saved one: a resume may lower the rate.
            model.optimizer.learning_rate = self.protocol.learning_rate(self.recipe, run, self.data.info)
            return model

    def _callbacks(self, run: MemberRun, model: keras.Model) -> list:
        protocol_callbacks = self.protocol.callbacks(self.recipe, run, self.path / "tickets")
        log = _HookedEventLog(self.path, self.log.on_event, member=run.index,
                              epoch_offset=sum(r.epochs for r in self.runs[: run.index]),
                              on_ticket=lambda event: self._evaluate_edst_ticket(event, model))
        checkpoint = RunCheckpoint(
            self.path / "checkpoints", lambda done: self._checkpoint_state(run, done),
            every=self.recipe.run.checkpoint_every,
            on_saved=lambda state: log.emit("checkpoint", member=run.index, epoch=state["epoch"],
                                            path="checkpoints/model.keras"),
        )
        guard = DivergenceGuard(
            where=f"member run {run.index}",
            hint=f"The last good checkpoint is kept: lower the learning rate and continue with "
                 f"`ftk run RECIPE --resume {self.path} --set <field>=<lower rate>`.",
        )
        optional = []
        if self.recipe.run.tensorboard:
            optional.append(keras.callbacks.TensorBoard(self.path / "tensorboard" / f"member_{run.index}"))
        if self.recipe.run.record_every:
            optional.append(PredictionRecorder(
                self._record_inputs(), self.path / "predictions" / f"member_{run.index}.npz",
                every=self.recipe.run.record_every,
            ))
        # The guard first: no callback sees a diverged epoch.
        return [guard, *protocol_callbacks, log, checkpoint, *optional, *self.extra_callbacks]

    def _checkpoint_state(self, run: MemberRun, done: int) -> dict:
        """The state written with the checkpoint after `done` epochs of `run`."""
        self.state = dataclasses.replace(
            self.state, member=run.index, epoch=done, checkpoint=file_record(self.path / CHECKPOINT),
        )
        return self.state.as_dict()

    def _record_inputs(self) -> np.ndarray:
        """The first `run.record_examples` test images, recorded along training."""
        images = np.concatenate([x for x, _ in self.data.test.take(-1)])
        return images[: self.recipe.run.record_examples]

    # Tickets.

    def _save_ticket(self, run: MemberRun, model: keras.Model) -> None:
        path = ticket_path(self.path, run.index)
        save_ticket(model, path, {"epoch": run.epochs, "val_accuracy": None})
        evaluation = self._commit_ticket(run.index, model)
        self.state = dataclasses.replace(
            self.state, member=self._next_member(), epoch=0, checkpoint=None)
        self.state.write(self.path)
        self.log.emit("ticket_saved", index=run.index, member=run.index, epoch=run.epochs,
                      path=self.log.relative(path), val_accuracy=None,
                      test_accuracy=self.board.accuracy(run.index), density=current_density(model))
        self.log.emit("ensemble_eval", **evaluation)

    def _evaluate_edst_ticket(self, event: TicketSaved, model: keras.Model) -> dict:
        ticket = model if self.recipe.edst.ticket == "final" else load_keras_file(event.path, "ticket")
        # Committed with the checkpoint written at the end of this epoch.
        evaluation = self._commit_ticket(event.index, ticket)
        return {**evaluation, "ticket_accuracy": self.board.accuracy(event.index)}

    def _commit_ticket(self, index: int, model: keras.Model) -> dict:
        self.state.tickets[index] = file_record(ticket_path(self.path, index))
        return self.board.add(index, model)

    def _next_member(self) -> int:
        pending = [run.index for run in self.runs if run.index not in self.state.tickets]
        return min(pending, default=len(self.runs))

    def _ticket_paths(self) -> list[Path]:
        return [ticket_path(self.path, i) for i in sorted(self.state.tickets)]

    # Events.

    def _run_start(self, model: keras.Model, resumed: bool) -> None:
        r = self.recipe
        self.log.emit(
            "run_start", run=self.path.name, protocol=r.protocol, model=r.model.name,
            dataset=r.data.name, density=r.sparsity.density if r.sparsity else 1.0,
            members=self.protocol.ticket_count(r), epochs=self.runs[0].epochs,
            total_epochs=sum(run.epochs for run in self.runs),
            steps_per_epoch=self.data.steps_per_epoch, resumed=resumed,
            **({"changed": self.changed} if self.changed else {}),
            **Counts.of(model).as_dict(), recipe=recipe_to_dict(r),
            layers=[{"name": w.name, "shape": list(w.shape), "density": w.density()}
                    for w in sparse_weights(model)],
        )


def training_strategy(name: str) -> tf.distribute.Strategy:
    """The `tf.distribute` strategy a recipe's `run.strategy` names.

    `"mirrored"` replicates over every GPU, or over every logical CPU when
    there is no GPU (tests split the CPU in two).
    """
    if name == "default":
        return tf.distribute.get_strategy()
    gpus = tf.config.list_logical_devices("GPU")
    if gpus:
        return tf.distribute.MirroredStrategy([d.name for d in gpus])
    # On CPUs, reduce through one device: CPU collectives of several strategies in
    # one process can clash over their instance keys.
    cpus = [d.name for d in tf.config.list_logical_devices("CPU")]
    return tf.distribute.MirroredStrategy(cpus, cross_device_ops=tf.distribute.ReductionToOneDevice())


class _HookedEventLog(EventLog):
    """`EventLog` that hands each event to `on_event` and evaluates EDST tickets.

    `on_ticket(event)` returns the `ensemble_eval` fields with the new ticket;
    they follow its `ticket_saved` event.
    """

    def __init__(self, run_dir, on_event, on_ticket=None, **kwargs):
        super().__init__(run_dir, **kwargs)
        self.on_event, self.on_ticket = on_event, on_ticket
        self._evaluation = None

    def emit(self, type: str, **fields) -> None:
        super().emit(type, **fields)
        if self.on_event:
            self.on_event({"type": type, **fields})

    def evaluate_ticket(self, event: TicketSaved) -> float | None:
        if self.on_ticket is None:
            return None
        self._evaluation = dict(self.on_ticket(event))
        return self._evaluation.pop("ticket_accuracy")

    def _on_phase_event(self, event) -> None:
        super()._on_phase_event(event)
        if self._evaluation is not None:
            evaluation, self._evaluation = self._evaluation, None
            self.emit("ensemble_eval", **evaluation)
