"""The report of `benchmarks/reproduce.py`: mean +- std tables and plots, as Markdown."""

from __future__ import annotations

import statistics
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

METRICS = ("accuracy", "nll", "ece", "brier", "disagreement", "seconds")
MODEL_TITLES = {"lenet_300_100": "LeNet-300-100", "lenet5": "LeNet-5"}
DATASETS = {"mnist_pkl": "MNIST", "mnist": "MNIST"}


def summarize(result: dict) -> dict:
    """Per protocol: mean and std over seeds of each metric, and its costs."""
    summary = {}
    for protocol, runs in result["runs"].items():
        row = {key: _mean_std([run[key] for run in runs]) for key in METRICS}
        sizes = zip(*[run["accuracy_by_size"] for run in runs])
        row["accuracy_by_size"] = [statistics.fmean(values) for values in sizes]
        row["member_accuracy"] = _mean_std([statistics.fmean(run["member_accuracy"]) for run in runs])
        row["seeds"] = len(runs)
        row |= result["costs"].get(protocol, {})
        summary[protocol] = row
    return summary


def write(report: dict, out: Path, command: str) -> None:
    """Writes `out` (Markdown) and its plots (PNG and SVG) into a folder named like `out`."""
    figures = out.parent / out.stem
    figures.mkdir(parents=True, exist_ok=True)
    setting = report["setting"]
    lines = [
        f"# Results: FreeTickets on {DATASETS.get(setting['data']['name'], setting['data']['name'])}",
        "",
        f"Made by `{command}` ({report['seconds'] / 60:.0f} minutes on this machine). "
        f"E = {setting['epochs']} epochs, seeds {', '.join(map(str, setting['seeds']))}, "
        f"M = 3, density 0.2 (ERK), {report['steps_per_epoch']} steps of "
        f"{setting['batch_size']} per epoch ({setting['data'].get('limit', 'all')} training "
        f"images), {report['test_examples']} test images. "
        "Budgets are the paper's scaled to E: dense E; deep, static and DST ensembles 3 x E; "
        "EDST 1.8 E (0.6 E exploring); PF a dense parent of E then E fine-tuning epochs at "
        "lr 0.001 (official README); MC dropout one dense model of E epochs (dropout 0.1, 3 "
        "passes). FLOPs and active parameters are relative to the dense recipe (1.0x).",
        "",
    ]
    for model, summary in report["summary"].items():
        lines += _table(MODEL_TITLES.get(model, model), summary)
        lines += _claims(summary)
    stem = figures / "reproduce"
    _plot_sizes(report["summary"], stem.with_name("accuracy_vs_size"))
    _plot_nll_flops(report["summary"], stem.with_name("nll_vs_flops"))
    lines += [
        f"![Accuracy vs ensemble size]({out.stem}/accuracy_vs_size.svg)",
        "",
        f"![NLL vs training FLOPs]({out.stem}/nll_vs_flops.svg)",
        "",
        f"PNG versions: `{out.stem}/accuracy_vs_size.png`, `{out.stem}/nll_vs_flops.png`.",
        "",
    ]
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _table(title: str, summary: dict) -> list[str]:
    header = ("protocol", "accuracy", "NLL", "ECE", "Brier", "disagreement", "train FLOPs",
              "active params", "wall time (s)")
    lines = [f"## {title}", "", "| " + " | ".join(header) + " |",
             "|" + "---|" * len(header)]
    for protocol, row in summary.items():
        cells = [protocol] + [_fmt(row[key], 4) for key in ("accuracy", "nll", "ece", "brier",
                                                             "disagreement")]
        cells += [f"{row.get('train_flops', float('nan')):.2f}x", f"{row.get('params', float('nan')):.2f}x",
                  _fmt(row["seconds"], 1)]
        lines.append("| " + " | ".join(cells) + " |")
    return lines + [""]


