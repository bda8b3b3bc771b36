"""`ftk eval RUN_DIR`: evaluate a run's ensemble; writes eval/metrics.json and plots."""

from __future__ import annotations

import argparse


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser("eval", help="evaluate a run's tickets and their ensemble")
    parser.add_argument("run_dir", help="a run directory written by `ftk run`")
    parser.add_argument("--mode", dest="modes", action="append", metavar="MODE",
                        help="predict, disagreement, kl, calibration, corruption, ood, distill, "
                             "tsne, sizes or all (default; repeatable)")
    parser.add_argument("--ood-data", help="OoD dataset, e.g. svhn_cropped (default: noise images)")
    parser.add_argument("--limit", type=int, help="use at most this many test examples")
    parser.add_argument("--corruption-source", choices=("auto", "tfds", "on_the_fly"), default="auto",
                        help="CIFAR-10-C/100-C through tfds, or corruptions computed on the fly")
    parser.add_argument("--distill-epochs", type=int, help="epochs of the distilled student")
    parser.add_argument("--format", dest="formats", default="png", metavar="FORMATS",
                        help="plot formats, comma-separated: png, svg, pdf (default: png)")
    parser.set_defaults(handler=command)


def command(args: argparse.Namespace) -> int:
    from rich.console import Console
    from rich.table import Table

    from ftk.cli.wrapping import print_message, print_wrapped
    from ftk.evaluation import MODES, evaluate_run

    results = evaluate_run(
        args.run_dir, args.modes or ["all"], ood_data=args.ood_data, limit=args.limit,
        corruption_source=args.corruption_source, distill_epochs=args.distill_epochs,
        formats=args.formats,
    )
    console = Console()
    rows = list(_rows(results))
    if rows:
        table = Table(title=f"{results['run']}: {results['members']} members on {results['dataset']}")
        # Labels wrap between words; numbers never wrap.
        table.add_column("metric", min_width=12, overflow="fold")
        for column in ("members (mean ± std)", "ensemble"):
            table.add_column(column, justify="right", no_wrap=True)
        for label, mean, std, ensemble in rows:
            table.add_row(label, f"{mean:.4f} ± {std:.4f}", f"{ensemble:.4f}")
        console.print(table)
    if "sizes" in results:
        from ftk.ensemble.file_sizes import describe_file_sizes

        print_wrapped(console, describe_file_sizes(results["sizes"]), "Sizes on disk:")
    for mode, result in results.items():
        if isinstance(result, dict) and "skipped" in result:
            print_message(console, f"{mode} skipped:", "yellow", str(result["skipped"]))
    plotted = [m for m in MODES if m in results and m not in ("sizes", "disagreement", "kl")
               and "skipped" not in results[m]] or [m for m in ("disagreement", "kl") if m in results]
    console.print(f"Wrote {args.run_dir}/eval/metrics.json" + (" and plots." if plotted else "."),
                  soft_wrap=True, markup=False, highlight=False)
    return 0


def _rows(results: dict):
    predict = results.get("predict")
    if predict:
        for key in ("accuracy", "nll", "ece", "brier"):
            yield key, predict["mean"][key], predict["std"][key], predict["ensemble"][key]
    for mode in ("disagreement", "kl"):
        if mode in results:
            r = results[mode]
            yield mode, r["mean"], r["std"], r["ensemble"]
    if "ood" in results:
        for score in ("max_prob", "entropy"):
            r = results["ood"][score]["auroc"]
            yield f"OoD AUROC ({score}, {results['ood']['dataset']})", r["mean"], r["std"], r["ensemble"]
    distilled = results.get("distill")
    if distilled and predict:
        yield "distilled student accuracy", distilled["student"]["accuracy"], 0.0, predict["ensemble"]["accuracy"]
    corruption = results.get("corruption", {}).get("average")
    if corruption:
        for key in ("accuracy", "nll", "ece"):
            yield f"corrupted {key}", corruption["members_mean"][key], corruption["members_std"][key], corruption["ensemble"][key]
