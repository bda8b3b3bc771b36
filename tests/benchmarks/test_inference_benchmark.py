"""`benchmarks/inference.py`: latencies, ratios like with like, correctness check, peak memory."""

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest
import tensorflow as tf

from benchmarks import inference

SCRIPT = Path(inference.__file__)
LENET_VARIANTS = {
    "dense", "ticket", "ensemble", "ensemble_fused", "ensemble_blockdiag", "ensemble_csr",
    "ensemble_fused_csr", "xla_dense", "xla_ensemble", "xla_ensemble_fused", "tflite_dense", "tflite_ticket", "tflite_ensemble", "tflite_ensemble_sparse",
    "tflite_ensemble_fused", "tflite_ensemble_blockdiag", "tflite_builtin_dense",
    "tflite_builtin_ensemble", "tflite_builtin_ensemble_sparse",
}


def check_lenet(report: dict, memory: set[str]) -> None:
    lenet = report["archs"]["lenet_300_100"]
    assert lenet["mlp"] and lenet["params_dense"] == 266_610
    assert all(d == pytest.approx(0.2, abs=0.01) for d in lenet["ticket_density"])
    for batch in ("1", "256"):
        ms = lenet["latency_ms"][batch]
        assert set(ms) == LENET_VARIANTS
        assert all(v > 0 and math.isfinite(v) for v in ms.values()), ms
        ratios = lenet["ratios"][batch]
        assert set(ratios) == {f"{v}/{inference.runtime_dense(v)}" for v in LENET_VARIANTS if "ensemble" in v}
        assert all(r > 0 and math.isfinite(r) for r in ratios.values()), ratios
        # Like with like: each ratio is the quotient of two latencies of one runtime.
        assert ratios["xla_ensemble/xla_dense"] == pytest.approx(ms["xla_ensemble"] / ms["xla_dense"], rel=1e-3)
        assert ratios["tflite_ensemble/tflite_dense"] == pytest.approx(
            ms["tflite_ensemble"] / ms["tflite_dense"], rel=1e-3)
    errors = lenet["max_abs_error_vs_ftk_ensemble"]
    assert set(errors) == {v for v in LENET_VARIANTS if "ensemble" in v}
    assert max(errors.values()) <= report["tolerance"]
    assert set(lenet["peak_rss_mb"]) == memory
    assert all(math.isfinite(v) for v in lenet["peak_rss_mb"].values())
    target = report["target"]
    assert target["batch"] == 256 and isinstance(target["target_met"], bool)
    assert target["target_met"] == (target["best_ratio_same_runtime"]["ratio"] <= target["bound"])


def test_small_run_times_every_variant_and_checks_them(capsys):
    report = inference.main(["--archs", "lenet_300_100", "--members", "2", "--rounds", "1",
                             "--repeats", "3", "--round-budget", "0", "--memory", "none"])
    assert json.loads(capsys.readouterr().out) == report  # stdout holds the JSON alone
    assert report["members"] == 2 and report["baseline_peak_rss_mb"] is None
    check_lenet(report, memory=set())


def test_a_wrong_ensemble_fails_the_check(monkeypatch):
    real = inference.block_diagonal_mlp_fn

    def wrong(tickets):
        fn = real(tickets)
        return tf.function(lambda x: fn(x) * 0.99 + 0.001, autograph=False)

    monkeypatch.setattr(inference, "block_diagonal_mlp_fn", wrong)
    with pytest.raises(AssertionError, match="ensemble_blockdiag"):
        inference.main(["--archs", "lenet_300_100", "--members", "2", "--rounds", "1",
                        "--repeats", "3", "--round-budget", "0", "--memory", "none"])


def test_variants_keeps_the_dense_model_of_each_runtime(capsys):
    report = inference.main(["--archs", "lenet_300_100", "--members", "2", "--rounds", "1",
                             "--repeats", "3", "--round-budget", "0", "--memory", "none",
                             "--variants", "ensemble_csr,tflite_ensemble"])
    lenet = report["archs"]["lenet_300_100"]
    assert set(lenet["latency_ms"]["256"]) == {"dense", "ensemble_csr", "tflite_dense", "tflite_ensemble"}
    assert set(lenet["ratios"]["1"]) == {"ensemble_csr/dense", "tflite_ensemble/tflite_dense"}


def test_peak_rss_is_the_process_own_high_water_mark():
    assert 10 < inference.peak_rss_mb() < 1e6


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_quick_run_as_a_script_prints_json_with_memory():
    env = {**os.environ, "KERAS_BACKEND": "tensorflow", "TF_CPP_MIN_LOG_LEVEL": "3"}
    done = subprocess.run([sys.executable, str(SCRIPT), "--quick"], capture_output=True, text=True,
                          env=env, check=False, timeout=280)
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout)
    assert set(report["archs"]) == {"lenet_300_100"}
    assert report["baseline_peak_rss_mb"] > 0
    check_lenet(report, memory=set(inference.CORE_MEMORY))
    # A child that builds and runs a model holds more memory than one that only imports.
    assert report["archs"]["lenet_300_100"]["peak_rss_mb"]["ensemble"] > 0
