"""Cost of one topology update (RigL gradient growth), in training steps.

Prints JSON. Trains the masked model with `DynamicSparsity(growth="gradient")`
updating every few steps, and times each `update()` (read the dense
gradients, prune, grow, write masks, kernels and optimizer slots) against
the median training step of the same run.

Usage:
    python benchmarks/update_cost.py [--model wrn-16-2] [--batch-size 128]
"""

from __future__ import annotations

import argparse
import json
import time

from _harness import compiled, cifar_like, dense_and_masked, environment, median, time_steps

import ftk


class TimedDynamicSparsity(ftk.DynamicSparsity):
    """`DynamicSparsity` that records the wall time of each update."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.update_times: list[float] = []

    def update(self, *args, **kwargs):
        start = time.perf_counter()
        result = super().update(*args, **kwargs)
        self.update_times.append(time.perf_counter() - start)
        return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="wrn-16-2")
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--updates", type=int, default=8)
    parser.add_argument("--update-frequency", type=int, default=4)
    parser.add_argument("--density", type=float, default=0.2)
    parser.add_argument("--jit-compile", action="store_true")
    args = parser.parse_args()

    _, masked = dense_and_masked(args.model, args.density)
    model = compiled(masked, args.jit_compile)
    dst = TimedDynamicSparsity(
        update_frequency=args.update_frequency, death_rate=0.5, growth="gradient",
        death_rate_schedule="constant", total_steps=10**9,
    )
    data = cifar_like(args.batch_size, batches=4)
    steps = args.updates * args.update_frequency
    time_steps(model, data, args.update_frequency, [dst])  # warm-up: trace, first update
    dst.update_times.clear()
    step_times = time_steps(model, data, steps, [dst])
    step, update = median(step_times), median(dst.update_times)
    print(json.dumps({
        "benchmark": "update_cost",
        "model": args.model,
        "batch_size": args.batch_size,
        "density": round(ftk.density(model), 4),
        "sparse_weights": sum(w.size for w in ftk.sparse_weights(model)),
        "updates_timed": len(dst.update_times),
        "median_step_s": round(step, 5),
        "median_update_s": round(update, 5),
        "update_in_steps": round(update / step, 3),
        "environment": environment(),
    }, indent=2))


if __name__ == "__main__":
    main()
