"""The numbers behind `ftk flops`: every protocol's cost for one recipe's model."""

from __future__ import annotations

import ftk
from ftk import flops
from ftk.cli.recipe_models import dataset_info
from ftk.models import build_model
from ftk.protocols import get_protocol, protocol_names
from ftk.protocols.costs import CostInputs
from ftk.recipes import DstConfig, Recipe
from ftk.sparse.counts import Counts



def protocol_costs(recipe: Recipe) -> tuple[dict[str, flops.TrainingCost], list[str]]:
    """Returns the cost of each protocol with `recipe`'s model, data and schedule.

    Sparse protocols use the recipe's `sparsity` (density 0.2 ERK when the
    recipe is dense); DST settings come from `dst` (RigL, every 1000 steps
    when absent); EDST splits `training.epochs` as the recipe does.

    Returns:
        (protocol name -> `TrainingCost`, notes on the assumptions made).
    """
    info = dataset_info(recipe)
    dense = build_model(recipe.model.name, num_classes=info.num_classes, input_shape=info.input_shape)
    s = recipe.sparsity
    sparse = ftk.sparsify(dense, density=s.density if s else 0.2,
                          distribution=s.distribution if s else "erk", seed=recipe.seed)
    f_dense, f_sparse = flops.forward_flops(dense), flops.forward_flops(sparse)
    sparse_counts = Counts.of(sparse)
    params_dense, params_sparse = ftk.active_count(dense), sparse_counts.active
    dst = recipe.dst or DstConfig()  # the paper's RigL when the recipe has no DST
    common = dict(
        forward_sparse=f_sparse, forward_dense=f_dense, params_sparse=params_sparse,
        params_dense=params_dense, members=recipe.ensemble.members,
        epochs=recipe.training.epochs, steps_per_epoch=info.num_train // recipe.data.batch_size,
        batch_size=recipe.data.batch_size, update_frequency=dst.update_frequency, growth=dst.growth,
    )
    costs = {}
    for name in protocol_names():
        protocol = get_protocol(name)
        costs[name] = protocol.training_cost(CostInputs(**common, **protocol.cost_inputs(recipe)))
    notes = [
        f"forward FLOPs per example: dense {f_dense:.3e}, sparse {f_sparse:.3e} "
        f"(density {ftk.density(sparse):.3f}, {s.distribution if s else 'erk'})",
        f"{common['steps_per_epoch']} steps of {recipe.data.batch_size} per epoch, "
        f"{recipe.training.epochs} epochs per run, M = {recipe.ensemble.members}; "
        "x = relative to one dense model trained as long",
        f"active: non-zero weights of all members; one sparse model has {sparse_counts}",
        *(f"{name}: {note}" for name in costs if (note := get_protocol(name).cost_note())),
    ]
    return costs, notes
