"""The figures a GPU user needs, in one JSON: step cost of the masks, throughput, update cost.

For WRN-28-10 at batch 128 (CIFAR shapes, density 0.2, ERK), measured in one
process so that every ratio compares steps taken on the same device state:

- `steps`: median training step and images/s of the dense and the masked
  model, and their ratio, in float32, `mixed_bfloat16` and float32 with XLA;
- `mirrored`: the same over every visible GPU with `MirroredStrategy`
  (batch 128 per replica), when there are at least two;
- `update_cost`: one RigL topology update in training steps, for each path
  `benchmarks/update_cost.py` offers (run as a child process, its JSON
  inlined).

Each section has its own time budget; a section that fails or runs out of time
reports its error instead of a figure, and the rest still run. `--quick` runs
a tiny configuration (WRN-16-2, batch 16, a few steps) to check the script on
a CPU in about a minute.

Usage:
    bash benchmarks/gpu_check.sh            # on the GPU machine; < 5 minutes on one H200
    python benchmarks/gpu_check.py --quick  # smoke test anywhere
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
import traceback
from pathlib import Path

from _harness import cifar_like, compiled, dense_and_masked, environment, images_per_second, median, time_steps

import keras
import tensorflow as tf

HERE = Path(__file__).resolve().parent


def step_figures(model_name: str, batch: int, steps: int, rounds: int, precision: str,
                 jit_compile: bool, strategy: tf.distribute.Strategy | None = None) -> dict:
    """Median step (s), images/s and masked/dense ratio of one configuration."""
    previous = keras.config.dtype_policy()
    keras.config.set_dtype_policy(precision)
    try:
        scope = strategy.scope() if strategy else _null()
        replicas = strategy.num_replicas_in_sync if strategy else 1
        with scope:
            dense, masked = dense_and_masked(model_name, 0.2)
            models = {"dense": compiled(dense, jit_compile), "masked": compiled(masked, jit_compile)}
        global_batch = batch * replicas
        data = cifar_like(global_batch, batches=4)
        for model in models.values():  # trace and warm up
            time_steps(model, data, 3)
        times = {name: [] for name in models}
        for _ in range(rounds):
            for name, model in models.items():
                times[name] += time_steps(model, data, steps)
    finally:
        keras.config.set_dtype_policy(previous)
    medians = {name: median(t) for name, t in times.items()}
    return {
        "precision": precision,
        "jit_compile": jit_compile,
        "replicas": replicas,
        "global_batch": global_batch,
        "median_step_s": {k: round(v, 5) for k, v in medians.items()},
        "images_per_s": {k: images_per_second(v, global_batch) for k, v in medians.items()},
        "ratio_masked_to_dense": round(medians["masked"] / medians["dense"], 4),
    }


def update_cost(model_name: str, batch: int, timeout: float) -> dict:
    """`benchmarks/update_cost.py`'s JSON for this model and batch (every path it measures)."""
    done = subprocess.run(
        [sys.executable, str(HERE / "update_cost.py"), "--model", model_name, "--batch-size", str(batch)],
        capture_output=True, text=True, timeout=timeout,
    )
    if done.returncode:
        raise RuntimeError(f"update_cost.py exited {done.returncode}: {done.stderr.strip()[-800:]}")
    return json.loads(done.stdout)


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="wrn-28-10")
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--steps", type=int, default=10, help="timed steps per round and model")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--section-timeout", type=float, default=150, help="seconds for update_cost.py")
    parser.add_argument("--quick", action="store_true", help="WRN-16-2, batch 16, 2 steps x 2 rounds")
    args = parser.parse_args(argv)
    if args.quick:
        args.model, args.batch_size, args.steps, args.rounds = "wrn-16-2", 16, 2, 2
    gpus = tf.config.list_logical_devices("GPU")
    started = time.perf_counter()
    report: dict = {"benchmark": "gpu_check", "model": args.model, "batch_size": args.batch_size,
                    "density": 0.2, "gpus": len(gpus), "environment": environment()}
    sections = {
        "float32": lambda: step_figures(args.model, args.batch_size, args.steps, args.rounds, "float32", False),
        "mixed_bfloat16": lambda: step_figures(
            args.model, args.batch_size, args.steps, args.rounds, "mixed_bfloat16", False),
        "xla": lambda: step_figures(args.model, args.batch_size, args.steps, args.rounds, "float32", True),
    }
    if len(gpus) >= 2:
        sections["mirrored"] = lambda: step_figures(
            args.model, args.batch_size, args.steps, args.rounds, "float32", False,
            tf.distribute.MirroredStrategy([d.name for d in gpus]))
    report["steps"] = {}
    for name, run in sections.items():
        report["steps"][name] = _guarded(run)
    if len(gpus) < 2:
        report["steps"]["mirrored"] = {"skipped": f"{len(gpus)} GPU(s) visible; MirroredStrategy needs 2+"}
    report["update_cost"] = _guarded(lambda: update_cost(args.model, args.batch_size, args.section_timeout))
    report["wall_s"] = round(time.perf_counter() - started, 1)
    print(json.dumps(report, indent=2))
    return report


def _guarded(run) -> dict:
    start = time.perf_counter()
    try:
        result = run()
    except Exception as error:  # noqa: BLE001 -- one section's failure is a figure too
        result = {"error": f"{type(error).__name__}: {error}"[:1000],
                  "where": traceback.format_exc(limit=3)[-600:]}
    result["section_s"] = round(time.perf_counter() - start, 1)
    return result


class _null:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


if __name__ == "__main__":
    main()
