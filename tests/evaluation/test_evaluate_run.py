"""`ftk eval` on runs made by `ftk run`: every key of metrics.json, valid plots, events."""

import json

import numpy as np
import pytest

from ftk.cli import main
from ftk.evaluation import MODES, evaluate_run
from ftk.protocols.runner import run_recipe
from ftk.recipes import find_recipe, load_recipe

PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def edst_run(tmp_path_factory):
    run_dir = tmp_path_factory.mktemp("eval") / "test_edst"
    run_recipe(load_recipe(find_recipe("test_edst"), ["run.record_every=1"]), run_dir)
    return run_dir


def test_eval_all_writes_every_key_and_valid_plots(edst_run, capsys):
    assert main(["eval", str(edst_run), "--distill-epochs", "1", "--limit", "64",
                 "--format", "png,svg,pdf"]) == 0
    out = capsys.readouterr().out
    assert "ensemble" in out and "Sizes on disk:" in out and "exported ensemble (plain)" in out
    metrics = json.loads((edst_run / "eval" / "metrics.json").read_text())
    assert set(MODES) <= set(metrics)
    sizes = metrics["sizes"]
    tickets = sorted((edst_run / "tickets").glob("*.keras"))
    assert sizes["tickets_bytes"] == [p.stat().st_size for p in tickets]
    assert sizes["tickets_total_vs_dense"] == pytest.approx(sum(sizes["tickets_bytes"]) / sizes["dense_ticket_bytes"], abs=1e-3)
    assert sizes["export_bytes"]["packed"] < sizes["export_bytes"]["plain"]
    predict = metrics["predict"]
    assert set(predict) == {"members", "mean", "std", "ensemble", "by_size"}
    assert [c["members"] for c in predict["by_size"]] == [1, 2]
    assert set(predict["ensemble"]) == {"accuracy", "nll", "ece", "brier"}
    for mode in ("disagreement", "kl", "calibration"):
        assert {"members", "mean", "std", "ensemble"} <= set(metrics[mode])
    assert set(metrics["ood"]) == {"dataset", "examples", "max_prob", "entropy"}
    assert set(metrics["ood"]["entropy"]["auroc"]) == {"members", "mean", "std", "ensemble"}
    assert set(metrics["corruption"]["average"]) == {"members_mean", "members_std", "ensemble"}
    assert set(metrics["corruption"]["results"]["jpeg_compression"]) == {"1", "2", "3", "4", "5"}
    calibration = metrics["calibration"]
    assert calibration["temperature_fit_on"] == "test half"  # test_edst has no validation split
    assert calibration["temperature_fit_examples"] + calibration["temperature_eval_examples"] == 64
    assert 0.05 <= calibration["temperature"] <= 20
    for key in ("ece_temp_scaled", "nll_temp_scaled", "ece_unscaled", "nll_unscaled"):
        assert np.isfinite(calibration[key])
    assert {"members", "mean", "std", "ensemble"} <= set(calibration["aurc"])
    corruption = metrics["corruption"]
    assert {"members", "mean", "std", "ensemble"} <= set(corruption["mce"])
    assert corruption["mce"]["ensemble"] == pytest.approx(1 - corruption["average"]["ensemble"]["accuracy"])
    assert set(corruption["by_severity"]) == {"1", "2", "3", "4", "5"}
    assert set(corruption["by_severity"]["3"]["ensemble"]) == {"accuracy", "nll", "ece"}
    assert {"student", "ensemble", "ticket", "student_density"} <= set(metrics["distill"])
    assert len(metrics["tsne"]["paths"]) == 3  # exploration + 2 refinement phases
    expected_plots = {"ensemble_size.png", "disagreement_heatmap.png", "kl_heatmap.png",
                      "reliability_ensemble.png", "reliability_ticket_0.png",
                      "corruption_accuracy.png", "tsne.png", "reliability_members.png",
                      "risk_coverage.png", "corruption_severity.png"}
    assert expected_plots <= set(metrics["plots"])
    for name in expected_plots:
        data = (edst_run / "eval" / name).read_bytes()
        assert data[:8] == PNG and len(data) > 1000
        for fmt, signature in (("svg", b"<?xml"), ("pdf", b"%PDF")):
            other = name.replace(".png", f".{fmt}")
            assert other in metrics["plots"]
            assert (edst_run / "eval" / other).read_bytes().startswith(signature)
    last = json.loads((edst_run / "eval" / "events.jsonl").read_text().splitlines()[-1])
    assert last["type"] == "ensemble_eval" and last["source"] == "eval"
    assert last["accuracy"] == pytest.approx(predict["ensemble"]["accuracy"])
    # The training's events keep the run's own times: `ftk eval` does not append to them.
    training = [json.loads(line) for line in (edst_run / "events.jsonl").read_text().splitlines()]
    assert training[-1]["type"] == "run_end"
    assert not any(e.get("source") == "eval" for e in training)


def test_modes_merge_into_metrics_json(edst_run):
    evaluate_run(edst_run, ["calibration"], limit=64)
    evaluate_run(edst_run, ["kl"], limit=64)
    metrics = json.loads((edst_run / "eval" / "metrics.json").read_text())
    assert {"calibration", "kl"} <= set(metrics)
    with pytest.raises(ValueError, match="Unknown mode"):
        evaluate_run(edst_run, ["confusion"])
    with pytest.raises(ValueError, match="plot format"):
        evaluate_run(edst_run, ["kl"], limit=64, formats="png,gif")


def test_demo_trains_three_good_tickets_and_a_better_calibrated_ensemble(tmp_path):
    # Its accuracy does not always beat the members' mean: 360 test images, and the three
    # tickets agree on nearly all of them (deterministically 0.9694 against 0.9713 here).
    overrides = ["run.tensorboard=false", "run.deterministic=true"]
    result = run_recipe(load_recipe(find_recipe("edst_demo"), overrides), tmp_path / "demo")
    assert len(result.member_accuracy) == 3 and min(result.member_accuracy) > 0.93
    assert result.ensemble["accuracy"] >= min(result.member_accuracy)
    report = evaluate_run(tmp_path / "demo", ["predict"])["predict"]
    assert report["ensemble"]["nll"] < report["mean"]["nll"]
