"""`benchmarks/reproduce.py` end to end on digits (no download): runs, resumes, reports."""

import json

import pytest

from benchmarks import reproduce


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_runs_every_protocol_resumes_and_writes_the_report(tmp_path):
    argv = ["--data", "digits", "--models", "mlp", "--epochs", "5", "--seeds", "0,1",
            "--root", str(tmp_path / "runs"), "--out", str(tmp_path / "results.md")]
    report = reproduce.main(argv)
    summary = report["summary"]["mlp"]
    assert set(summary) == set(reproduce.protocol_names())
    for protocol, row in summary.items():
        assert row["seeds"] == 2 and 0.5 < row["accuracy"][0] <= 1.0, protocol
        assert len(row["accuracy_by_size"]) == (1 if protocol == "dense" else 3)
    assert summary["dense"]["train_flops"] == 1.0
    # Budgets scaled from the paper: EDST runs 1.8 E at density 0.2; three dense members 3x.
    assert summary["deep_ensemble"]["train_flops"] == pytest.approx(3.0)
    assert summary["edst"]["train_flops"] < summary["dst_ensemble"]["train_flops"] / 1.5
    recipe = (tmp_path / "runs" / "mlp" / "edst" / "seed0" / "recipe.yaml").read_text()
    assert "epochs: 9" in recipe and "explore_epochs: 3" in recipe
    text = (tmp_path / "results.md").read_text()
    assert "| edst |" in text and "results/nll_vs_flops.svg" in text
    assert (tmp_path / "results" / "accuracy_vs_size.png").stat().st_size > 0

    # A second call trains nothing: every run finished, and each one's metrics are kept.
    cached = tmp_path / "runs" / "mlp" / "dense" / "seed0" / "reproduce.json"
    before = cached.stat().st_mtime_ns
    again = reproduce.main(argv)
    assert cached.stat().st_mtime_ns == before
    assert json.dumps(again["summary"]) == json.dumps(report["summary"])


def test_recipes_scale_the_paper_budgets():
    setting = reproduce.Setting(epochs=10, seeds=(0,), models=("lenet5",),
                                protocols=tuple(reproduce.protocol_names()),
                                data={"name": "mnist_pkl", "path": "x"})
    pf = reproduce.recipe_for("pf_ensemble", "lenet5", 0, setting, steps_per_epoch=390)
    assert pf["training"]["epochs"] == 10 and pf["pf"] == {"finetune_epochs": 10, "finetune_lr": 0.001}
    edst = reproduce.recipe_for("edst", "lenet5", 0, setting, steps_per_epoch=390)
    assert edst["training"]["epochs"] == 18 and edst["edst"]["explore_epochs"] == 6
    assert edst["dst"]["update_frequency"] == 1000  # as in the paper: MNIST has 390 steps too
    quick = reproduce.recipe_for("edst", "lenet5", 0, setting, steps_per_epoch=64)
    assert quick["dst"]["update_frequency"] == 164  # the same ~2.6 epochs between updates
    assert edst["dst"]["death_rate_schedule"] == "constant"
    assert reproduce.recipe_for("dense", "lenet5", 0, setting, 390)["ensemble"]["members"] == 1
