"""`run_recipe`: trains a recipe's protocol into a run directory, resumably."""

from __future__ import annotations

import dataclasses
import os
import socket
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
from ftk.protocols.worker_run import run_as_worker
from ftk.protocols.ticket_board import TicketBoard
from ftk.protocols.ticket_committer import TicketCommitter
from ftk.recipes import Recipe, recipe_to_dict
from ftk.run_dir import (
    CHECKPOINT, STATE, EventLog, RunDirectoryError, RunState, file_record, load_keras_file, ticket_path,
)
from ftk.run_dir.chief import is_chief
from ftk.run_dir.commands import resume_command
from ftk.run_dir.events import PhaseStart, TicketSaved, phase_start
from ftk.run_dir.paths import EVENTS, member_home, member_homes
from ftk.run_dir.state import committed_ticket_paths, committed_tickets, file_problem
from ftk.run_dir.tickets import save_ticket
from ftk.sparse.counts import Counts
from ftk.sparse.sparse_weight import sparse_weights


@dataclasses.dataclass(frozen=True)
class RunResult:
    """What a finished run produced.

    `counts` are those of the last model trained (`None` when a resumed run had
    nothing left to train); `file_sizes` are the bytes on disk of the tickets
    and of the exported ensemble next to one dense model's; `finished_before`
    the members given to a resumed `run_recipe(members=...)` that were done
    already (nothing was trained for them).
    """

    run_dir: Path
    tickets: list[Path]
    member_accuracy: list[float]
    ensemble: dict
    counts: Counts | None = None
    file_sizes: FileSizes | None = None
    finished_before: tuple[int, ...] = ()


def run_recipe(
    recipe: Recipe,
    run_dir: str | os.PathLike | None = None,
    *,
    resume: bool = False,
    callbacks: Sequence[keras.callbacks.Callback] = (),
    on_event: Callable[[dict], None] | None = None,
    members: Sequence[int] | None = None,
) -> RunResult:
    """Trains every member run of `recipe` (or the given `members`) and saves its tickets.

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
        members: train only these member runs, each into its own
            `members/member_<i>/` of the shared run folder, so several
            processes can train one ensemble at once (`ftk run --member`);
            see `run_members`. Defaults to `None`: every member, in turn.

    Returns:
        A `RunResult` with the tickets and test accuracies (for `members`:
        of every ticket committed so far, by any process).
    """
    if members is not None:
        return run_members(recipe, members, run_dir, resume=resume, callbacks=callbacks,
                           on_event=on_event)
    if recipe.run.strategy == "multi_worker" and not is_chief(training_strategy("multi_worker")):
        return run_as_worker(_run_in, recipe, run_dir, resume=resume, callbacks=callbacks)
    return _run_in(recipe, run_dir, resume=resume, callbacks=callbacks, on_event=on_event)


def _run_in(recipe: Recipe, run_dir, *, resume: bool, callbacks, on_event) -> RunResult:
    """`run_recipe` of every member run, in turn, into `run_dir` (one process, or a worker's copy)."""
    if resume:
        path, recipe, changed = run_directory.reopen(run_dir, recipe)
        if not (path / STATE).is_file() and member_homes(path):
            raise ValueError(
                f"'{path}' was trained member by member (it has members/member_<i>/): continue "
                f"it with `{resume_command(path, parallel=len(get_protocol(recipe.protocol).member_runs(recipe)))}`."
            )
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


def check_members(recipe: Recipe, members: Sequence[int]) -> None:
    """Checks that `members` can be trained on their own; before anything is created.

    Raises:
        ValueError: for a protocol whose tickets all come from one run (EDST),
            or a member index out of range.
    """
    protocol = get_protocol(recipe.protocol)
    if protocol.single_run:
        raise ValueError(
            f"Protocol {recipe.protocol!r} ({protocol.title}) makes all its tickets in one run, "
            "so its members cannot be trained on their own: drop --member/--parallel."
        )
    count = len(protocol.member_runs(recipe))
    wrong = [m for m in members if not 0 <= m < count]
    if wrong:
        raise ValueError(
            f"No member {', '.join(map(str, wrong))}: the recipe has {count} member run"
            f"{'s' if count != 1 else ''} (--member 0 to {count - 1})."
        )


