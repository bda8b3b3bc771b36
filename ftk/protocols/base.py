"""`Protocol`: the one extension point of ftk's training protocols.

A protocol module owns everything about its protocol: its name, the recipe
sections it needs and their rules, its member runs, model, learning rate and
callbacks, how its tickets make an ensemble, its FLOPs and its phase labels.
The recipe schema, the runner, `ftk flops`, the progress display and the run
folder (hence the TUI) ask the protocol instead of branching on its name.

Declarations and rules are plain Python, so a recipe validates without
TensorFlow; the training methods import Keras when they are called.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, ClassVar

from pydantic import BaseModel

if TYPE_CHECKING:
    import keras

    from ftk.data import DatasetInfo
    from ftk.flops import TrainingCost
    from ftk.protocols.costs import CostInputs


@dataclasses.dataclass(frozen=True)
class MemberRun:
    """One `fit` of a protocol.

    Attributes:
        index: position among the protocol's runs (0-based).
        seed: seed of the model, masks and data order of this run.
        epochs: epochs of this run.
    """

    index: int
    seed: int
    epochs: int


class Protocol:
    """A FreeTickets training protocol, as a recipe runs it.

    By default a protocol trains `ensemble.members` dense models
    independently (seeds `seed + i`), each yielding one ticket: its final
    model. Subclasses override what differs.

    Class attributes:
        name: what a recipe's `protocol:` says.
        summary: one line for listings.
        title: how messages name the protocol, e.g. `"EDST"`.
        sections: recipe sections this protocol owns, name -> pydantic model
            (section name -> its model); they become fields of the recipe.
        shared_sections: shared sections it requires: `"sparsity"` (initial
            masks) and/or `"dst"` (topology updates).
        default_members: `ensemble.members` when the recipe does not say.
        single_run: all tickets come from phases of one member run, saved by
            a callback (EDST).
        starts_sparse: members are built with the recipe's sparse masks.
        dense_at_full_density: why `sparsity.density: 1.0` defeats the
            protocol (`None` when it does not).
        trains_dense_ensemble: it is the protocol of several dense members
            (error messages suggest it).

    Example:

    ```python
    class Bagging(Protocol):
        name = "bagging"
        summary = "M dense models on bootstrap samples"
    ```
    """

    name: ClassVar[str]
    summary: ClassVar[str] = ""
    title: ClassVar[str] = "this protocol"
    sections: ClassVar[dict[str, type[BaseModel]]] = {}
    shared_sections: ClassVar[tuple[str, ...]] = ()
    default_members: ClassVar[int] = 3
    single_run: ClassVar[bool] = False
    starts_sparse: ClassVar[bool] = False
    dense_at_full_density: ClassVar[str | None] = None
    trains_dense_ensemble: ClassVar[bool] = False

    # The recipe.

    def problems(self, recipe) -> list[tuple[str, str]]:
        """The `(field path, message)` of every rule of this protocol `recipe` breaks."""
        return []

    def layer_problems(self, recipe, layers: list[tuple[str, int, int]]) -> list[tuple[str, str]]:
        """Problems of the built masks, from `(weight name, active, size)` per prunable weight."""
        from ftk.protocols.layer_checks import cut_layers, no_weight_to_update

        problems = cut_layers(recipe, layers)
        if not problems and "dst" in self.shared_sections:
            problems = no_weight_to_update(recipe, layers)
        return problems

    # Training.

    def member_runs(self, recipe) -> list[MemberRun]:
        """The `fit` calls of the protocol, in order."""
        members = recipe.ensemble.members
        return [MemberRun(i, recipe.seed + i, recipe.training.epochs) for i in range(members)]

    def ticket_count(self, recipe) -> int:
        """How many tickets the run saves."""
        return recipe.ensemble.members

    def build(self, recipe, run: MemberRun, info: DatasetInfo) -> keras.Model:
        """Returns the compiled model of `run` (built in the current strategy scope)."""
        from ftk.protocols import builders

        model = self.base_model(recipe, run, info)
        if self.starts_sparse:
            model = builders.sparsify(model, recipe, run.seed)
        return builders.compile_model(model, recipe, self.learning_rate(recipe, run, info))

    def base_model(self, recipe, run: MemberRun, info: DatasetInfo) -> keras.Model:
        """The recipe's model, dense, with `run`'s seed."""
        from ftk.protocols import builders

        return builders.recipe_model(recipe, run.seed, info)

    def learning_rate(self, recipe, run: MemberRun, info: DatasetInfo):
        """The learning rate (or schedule) `run` compiles with."""
        from ftk.protocols import builders

        return builders.training_schedule(recipe, run.epochs, builders.steps_per_epoch(recipe, info))

    def callbacks(self, recipe, run: MemberRun, ticket_dir) -> list:
        """The protocol's Keras callbacks of `run`: they announce phases and tickets."""
        if "dst" in self.shared_sections:
            from ftk.protocols import builders

            return [builders.dynamic_sparsity(recipe, run.seed)]
        return []

    def learning_rate_fields(self, recipe) -> dict[str, float]:
        """The recipe fields of the rates this protocol trains with, and their values.

        What a divergence message suggests lowering on `--resume` (each must
        be one a resumed run may change).
        """
        return {"training.lr": recipe.training.lr}

    # Evaluation and accounting.

    def ensemble_members(self, tickets: list, recipe) -> list:
        """The ensemble's members made from the run's tickets: the tickets themselves."""
        return list(tickets)

    def cost_inputs(self, recipe) -> dict:
        """This protocol's own `CostInputs` fields read from `recipe` (0 when it lacks them)."""
        return {}

    def cost_note(self) -> str | None:
        """What `ftk flops` should say about how this protocol's cost is estimated."""
        return None

    def training_cost(self, c: CostInputs) -> TrainingCost:
        """Training and inference cost of the protocol (see `ftk.protocols.CostInputs`)."""
        return c.cost(train=c.members * c.dense_run(), members=c.members, sparse=self.starts_sparse)

    def phase_label(self, phase: str, index: int, of: int) -> str:
        """How progress displays and the `phase_start` event's `label` name a phase.

        Returns e.g. `"training"`, `"exploration"` or `"refinement 2/3"`.
        """
        from ftk.run_dir.events import phase_label

        return phase_label(phase, index, of)
