"""Median training-step time of a dense and a masked model, measured in one run.

Prints JSON. The masked model is the dense one after `ftk.sparsify` (ERK,
density 0.2); it computes with `kernel * mask`, so the ratio is the cost of
the masks. `masked_dst` adds a `DynamicSparsity` callback whose topology
updates fall outside the timed steps, to show what the gradient taps cost in
steps that record nothing (a scalar test of `optimizer.iterations` on the
device) plus the callback's read of `iterations` after each batch. Rounds alternate dense and masked steps so
that both see the same machine state.

Usage:
    python benchmarks/step_overhead.py [--model wrn-16-2] [--batch-size 128]
"""

from __future__ import annotations

import argparse
import json

from _harness import compiled, cifar_like, dense_and_masked, environment, median, time_steps

import ftk


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="wrn-16-2")
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--steps", type=int, default=10, help="timed steps per round and model")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--density", type=float, default=0.2)
    parser.add_argument("--jit-compile", action="store_true", help="XLA (faster on GPU, slower on CPU)")
    args = parser.parse_args()

    dense, masked = dense_and_masked(args.model, args.density)
    masked_dst = ftk.sparsify(dense, density=args.density, seed=1)
    models = {name: compiled(m, args.jit_compile) for name, m in
              {"dense": dense, "masked": masked, "masked_dst": masked_dst}.items()}
    never = 10**9  # updates far beyond the timed steps: only the taps' cost is measured
    callbacks = {"masked_dst": [ftk.DynamicSparsity(update_frequency=never, total_steps=2 * never)]}
    data = cifar_like(args.batch_size, batches=4)
    times = {name: [] for name in models}
    for name, model in models.items():  # warm-up: trace and first steps
        time_steps(model, data, 3, callbacks.get(name, ()))
    for _ in range(args.rounds):
        for name, model in models.items():
            times[name] += time_steps(model, data, args.steps, callbacks.get(name, ()))
    medians = {name: median(t) for name, t in times.items()}
    print(json.dumps({
        "benchmark": "step_overhead",
        "model": args.model,
        "batch_size": args.batch_size,
        "density": round(ftk.density(masked), 4),
        "jit_compile": args.jit_compile,
        "steps_per_model": len(times["dense"]),
        "median_step_s": {k: round(v, 5) for k, v in medians.items()},
        "ratio_masked_to_dense": round(medians["masked"] / medians["dense"], 4),
        "ratio_masked_dst_to_dense": round(medians["masked_dst"] / medians["dense"], 4),
        "environment": environment(),
    }, indent=2))


if __name__ == "__main__":
    main()
