"""New plots and formats, read back from the files written or the figure before it is saved."""

from __future__ import annotations

import io

import numpy as np
import pytest
from matplotlib.image import imread

from ftk.ensemble import metrics as M
from ftk.ensemble import plots as P
from ftk.ensemble.plots import _canvas, calibration, corruption, diversity, ensemble_size

SIGNATURES = {"png": b"\x89PNG\r\n\x1a\n", "svg": b"<?xml", "pdf": b"%PDF"}


@pytest.fixture
def member_probs() -> np.ndarray:
    return np.random.default_rng(0).dirichlet(np.full(5, 0.5), size=(4, 200))


def _capture(monkeypatch, module) -> list:
    """Records each figure's axes just before `module.save` writes (and clears) it."""
    seen = []

    def save(fig, target):
        seen.append([{
            "title": ax.get_title(), "ylim": ax.get_ylim(), "xlabel": ax.get_xlabel(),
            "visible": ax.get_visible(), "lines": [(l.get_xdata(), l.get_ydata()) for l in ax.lines],
            "clim": [im.get_clim() for im in ax.images], "collections": len(ax.collections),
            "xticks": [t.get_text() for t in ax.get_xticklabels()],
            "yticks": [t.get_text() for t in ax.get_yticklabels()],
            "texts": [t.get_text() for t in ax.texts], "ylabel": ax.get_ylabel(),
            "legend": [t.get_text() for t in ax.get_legend().get_texts()] if ax.get_legend() else [],
        } for ax in fig.axes])
        return _canvas.save(fig, target)

    monkeypatch.setattr(module, "save", save)
    return seen


@pytest.mark.parametrize("fmt", ["png", "svg", "pdf"])
def test_path_suffix_picks_the_format(tmp_path, fmt):
    path = tmp_path / f"rel.{fmt}"
    bins = M.reliability_bins(np.array([[0.7, 0.3], [0.2, 0.8]]), np.array([0, 0]))
    assert P.reliability_diagram(bins, path) == path
    data = path.read_bytes()
    assert data.startswith(SIGNATURES[fmt]) and len(data) > 1000


def test_mapping_target_writes_every_format(tmp_path):
    files = {f: io.BytesIO() for f in ("png", "svg", "pdf")}
    P.disagreement_heatmap(np.array([[0, 0.2], [0.2, 0]]), files)
    for fmt, file in files.items():
        assert file.getvalue().startswith(SIGNATURES[fmt]) and len(file.getvalue()) > 1000
    with pytest.raises(ValueError, match="formats"):
        P.disagreement_heatmap(np.zeros((2, 2)), {"gif": io.BytesIO()})


def test_heatmap_colour_limits_exclude_the_diagonal(tmp_path, monkeypatch):
    seen = _capture(monkeypatch, diversity)
    matrix = np.array([[50.0, 0.2, 0.4], [0.1, 50.0, 0.3], [0.5, 0.6, 50.0]])
    P.disagreement_heatmap(matrix, tmp_path / "kl.png", value_label="KL divergence")
    heat, bar = seen[0][0], seen[0][1]
    assert heat["clim"] == [(0.0, 0.6)]
    assert "KL(row || column)" in heat["title"] and "KL(row || column)" in bar["ylabel"]
    assert "50" not in heat["texts"] and len(heat["texts"]) == 6  # diagonal not annotated
    assert (tmp_path / "kl.png").read_bytes().startswith(SIGNATURES["png"])


def test_heatmap_shows_at_most_max_ticks_labels(tmp_path, monkeypatch):
    seen = _capture(monkeypatch, diversity)
    big = np.random.default_rng(1).random((50, 50))
    P.disagreement_heatmap(big, tmp_path / "big.png", labels=[f"ticket {i}" for i in range(50)],
                           max_ticks=10)
    heat = seen[0][0]
    assert 0 < len(heat["xticks"]) <= 10 and 0 < len(heat["yticks"]) <= 10
    assert "KL" not in heat["title"]  # disagreement has no direction
    with pytest.raises(ValueError, match="max_ticks"):
        P.disagreement_heatmap(big, tmp_path / "x.png", max_ticks=0)


