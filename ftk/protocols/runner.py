"""`run_recipe`: trains a recipe's protocol into a run directory, resumably."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Sequence
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf

from ftk.callbacks.checkpoint import RunCheckpoint
from ftk.callbacks.edst import TicketSaved
from ftk.callbacks.event_log import EventLog
from ftk.callbacks.prediction_recorder import PredictionRecorder
from ftk.callbacks.tickets import save_ticket
from ftk.data import Splits, load_data
from ftk.protocols import get_protocol, run_directory
from ftk.protocols.base import MemberRun, Protocol
from ftk.protocols.tickets import TicketBoard
from ftk.recipes import Recipe, recipe_to_dict
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
        path, recipe = run_directory.reopen(run_dir, recipe)
    else:
        path = run_directory.create(recipe, run_dir)
    if recipe.run.deterministic:
        tf.config.experimental.enable_op_determinism()
    runner = _Runner(recipe, path, list(callbacks), on_event)
    return runner.run(run_directory.read_state(path) if resume else {"member": 0, "epoch": 0}, resume)


class _Runner:
    def __init__(self, recipe: Recipe, path: Path, callbacks: list, on_event):
        self.recipe, self.path, self.extra_callbacks = recipe, path, callbacks
        self.protocol: Protocol = get_protocol(recipe.protocol)
        self.runs = self.protocol.member_runs(recipe)
        self.log = _HookedEventLog(path, on_event)
        self.strategy = training_strategy(recipe.run.strategy)
        self.started = False
        self.counts: Counts | None = None

    def run(self, state: dict, resumed: bool) -> RunResult:
        try:
            self._load_data()
            self._replay_tickets()
            for run in self.runs[state["member"]:]:
                epoch = state["epoch"] if run.index == state["member"] else 0
                self._train(run, epoch, resumed)
                run_directory.write_state(self.path, {"member": run.index + 1, "epoch": 0})
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
        if not self.protocol.tickets_from_callbacks:
            self._save_ticket(run, model)

    def _model(self, run: MemberRun, initial_epoch: int) -> keras.Model:
        checkpoint = self.path / "checkpoints" / "model.keras"
        with self.strategy.scope():
            if initial_epoch > 0:
                return keras.saving.load_model(checkpoint)
            return self.protocol.build(self.recipe, run, self.data.info)

    def _callbacks(self, run: MemberRun, model: keras.Model) -> list:
        protocol_callbacks = self.protocol.callbacks(self.recipe, run, self.path / "tickets")
        log = _HookedEventLog(self.path, self.log.on_event, member=run.index,
                              epoch_offset=sum(r.epochs for r in self.runs[: run.index]),
                              on_ticket=lambda event: self._evaluate_edst_ticket(event, model))
        checkpoint = RunCheckpoint(
            self.path / "checkpoints", lambda done: {"member": run.index, "epoch": done},
            every=self.recipe.run.checkpoint_every,
            on_saved=lambda state: log.emit("checkpoint", member=run.index, epoch=state["epoch"],
                                            path="checkpoints/model.keras"),
        )
        optional = []
        if self.recipe.run.tensorboard:
            optional.append(keras.callbacks.TensorBoard(self.path / "tensorboard" / f"member_{run.index}"))
        if self.recipe.run.record_every:
            optional.append(PredictionRecorder(
                self._record_inputs(), self.path / "predictions" / f"member_{run.index}.npz",
                every=self.recipe.run.record_every,
            ))
        return [*protocol_callbacks, log, checkpoint, *optional, *self.extra_callbacks]

    def _record_inputs(self) -> np.ndarray:
        """The first `run.record_examples` test images, recorded along training."""
        images = np.concatenate([x for x, _ in self.data.test.take(-1)])
        return images[: self.recipe.run.record_examples]

    # Tickets.

    def _save_ticket(self, run: MemberRun, model: keras.Model) -> None:
        path = self.path / "tickets" / f"ticket_{run.index}.keras"
        save_ticket(model, path, {"epoch": run.epochs, "val_accuracy": None})
        evaluation = self.board.add(model)
        self.log.emit("ticket_saved", index=run.index, member=run.index, epoch=run.epochs,
                      path=self.log.relative(path), val_accuracy=None,
                      test_accuracy=evaluation["member_accuracy"][-1], density=current_density(model))
        self.log.emit("ensemble_eval", **evaluation)

    def _evaluate_edst_ticket(self, event: TicketSaved, model: keras.Model) -> dict:
        ticket = model if self.recipe.edst.ticket == "final" else keras.saving.load_model(event.path)
        return self.board.add(ticket)

    def _replay_tickets(self) -> None:
        """On resume, re-evaluates the tickets saved before the checkpoint."""
        for path in self._ticket_paths():
            self.board.add(keras.saving.load_model(path))

    def _ticket_paths(self) -> list[Path]:
        count = self.protocol.ticket_count(self.recipe)
        paths = [self.path / "tickets" / f"ticket_{i}.keras" for i in range(count)]
        return [p for p in paths if p.is_file()]

    # Events.

    def _run_start(self, model: keras.Model, resumed: bool) -> None:
        r = self.recipe
        self.log.emit(
            "run_start", run=self.path.name, protocol=r.protocol, model=r.model.name,
            dataset=r.data.name, density=r.sparsity.density if r.sparsity else 1.0,
            members=self.protocol.ticket_count(r), epochs=self.runs[0].epochs,
            total_epochs=sum(run.epochs for run in self.runs),
            steps_per_epoch=self.data.steps_per_epoch, resumed=resumed,
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
        self._evaluation = self.on_ticket(event)
        return self._evaluation["member_accuracy"][-1]

    def _on_phase_event(self, event) -> None:
        super()._on_phase_event(event)
        if self._evaluation is not None:
            evaluation, self._evaluation = self._evaluation, None
            self.emit("ensemble_eval", **evaluation)
