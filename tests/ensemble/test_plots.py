"""Tests for `ftk.ensemble.plots`: headless PNG plots that leave the caller's backend alone."""

from __future__ import annotations

import io
import os
import pathlib
import re
import subprocess
import sys
import textwrap

import matplotlib
import numpy as np
import pytest
from matplotlib.figure import Figure
from matplotlib.image import imread

from ftk import atomic
from ftk.ensemble import metrics as M
from ftk.ensemble import plots as P

_ROOT = pathlib.Path(__file__).parents[2]
_PLOTS = sorted((_ROOT / "ftk" / "ensemble" / "plots").glob("*.py"))
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _check_png(path: pathlib.Path, returned: pathlib.Path) -> np.ndarray:
    assert isinstance(returned, pathlib.Path) and returned == path
    assert path.read_bytes()[:8] == PNG_SIGNATURE
    image = imread(path)
    assert image.ndim == 3 and image.shape[0] > 100 and image.shape[1] > 100
    assert image.std() > 0  # something was drawn
    leftovers = [p.name for p in path.parent.iterdir() if atomic.is_temp_file(p)]
    assert leftovers == []
    return image


@pytest.fixture
def member_probs() -> np.ndarray:
    return np.random.default_rng(0).dirichlet(np.full(5, 0.5), size=(4, 200))


def test_reliability_diagram(tmp_path, member_probs):
    probs = M.ensemble_probabilities(member_probs)
    labels = np.argmax(probs, axis=1) % 3
    bins = M.reliability_bins(probs, labels, num_bins=15)
    assert np.isnan(bins.accuracy).any()  # the edge case: empty bins are NaN
    path = tmp_path / "new" / "nested" / "rel.png"
    _check_png(path, P.reliability_diagram(bins, path, title="Ensemble"))


def test_reliability_diagram_all_but_one_bin_empty(tmp_path):
    bins = M.reliability_bins(np.array([[0.95, 0.05]]), np.array([1]), num_bins=10)
    _check_png(tmp_path / "one.png", P.reliability_diagram(bins, tmp_path / "one.png"))


def test_reliability_diagram_bad_bins(tmp_path):
    with pytest.raises(ValueError, match="`bins`"):
        P.reliability_diagram(np.zeros(3), tmp_path / "x.png")
    bad = M.ReliabilityBins(
        edges=np.linspace(0, 1, 6), counts=np.ones(4), accuracy=np.ones(5), confidence=np.ones(5)
    )
    with pytest.raises(ValueError, match="`bins"):
        P.reliability_diagram(bad, tmp_path / "x.png")
    assert not (tmp_path / "x.png").exists()


@pytest.mark.parametrize("kind", ["disagreement", "kl"])
def test_disagreement_heatmap(tmp_path, member_probs, kind):
    if kind == "kl":
        matrix, kwargs = M.kl_matrix(member_probs), {"value_label": "KL divergence"}
    else:
        matrix, kwargs = M.disagreement_matrix(member_probs), {}
    path = tmp_path / f"{kind}.png"
    labels = [f"m{i}" for i in range(4)]
    _check_png(path, P.disagreement_heatmap(matrix, str(path), labels=labels, **kwargs))


def test_disagreement_heatmap_one_member_and_many(tmp_path):
    _check_png(tmp_path / "1.png", P.disagreement_heatmap(np.zeros((1, 1)), tmp_path / "1.png"))
    big = np.random.default_rng(1).random((21, 21))  # too many cells to annotate
    _check_png(tmp_path / "21.png", P.disagreement_heatmap(big, tmp_path / "21.png"))


@pytest.mark.parametrize(
    "matrix, kwargs, name",
    [
        (np.zeros((2, 3)), {}, "matrix"),
        (np.zeros(3), {}, "matrix"),
        (np.full((2, 2), np.nan), {}, "matrix"),
        (np.zeros((2, 2)), {"labels": ["a"]}, "labels"),
    ],
)
def test_disagreement_heatmap_bad_input(tmp_path, matrix, kwargs, name):
    with pytest.raises(ValueError, match=f"`{name}`"):
        P.disagreement_heatmap(matrix, tmp_path / "x.png", **kwargs)


def test_ensemble_size_curve(tmp_path):
    path = tmp_path / "size.png"
    out = P.ensemble_size_curve(
        np.arange(1, 6), [0.8, 0.84, 0.86, 0.87, 0.875], [0.6, 0.5, 0.45, 0.43, 0.42],
        [0.05, 0.03, 0.02, 0.018, 0.017], path, member_accuracy=[0.79, 0.8, 0.81],
    )
    _check_png(path, out)


def test_ensemble_size_curve_single_member(tmp_path):
    path = tmp_path / "size1.png"
    _check_png(path, P.ensemble_size_curve([1], [0.8], [0.6], [0.05], path, member_accuracy=0.8))


@pytest.mark.parametrize(
    "name, value",
    [
        ("sizes", [[1, 2]]),
        ("sizes", []),
        ("accuracy", [0.8, 0.9, 1.0]),
        ("nll", [0.5]),
        ("ece", [[0.1, 0.05]]),
        ("member_accuracy", []),
        ("member_accuracy", [np.inf]),
    ],
)
def test_ensemble_size_curve_bad_shapes(tmp_path, name, value):
    args = {"sizes": [1, 2], "accuracy": [0.8, 0.9], "nll": [0.5, 0.4], "ece": [0.1, 0.05]}
    with pytest.raises(ValueError, match=f"`{name}`"):
        P.ensemble_size_curve(path=tmp_path / "x.png", **{**args, name: value})