def test_ensemble_size_spread_and_reference_in_every_panel(tmp_path, monkeypatch):
    seen = _capture(monkeypatch, ensemble_size)
    members = {"accuracy": [0.79, 0.8, 0.81], "nll": [0.7, 0.65, 0.6], "ece": [0.06, 0.05, 0.07]}
    path = tmp_path / "size.svg"
    P.ensemble_size_curve([1, 2, 3], [0.8, 0.84, 0.86], [0.6, 0.5, 0.45], [0.05, 0.03, 0.02], path,
                          member_metrics=members, baseline={"accuracy": 0.82, "nll": 0.55, "ece": 0.04})
    assert path.read_bytes().startswith(SIGNATURES["svg"])
    for panel, key in zip(seen[0], ("accuracy", "nll", "ece")):
        legend = panel["legend"]
        assert {"Ensemble", "Members (min-max)", "Single members", "Mean single member",
                "Dense baseline"} <= set(legend)
        flat = [float(np.ravel(y)[0]) for x, y in panel["lines"][1:]]
        assert any(v == pytest.approx(np.mean(members[key])) for v in flat)


def test_reliability_grid_one_panel_per_member(tmp_path, member_probs, monkeypatch):
    seen = _capture(monkeypatch, calibration)
    labels = np.random.default_rng(2).integers(0, 5, 200)
    bins = [M.reliability_bins(p, labels) for p in member_probs]
    path = tmp_path / "members.png"
    P.reliability_grid(bins, path, titles=[f"ticket {i}" for i in range(4)], columns=3)
    visible = [a for a in seen[0] if a["visible"]]
    assert len(seen[0]) == 6 and len(visible) == 4
    for axes, p in zip(visible, member_probs):
        assert f"ECE {M.expected_calibration_error(p, labels):.3f}" in axes["title"]
    assert imread(path).shape[1] > 600
    with pytest.raises(ValueError, match="bins"):
        P.reliability_grid([], path)


def test_risk_coverage_curve(tmp_path, member_probs, monkeypatch):
    seen = _capture(monkeypatch, __import__("ftk.ensemble.plots.risk_coverage", fromlist=["x"]))
    labels = np.random.default_rng(3).integers(0, 5, 200)
    probs = M.ensemble_probabilities(member_probs)
    path = tmp_path / "rc.pdf"
    P.risk_coverage_curve({"ensemble": M.risk_coverage(probs, labels),
                           "ticket 0": M.risk_coverage(member_probs[0], labels)}, path)
    assert path.read_bytes().startswith(SIGNATURES["pdf"])
    assert f"ensemble (AURC = {M.aurc(probs, labels):.4f})" in seen[0][0]["legend"]
    with pytest.raises(ValueError, match="curves"):
        P.risk_coverage_curve({"x": ([0.5, 1.0], [0.1])}, path)


def test_corruption_severity_curves(tmp_path, monkeypatch):
    seen = _capture(monkeypatch, corruption)
    series = {"accuracy": {"members (mean)": [0.8, 0.7, 0.6], "ensemble": [0.85, 0.75, 0.66]},
              "ece": {"members (mean)": [0.05, 0.08, 0.12], "ensemble": [0.03, 0.05, 0.09]}}
    clean = {"accuracy": {"ensemble": 0.9}}
    path = tmp_path / "sev.png"
    P.corruption_severity_curves([1, 2, 3], series, path, clean=clean)
    acc, ece = seen[0]
    assert acc["xlabel"].startswith("Severity") and acc["ylabel"] == "accuracy"
    assert 0.55 < acc["ylim"][0] < 0.6 and 0.9 < acc["ylim"][1] < 0.95  # limits from the data
    assert 0.0 < ece["ylim"][0] < 0.03 and ece["ylim"][1] < 0.2
    assert list(acc["lines"][1][0]) == [0, 1, 2, 3]  # the ensemble's clean point at severity 0
    assert len(acc["lines"]) == len(ece["lines"]) == 2
    with pytest.raises(ValueError, match="series"):
        P.corruption_severity_curves([1, 2], {"accuracy": {"x": [0.1]}}, path)
