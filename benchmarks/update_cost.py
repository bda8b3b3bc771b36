"""Cost of one topology update (RigL gradient growth), in training steps, on host and device.

Prints JSON. Trains the masked model with `DynamicSparsity(growth="gradient")`
updating every few steps, once per `update_on` path (`"host"`: NumPy;
`"device"`: TensorFlow ops where the variables live), and times each
`update()` (read the dense gradients, prune, grow, write masks, kernels and
optimizer slots) against the median training step of the same run. The
top-level `median_update_s` / `update_in_steps` are those of the path that
`update_on="auto"` picks here (`update_on_auto`); `paths` holds both.

Usage:
    python benchmarks/update_cost.py [--model wrn-16-2|wrn-28-10] [--batch-size 128]
                                     [--paths host,device]
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

    def after_step(self, *args, **kwargs):
        # `fit` reaches updates through `after_step`, not `update`.
        start = time.perf_counter()
        result = super().after_step(*args, **kwargs)
        if result is not None and result.skipped is None:
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
    parser.add_argument("--paths", default="host,device", help="comma-separated `update_on` values")
    args = parser.parse_args()

    _, masked = dense_and_masked(args.model, args.density)
    model = compiled(masked, args.jit_compile)
    data = cifar_like(args.batch_size, batches=4)
    paths, all_steps = {}, []
    for path in args.paths.split(","):
        dst = TimedDynamicSparsity(
            update_frequency=args.update_frequency, death_rate=0.5, growth="gradient",
            death_rate_schedule="constant", total_steps=10**9, update_on=path,
        )
        time_steps(model, data, args.update_frequency, [dst])  # warm-up: trace, first update
        dst.update_times.clear()
        step_times = time_steps(model, data, args.updates * args.update_frequency, [dst])
        step, update = median(step_times), median(dst.update_times)
        all_steps += step_times
        paths[path] = {
            "updates_timed": len(dst.update_times),
            "median_step_s": round(step, 5),
            "median_update_s": round(update, 5),
            "update_in_steps": round(update / step, 3),
        }
    auto = "device" if ftk.DynamicSparsity(update_on="auto")._updater.on_device else "host"
    chosen = paths.get(auto, next(iter(paths.values())))
    print(json.dumps({
        "benchmark": "update_cost",
        "model": args.model,
        "batch_size": args.batch_size,
        "density": round(ftk.density(model), 4),
        "sparse_weights": sum(w.size for w in ftk.sparse_weights(model)),
        "update_on_auto": auto,
        "updates_timed": chosen["updates_timed"],
        "median_step_s": round(median(all_steps), 5),
        "median_update_s": chosen["median_update_s"],
        "update_in_steps": round(chosen["median_update_s"] / median(all_steps), 3),
        "paths": paths,
        "environment": environment(),
    }, indent=2))


if __name__ == "__main__":
    main()
