"""`tsne` mode: t-SNE of the members' predictions along training."""

from __future__ import annotations

from ftk.ensemble import plots, trajectories
from ftk.ensemble.modes.context import EvalContext


def run(ctx: EvalContext) -> dict:
    """Embeds the recorded prediction trajectories; one path per member (or EDST phase).

    Needs a run trained with `run.record_every > 0`; otherwise the mode is
    reported as skipped with the reason.
    """
    recorded = trajectories.load_trajectories(ctx.run_dir)
    if not recorded:
        return {"skipped": "no predictions were recorded: train with `--set run.record_every=1`"}
    paths, labels = [], []
    boundaries = trajectories.phase_boundaries(ctx.run_dir)
    for member, trajectory in sorted(recorded.items()):
        if ctx.recipe.protocol == "edst" and boundaries.get(member):
            parts = trajectories.split_by_phases(trajectory, boundaries[member])
            paths += parts
            labels += ["exploration"] + [f"ticket {i}" for i in range(len(parts) - 1)]
        else:
            paths.append(trajectory)
            labels.append(f"ticket {member}")
    embedded = trajectories.embed(paths, seed=ctx.recipe.seed)
    plots.tsne_paths(embedded, ctx.plot_path("tsne"), labels=labels)
    return {
        "paths": [{"label": label, "epochs": [int(e) for e in t.epochs], "points": p.tolist()}
                  for label, t, p in zip(labels, paths, embedded)],
    }
