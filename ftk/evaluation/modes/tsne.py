"""`tsne` mode: t-SNE of the members' predictions along training."""

from __future__ import annotations

from ftk.ensemble import plots
from ftk.ensemble.trajectories import embed, split_by_phases
from ftk.evaluation.context import EvalContext
from ftk.evaluation.recorded_trajectories import load_trajectories, phase_boundaries
from ftk.protocols import get_protocol


def run(ctx: EvalContext) -> dict:
    """Embeds the recorded prediction trajectories; one path per member (or per phase).

    When the run's protocol makes all tickets in one member run
    (`Protocol.single_run`, e.g. EDST), that run is split at its refinement
    phases: the exploration path, then one path per ticket. Needs a run
    trained with `run.record_every > 0`; otherwise the mode is reported as
    skipped with the reason.
    """
    recorded = load_trajectories(ctx.run_dir)
    if not recorded:
        return {"skipped": "no predictions were recorded: train with `--set run.record_every=1`"}
    single_run = get_protocol(ctx.recipe.protocol).single_run
    paths, labels = [], []
    boundaries = phase_boundaries(ctx.run_dir)
    for member, trajectory in sorted(recorded.items()):
        if single_run and boundaries.get(member):
            parts = split_by_phases(trajectory, boundaries[member])
            paths += parts
            labels += ["exploration"] + [f"ticket {i}" for i in range(len(parts) - 1)]
        else:
            paths.append(trajectory)
            labels.append(f"ticket {member}")
    embedded = embed(paths, seed=ctx.recipe.seed)
    with ctx.plot_file("tsne") as file:
        plots.tsne_paths(embedded, file, labels=labels)
    return {
        "paths": [{"label": label, "epochs": [int(e) for e in t.epochs], "points": p.tolist()}
                  for label, t, p in zip(labels, paths, embedded)],
    }