def _claims(summary: dict) -> list[str]:
    """The paper's claims, checked on these numbers (mean over seeds)."""
    lines = ["What these numbers say about the paper's claims:", ""]
    dense = summary.get("dense")
    if dense and dense["accuracy"][0] < 0.5:
        lines.append("- No comparison with one dense model: the dense baseline did not learn "
                     f"(accuracy {dense['accuracy'][0]:.4f}).")
        dense = None
    for name in ("edst", "dst_ensemble"):
        row = summary.get(name)
        if not (dense and row):
            continue
        better = [m for m in ("accuracy", "nll", "ece")
                  if (row[m][0] > dense[m][0] if m == "accuracy" else row[m][0] < dense[m][0])]
        worse = [m for m in ("accuracy", "nll", "ece") if m not in better]
        verdict = "holds" if not worse else f"does not hold for {', '.join(worse)}"
        lines.append(
            f"- {name} vs one dense model, at {row.get('train_flops', float('nan')):.2f}x its "
            f"training FLOPs: better on {', '.join(better) or 'nothing'}; the claim {verdict} "
            f"(accuracy {row['accuracy'][0]:.4f} vs {dense['accuracy'][0]:.4f}, NLL "
            f"{row['nll'][0]:.4f} vs {dense['nll'][0]:.4f}, ECE {row['ece'][0]:.4f} vs "
            f"{dense['ece'][0]:.4f}).")
    deep, dst = summary.get("deep_ensemble"), summary.get("dst_ensemble")
    if deep and dst:
        gap = deep["accuracy"][0] - dst["accuracy"][0]
        lines.append(f"- The DST ensemble is {gap * 100:+.2f} points of accuracy behind the deep "
                     f"ensemble (negative: ahead), at {dst.get('train_flops', float('nan')):.2f}x "
                     f"vs {deep.get('train_flops', float('nan')):.2f}x the dense training FLOPs.")
    dead = [p for p, row in summary.items() if row["accuracy"][0] < 0.5 or min(
        row["accuracy_by_size"]) < 0.5]
    if dead:
        lines.append(f"- Runs that did not learn (accuracy under 0.5 for some member or size): "
                     f"{', '.join(dead)}; the paper's CIFAR learning rate (0.1) is kept, not "
                     "tuned to MNIST.")
    return lines + [""]


def _plot_sizes(summary: dict, stem: Path) -> None:
    fig, axes = plt.subplots(1, len(summary), figsize=(5 * len(summary), 3.6), squeeze=False)
    for ax, (model, rows) in zip(axes[0], summary.items()):
        for protocol, row in rows.items():
            sizes = range(1, len(row["accuracy_by_size"]) + 1)
            ax.plot(sizes, row["accuracy_by_size"], marker="o", label=protocol)
        dense = rows.get("dense")
        if dense:
            ax.axhline(dense["accuracy"][0], color="grey", linestyle="--", linewidth=1,
                       label="dense (reference)")
        ax.set(title=MODEL_TITLES.get(model, model), xlabel="ensemble size", ylabel="test accuracy")
        ax.set_xticks(range(1, 4))
    axes[0][-1].legend(fontsize=7, loc="lower right")
    _save(fig, stem)


def _plot_nll_flops(summary: dict, stem: Path) -> None:
    fig, axes = plt.subplots(1, len(summary), figsize=(5 * len(summary), 3.6), squeeze=False)
    for ax, (model, rows) in zip(axes[0], summary.items()):
        for protocol, row in rows.items():
            mean, std = row["nll"]
            ax.errorbar(row.get("train_flops", float("nan")), mean, yerr=std, marker="o",
                        linestyle="none", label=protocol, capsize=3)
        ax.set(title=MODEL_TITLES.get(model, model), ylabel="test NLL",
               xlabel="training FLOPs (x the dense recipe)")
    axes[0][-1].legend(fontsize=7)
    _save(fig, stem)


def _save(fig, stem: Path) -> None:
    fig.tight_layout()
    for suffix in (".png", ".svg"):
        fig.savefig(stem.with_suffix(suffix), dpi=120)
    plt.close(fig)


def _mean_std(values: list[float]) -> list[float]:
    return [statistics.fmean(values), statistics.stdev(values) if len(values) > 1 else 0.0]


def _fmt(pair, digits: int) -> str:
    mean, std = pair
    return f"{mean:.{digits}f} ± {std:.{digits}f}"
