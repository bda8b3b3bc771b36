"""`evaluate_run`: every metric of `ftk eval` for a run directory."""

from __future__ import annotations

import importlib
import json
import os
from collections.abc import Sequence
from pathlib import Path

from ftk import atomic
from ftk.data import load_data
from ftk.evaluation.context import PLOT_FORMATS, EvalContext
from ftk.evaluation.run_ensemble import load_ensemble
from ftk.recipes import load_recipe
from ftk.run_dir import events
from ftk.run_dir.event_log import EventLog
from ftk.run_dir.paths import EVAL_EVENTS

#: mode -> "module:function" under ftk.evaluation.modes (imported when used).
MODES: dict[str, str] = {
    "predict": "predict:run",
    "disagreement": "diversity:disagreement",
    "kl": "diversity:kl",
    "calibration": "calibration:run",
    "corruption": "corruption:run",
    "ood": "ood:run",
    "distill": "distill:run",
    "tsne": "tsne:run",
    "sizes": "sizes:run",
}


def evaluate_run(
    run_dir: str | os.PathLike,
    modes: Sequence[str] = ("all",),
    **options,
) -> dict:
    """Evaluates the tickets of a run; writes `eval/metrics.json` and plots (PNG by default).

    Every mode reports each member, the mean and std over members, and the
    ensemble. `metrics.json` keeps the results of earlier `ftk eval` calls
    for other modes; an `ensemble_eval` event (`source: "eval"`) is appended to
    `eval/events.jsonl`, never to the training's `events.jsonl`.

    Args:
        run_dir: a run folder written by `ftk run`.
        modes: any of `MODES`, or `"all"`. Defaults to `("all",)`.
        **options: mode options: `ood_data` (dataset name or `"noise"`),
            `limit` (test examples), `corruptions`, `severities`,
            `corruption_source` (`"auto"`, `"tfds"`, `"on_the_fly"`),
            `distill_epochs`, `formats` (plot formats, e.g. `"png,svg,pdf"` or a list;
            one file per format for every plot, default PNG), `validation_split`
            is the recipe's (temperature scaling fits on it when > 0).

    Returns:
        The results of this call, keyed by mode.

    Raises:
        ValueError: if a mode is unknown.
        FileNotFoundError: if the run has no tickets yet.

    Example:

    ```python
    results = evaluate_run("runs/edst_demo", ["predict", "ood"], ood_data="svhn_cropped")
    results["predict"]["ensemble"]["accuracy"]
    ```
    """
    run_dir = Path(run_dir)
    selected = _resolve(modes)
    recipe = load_recipe(run_dir / "recipe.yaml")
    d = recipe.data
    data = load_data(d.name, batch_size=d.batch_size, eval_batch_size=d.eval_batch_size,
                     validation_split=d.validation_split, data_dir=d.data_dir, path=d.path,
                     seed=recipe.seed, limit=options.get("limit") or d.limit)
    ctx = EvalContext(run_dir, run_dir / "eval", recipe, load_ensemble(run_dir), data, options)
    ctx.formats  # noqa: B018 -- an unknown plot format fails before any mode runs
    results = {"run": run_dir.name, "dataset": d.name, "members": len(ctx.ensemble)}
    for mode in selected:
        module, function = MODES[mode].split(":")
        run = getattr(importlib.import_module(f"ftk.evaluation.modes.{module}"), function)
        results[mode] = run(ctx)
    _write_metrics(ctx.out_dir / "metrics.json", results)
    _log(ctx, results)
    return results


def _resolve(modes: Sequence[str]) -> list[str]:
    unknown = [m for m in modes if m != "all" and m not in MODES]
    if unknown:
        raise ValueError(f"Unknown mode(s) {unknown}. Choose from {('all', *MODES)}.")
    return list(MODES) if "all" in modes else list(dict.fromkeys(modes))


def _write_metrics(path: Path, results: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)  # a mode without plots made no folder
    merged = json.loads(path.read_text()) if path.is_file() else {}
    merged.update(results)
    merged["plots"] = sorted(p.name for p in path.parent.iterdir()
                             if p.suffix.lstrip(".") in PLOT_FORMATS and not atomic.is_temp_file(p))
    atomic.write_json(path, merged)


def _log(ctx: EvalContext, results: dict) -> None:
    report = results.get("predict")
    if report is None:
        from ftk.evaluation.modes.predict import run as predict

        report = predict(ctx)
    EventLog(ctx.run_dir, events=Path(ctx.run_dir) / EVAL_EVENTS).write(events.ensemble_eval(
        members=len(ctx.ensemble), accuracy=report["ensemble"]["accuracy"],
        nll=report["ensemble"]["nll"], ece=report["ensemble"]["ece"],
        member_accuracy=[m["accuracy"] for m in report["members"]], source="eval",
    ))
