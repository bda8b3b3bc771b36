"""`distill` mode: one sparse student trained on the ensemble's soft labels."""

from __future__ import annotations

from ftk import atomic
from ftk.ensemble.distillation import distill, distillation_report, student_like
from ftk.evaluation.context import EvalContext
from ftk.protocols.builders import dynamic_sparsity


def run(ctx: EvalContext) -> dict:
    """Distills the ensemble into a student shaped and as sparse as ticket 0.

    The student starts from fresh weights and random ERK masks at the
    ticket's density and trains on the run's training data for
    `options["distill_epochs"]` epochs (default: the recipe's epochs), with
    the recipe's dynamic sparsity when it has one. It is saved as
    `eval/student.keras`; the report compares student, ensemble and ticket 0.
    """
    recipe = ctx.recipe
    epochs = ctx.options.get("distill_epochs") or recipe.training.epochs
    temperature = ctx.options.get("temperature") or 4.0
    ticket = ctx.ensemble.members[0]
    student = student_like(ticket, seed=recipe.seed)
    callbacks = [dynamic_sparsity(recipe, recipe.seed)] if recipe.dst else []
    distill(ctx.ensemble, student, ctx.data.train_from(0), epochs=epochs,
            steps_per_epoch=ctx.data.steps_per_epoch, temperature=temperature, callbacks=callbacks)
    atomic.save_model(student, ctx.out_dir / "student.keras")
    report = distillation_report(ctx.ensemble, student, ctx.data.test, ticket=ticket,
                                 temperature=temperature)
    return {**report, "epochs": epochs, "path": "eval/student.keras"}
