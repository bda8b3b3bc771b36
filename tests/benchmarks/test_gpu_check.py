"""`benchmarks/gpu_check.sh`: one JSON with every GPU figure; checked here on the CPU (--quick)."""

import json
import math
import os
import subprocess
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "gpu_check.sh"


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_quick_gpu_check_prints_every_figure():
    env = {**os.environ, "KERAS_BACKEND": "tensorflow", "TF_CPP_MIN_LOG_LEVEL": "3"}
    done = subprocess.run(["bash", str(SCRIPT), "--quick"], capture_output=True, text=True, env=env, timeout=580)
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads(done.stdout)
    assert report["benchmark"] == "gpu_check" and report["model"] == "wrn-16-2"
    for section in ("float32", "mixed_bfloat16", "xla"):
        figures = report["steps"][section]
        assert "error" not in figures, figures
        assert math.isfinite(figures["ratio_masked_to_dense"]) and figures["ratio_masked_to_dense"] > 0
        assert figures["images_per_s"]["dense"] > 0 and figures["images_per_s"]["masked"] > 0
    assert report["steps"]["xla"]["jit_compile"] and report["steps"]["mixed_bfloat16"]["precision"] == "mixed_bfloat16"
    assert "skipped" in report["steps"]["mirrored"]  # no GPUs here
    assert "error" not in report["update_cost"], report["update_cost"]