def test_corruption_bars(tmp_path):
    results = {
        "clean": {"members mean": 0.9, "ensemble": 0.93, "dense": 0.91},
        **{
            c: {"members mean": 0.7 - i / 50, "ensemble": 0.75 - i / 50}
            | ({"dense": 0.72} if i % 2 else {})  # some corruptions miss the dense model
            for i, c in enumerate(["fog", "snow", "blur", "noise", "jpeg", "pixelate"])
        },
    }
    path = tmp_path / "corr.png"
    _check_png(path, P.corruption_bars(results, path, metric="NLL"))


def test_corruption_bars_without_clean_and_one_model(tmp_path):
    path = tmp_path / "corr1.png"
    _check_png(path, P.corruption_bars({"fog": {"ensemble": np.float32(0.5)}}, path))


@pytest.mark.parametrize(
    "results, name",
    [
        ([("fog", {"a": 0.1})], "`results`"),
        ({"fog": 0.5}, r"`results\['fog'\]`"),
        ({"fog": {"a": float("nan")}}, r"`results\['fog'\]\['a'\]`"),
        ({"fog": {"a": "high"}}, r"`results\['fog'\]\['a'\]`"),
        ({"clean": {"a": 0.9}}, "`results`"),
        ({"fog": {}}, "`results`"),
    ],
)
def test_corruption_bars_bad_input(tmp_path, results, name):
    with pytest.raises(ValueError, match=name):
        P.corruption_bars(results, tmp_path / "x.png")


def test_tsne_paths(tmp_path):
    points = np.cumsum(np.random.default_rng(2).normal(size=(3, 6, 2)), axis=1)
    path = tmp_path / "tsne.png"
    _check_png(path, P.tsne_paths(points, path, labels=["a", "b", "c"], ensemble_point=[0, 0]))


def test_tsne_paths_one_member_one_checkpoint_and_many_members(tmp_path):
    _check_png(tmp_path / "1.png", P.tsne_paths(np.ones((1, 1, 2)), tmp_path / "1.png"))
    many = np.random.default_rng(3).normal(size=(12, 4, 2))
    _check_png(tmp_path / "12.png", P.tsne_paths(many, tmp_path / "12.png"))


@pytest.mark.parametrize(
    "points, kwargs, name",
    [
        (np.zeros((2, 3)), {}, "points"),
        (np.zeros((2, 3, 3)), {}, "points"),
        (np.zeros((0, 3, 2)), {}, "points"),
        (np.zeros((2, 3, 2)), {"labels": ["a", "b", "c"]}, "labels"),
        (np.zeros((2, 3, 2)), {"ensemble_point": [1.0, 2.0, 3.0]}, "ensemble_point"),
    ],
)
def test_tsne_paths_bad_input(tmp_path, points, kwargs, name):
    with pytest.raises(ValueError, match=f"`{name}`"):
        P.tsne_paths(points, tmp_path / "x.png", **kwargs)


def test_failed_write_leaves_no_file(tmp_path, monkeypatch):
    def boom(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(Figure, "savefig", boom)
    with pytest.raises(RuntimeError, match="disk full"):
        P.tsne_paths(np.zeros((1, 2, 2)), tmp_path / "t.png")
    assert list(tmp_path.iterdir()) == []


def test_import_and_plot_keep_caller_backend(tmp_path):
    """A caller's backend survives importing and using the module (in a fresh process).

    The packages `ftk` and `ftk.ensemble` are stood in for by empty ones, so
    only the plot modules (and matplotlib) are imported, not TensorFlow.
    """
    script = textwrap.dedent(
        f"""
        import sys, types
        import matplotlib
        matplotlib.use("svg")
        for name in ("ftk", "ftk.ensemble"):
            sys.modules[name] = types.ModuleType(name)
            sys.modules[name].__path__ = [{str(_ROOT)!r} + "/" + name.replace(".", "/")]
        from ftk.ensemble import plots
        assert "tensorflow" not in sys.modules
        import numpy as np
        plots.tsne_paths(np.zeros((1, 2, 2)), {str(tmp_path / "t.png")!r})
        plots.disagreement_heatmap(np.eye(2), {str(tmp_path / "d.png")!r})
        print(matplotlib.get_backend())
        """
    )
    env = {**os.environ, "PYTHONPATH": str(_ROOT), "MPLBACKEND": "agg"}
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split()[-1] == "svg"
    assert (tmp_path / "t.png").read_bytes()[:8] == PNG_SIGNATURE


def test_plotting_keeps_this_process_backend(tmp_path):
    before = matplotlib.get_backend()
    P.ensemble_size_curve([1], [0.8], [0.6], [0.05], tmp_path / "s.png")
    assert matplotlib.get_backend() == before
    assert len(_PLOTS) > 1
    for path in _PLOTS:
        source = path.read_text()
        assert not re.search(r"import\s+matplotlib\.pyplot|from\s+matplotlib\s+import\s+pyplot", source)
        assert not re.search(r"matplotlib\.use\(|import\s+(tensorflow|keras)", source)


def test_plots_write_to_a_binary_file(tmp_path):
    buffer = io.BytesIO()
    assert P.ensemble_size_curve([1, 2], [0.8, 0.9], [0.6, 0.5], [0.05, 0.04], buffer) is buffer
    assert buffer.getvalue()[:8] == PNG_SIGNATURE
    with atomic.replacing(tmp_path / "eval" / "rel.png", "wb") as file:
        bins = M.reliability_bins(np.array([[0.7, 0.3], [0.1, 0.9]]), np.array([0, 1]))
        P.reliability_diagram(bins, file)
    assert (tmp_path / "eval" / "rel.png").read_bytes()[:8] == PNG_SIGNATURE
