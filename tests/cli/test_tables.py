"""Tables and summaries stay legible at 80 columns: wrapped between words or columns dropped."""

import io
import os
import re
import subprocess
import sys
from pathlib import Path

from rich.cells import cell_len
from rich.console import Console

from ftk.cli import main
from ftk.cli.run_report import print_result
from ftk.ensemble.file_sizes import FileSizes
from ftk.protocols.runner import RunResult
from ftk.recipes import load_recipe, shipped_recipes
from ftk.sparse.counts import Counts

BORDERS = re.compile(r"[│┃┏┓┗┛┡┩└┘├┤┬┴┼╇╈━─┳┻]")


def words(text: str) -> set[str]:
    """The words of `text`, table borders removed: a word split across lines is not one of them."""
    return set(BORDERS.sub(" ", text).split())


def widest(text: str) -> int:
    return max(cell_len(line) for line in text.splitlines())


def ftk_output(*argv: str, columns: int) -> str:
    env = {**os.environ, "COLUMNS": str(columns)}
    done = subprocess.run([sys.executable, "-m", "ftk.cli", *argv], capture_output=True, text=True,
                          env=env, timeout=300)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_recipes_fit_80_columns_with_whole_words():
    out = ftk_output("recipes", columns=80)
    assert widest(out) <= 80
    shown = words(out)
    recipes = {name: load_recipe(path) for name, path in shipped_recipes().items()}
    for name, recipe in recipes.items():
        assert name in shown
        assert set(recipe.description.split()) <= shown, f"{name}'s description is cut"
        assert {recipe.protocol, recipe.model.name, recipe.data.name} <= words(out.replace(",", " "))
    assert len(out.splitlines()) <= 6 + 3 * len(recipes)  # was ~160 lines: descriptions 9 columns wide


def test_recipes_use_one_column_per_field_when_wide():
    out = ftk_output("recipes", columns=200)
    assert widest(out) <= 200
    header = next(line for line in out.splitlines() if "name" in line)
    assert words(header) == {"name", "protocol", "model", "data", "epochs", "description"}
    assert len(out.splitlines()) <= 6 + 2 * len(shipped_recipes())


def test_run_summary_fits_80_columns():
    recipe = load_recipe(shipped_recipes()["edst_wrn"])
    sizes = FileSizes(tickets=(29_512_345,) * 3, dense_ticket=109_876_543,
                      exports={"plain": 292_123_456, "packed": 88_765_432}, dense_model=146_123_456)
    run_dir = Path("/data/experiments/ftk/runs/a-rather-long-folder-name") / ("edst_wrn-" + "x" * 70)
    result = RunResult(run_dir, [run_dir / f"tickets/ticket_{i}.keras" for i in range(3)],
                       [0.9601, 0.9633, 0.9655], {"accuracy": 0.9712, "nll": 0.1023, "ece": 0.0121},
                       Counts(36_497_146, 36_479_194, 7_310_207, 0.2), sizes)
    console = Console(file=io.StringIO(), width=80)
    print_result(recipe, result, console)
    out = console.file.getvalue()
    assert widest(out) <= 80
    for line in [f"Each ticket: {result.counts}", *sizes.describe()]:
        assert set(line.split()) <= words(out)
    assert str(run_dir) in out.replace("\n", "")  # a path too long for a line is folded, whole
    assert "ticket 2" in out and "0.9712" in out


def test_eval_tables_fit_80_columns(monkeypatch, capsys):
    import ftk.evaluation

    stats = {"mean": {"accuracy": 0.9612, "nll": 0.1234, "ece": 0.0123, "brier": 0.0567},
             "std": {"accuracy": 0.0012, "nll": 0.0045, "ece": 0.0011, "brier": 0.0004},
             "ensemble": {"accuracy": 0.9712, "nll": 0.0987, "ece": 0.0101, "brier": 0.0456}}
    auroc = {"auroc": {"mean": 0.9123, "std": 0.0101, "ensemble": 0.9345}}
    sizes = FileSizes((29_512_345,) * 3, 109_876_543, {"plain": 292_123_456, "packed": 88_765_432},
                      146_123_456).as_dict()
    results = {"run": "edst_wrn-20261204-031500", "members": 3, "dataset": "cifar10", "predict": stats,
               "ood": {"dataset": "svhn_cropped", "max_prob": auroc, "entropy": auroc}, "sizes": sizes,
               "tsne": {"skipped": "no predictions were recorded: set run.record_every > 0 [and train again]"}}
    monkeypatch.setattr(ftk.evaluation, "evaluate_run", lambda *args, **kwargs: results)
    monkeypatch.setenv("COLUMNS", "80")
    assert main(["eval", "runs/edst_wrn-20261204-031500"]) == 0
    out = capsys.readouterr().out
    assert widest(out) <= 80
    shown = words(out)
    assert {"OoD", "AUROC", "(max_prob,", "svhn_cropped)", "0.9612", "0.9345"} <= shown
    assert set(results["tsne"]["skipped"].split()) <= shown  # brackets shown, not read as markup
    for line in ftk.ensemble.file_sizes.describe_file_sizes(sizes):
        assert set(line.split()) <= shown


def test_flops_table_fits_80_columns():
    # No shipped recipe of this model: every other row is marked, the widest table there is.
    out = ftk_output("flops", "test_static", "--set", "model.name=lenet_300_100", columns=80)
    assert widest(out) <= 80
    shown = words(out)
    assert {"static_ensemble", "dst_ensemble", "pf_ensemble", "mc_dropout", "†"} <= shown
    assert "…" not in out  # no value cut
    for name in ("dense", "deep_ensemble", "static_ensemble", "dst_ensemble", "edst", "pf_ensemble", "mc_dropout"):
        row = next(line for line in out.splitlines() if re.match(rf"│ {name}\b", line))
        assert len(re.findall(r"\b\d+\.\d+(?:e[+-]\d+)?\b", row)) == 6, row  # every number of the row


def test_wrap_words_keeps_backticked_commands_whole():
    from ftk.cli.wrapping import wrap_words

    text = "interrupted: continue with `ftk run --resume runs/edst_wrn` (the same folder)."
    lines = wrap_words(text, 30, "  ", "      ")
    assert lines == ["  interrupted: continue with", "      `ftk run --resume runs/edst_wrn`", "      (the same folder)."]
    assert " ".join(" ".join(lines).split()) == text
    assert wrap_words("", 30) == [""]