def run_members(
    recipe: Recipe,
    members: Sequence[int],
    run_dir: str | os.PathLike | None = None,
    *,
    resume: bool = False,
    callbacks: Sequence[keras.callbacks.Callback] = (),
    on_event: Callable[[dict], None] | None = None,
) -> RunResult:
    """Trains the member runs `members` of `recipe`, one after the other, into a shared folder.

    Each member keeps its events, state and checkpoint in `members/member_<i>/`
    and writes only its own ticket `tickets/ticket_<i>.keras`, so other
    processes may train the other members into the same folder at once. The
    first creates the folder; the others accept it when it holds the same
    recipe. A member trains exactly as in a sequential run (same seed, same
    ticket). With `resume=True` each member continues from its checkpoint; a
    member whose ticket is committed is left alone (`finished_before`).

    Raises:
        ValueError: for EDST, a member out of range, or another recipe in the folder.
        FileExistsError: without `resume`, for a member already started.
    """
    check_members(recipe, members)
    if resume:
        if run_dir is None:
            raise ValueError("Resuming a member needs its run folder.")
        path, recipe, changed = run_directory.reopen(run_dir, recipe)
        if (path / STATE).is_file():
            raise ValueError(
                f"'{path}' holds a run trained without --member (it has {STATE}); continue it "
                f"with `{resume_command(path)}`, without --member."
            )
    else:
        path, changed = run_directory.join(recipe, run_dir), []
        for index in members:
            if member_home(path, index).exists():
                raise FileExistsError(
                    f"Member {index} of '{path}' was already started. Continue it with "
                    f"`{resume_command(path, members=[index])}`."
                )
    if recipe.run.deterministic:
        tf.config.experimental.enable_op_determinism()
    result, data, done = None, None, []
    for index in dict.fromkeys(members):  # each once, in the order given
        home = member_home(path, index)
        state = RunState.read(home) if resume and (home / STATE).is_file() else RunState(member=index)
        if resume and _committed(path, index, state):
            done.append(index)
            continue
        runner = _Runner(recipe, path, list(callbacks), on_event, home=home, only=index, data=data)
        try:
            result = runner.run(state, resume and (home / STATE).is_file(), changed)
        except Exception:
            if not runner.committed:
                run_directory.discard_member(path, index)
            raise
        data = runner.data
    if result is None:  # every member was finished already
        tickets = committed_ticket_paths(path)
        return RunResult(path, tickets, [], {}, finished_before=tuple(done))
    return dataclasses.replace(result, finished_before=tuple(done))


def _committed(path: Path, index: int, state: RunState) -> bool:
    """Whether member `index`'s ticket is committed and intact."""
    record = state.tickets.get(index)
    return record is not None and file_problem(ticket_path(path, index), record) is None


def summarize_run(recipe: Recipe, run_dir: str | os.PathLike,
                  on_event: Callable[[dict], None] | None = None) -> RunResult:
    """The ensemble summary of a run trained member by member, once all are done.

    Evaluates every committed ticket and the ensemble on the test split, as
    the end of a sequential run does, and appends the `run_end` event with
    the summary to the run's `events.jsonl`.

    Raises:
        RunDirectoryError: if a member's ticket is not committed, or a
            committed ticket is missing or changed.
    """
    path = Path(run_dir)
    protocol = get_protocol(recipe.protocol)
    count = protocol.ticket_count(recipe)
    tickets = committed_ticket_paths(path)
    missing = sorted(set(range(count)) - {int(p.stem.split("_")[-1]) for p in tickets})
    if missing:
        raise RunDirectoryError(
            f"Run '{path}': member{'s' if len(missing) > 1 else ''} {', '.join(map(str, missing))} "
            f"{'have' if len(missing) > 1 else 'has'} no committed ticket yet."
        )
    runner = _Runner(recipe, path, [], on_event)
    runner._load_data()
    models = []
    for ticket_file in tickets:
        index = int(ticket_file.stem.split("_")[-1])
        ticket = load_keras_file(ticket_file, f"ticket {index}")
        runner.board.add(index, ticket, runner._members([ticket]))
        models.append(ticket)
    runner.counts = Counts.of(models[-1])
    return runner.finish(tickets)


class _Runner:
    """The loop over a protocol's member runs; the protocol decides everything else."""

    def __init__(self, recipe: Recipe, path: Path, callbacks: list, on_event,
                 home: Path | None = None, only: int | None = None, data: Splits | None = None):
        self.recipe, self.path, self.extra_callbacks, self.on_event = recipe, path, callbacks, on_event
        # Where the state, checkpoint and events go; `only`: the one member run trained.
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
        self.changed = changed
        try:
            self._load_data()
            if resumed:
                state = verified_state(self.protocol, self.recipe, self.path, state, self.home)
            self.state = state
            if self.only is not None:
                self.home.mkdir(parents=True, exist_ok=True)
                state.write(self.home)
            for index in sorted(state.tickets):  # committed tickets count again
                ticket = load_keras_file(ticket_path(self.path, index), f"ticket {index}")
                self.board.add(index, ticket, self._members([ticket]))
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
        sizes = run_file_sizes(tickets, self._members)
        self.log.emit("run_end", status="finished", error=None, summary={
            "member_accuracy": self.board.member_accuracy(),
            "ensemble_accuracy": summary.get("accuracy"),
            **(self.counts.as_dict() if self.counts else {}),
            "file_sizes": sizes.as_dict() if sizes else None,
        })
        return RunResult(self.path, tickets, self.board.member_accuracy(), summary, self.counts, sizes)

    def _load_data(self) -> None:
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

    def _members(self, tickets: list[keras.Model]) -> list[keras.Model]:
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
                self.board.add(index, ticket, self._members([ticket]))

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
        committer = TicketCommitter(self.state, self.board, self._members)
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
            host=socket.gethostname(), pid=os.getpid(),
            **({"member_runs": len(self.runs), "trained_member": self.only} if self.only is not None else {}),
            **({"changed": self.changed} if self.changed else {}),
            **counts.as_dict(), recipe=recipe_to_dict(r),
            layers=[{"name": w.name, "shape": list(w.shape), "density": w.density()}
                    for w in sparse_weights(model)],
        )
