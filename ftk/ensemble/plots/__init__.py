"""Headless plots of ensemble metrics: calibration, diversity, size, robustness, selection.

Figures are drawn on their own Agg canvas (`Figure` + `FigureCanvasAgg`), never through
`pyplot`, so these modules leave the caller's matplotlib backend alone. Each function
writes one figure to a path (creating parent folders; a failed write leaves no file; the
suffix picks PNG, SVG or PDF), to a binary file object (PNG), or to a mapping
`{format: path or file}` once per format, and returns the `Path` (or the file). Bad shapes raise
`ValueError` naming the argument. Writing is not atomic; `ftk eval` hands in files
from `ftk.atomic.replacing` so readers of a run directory never see half a PNG.

Example:

```python
bins = ftk.metrics.reliability_bins(probs, labels)
plots.reliability_diagram(bins, "eval/reliability.png", title="Ensemble")
```
"""

from ftk.ensemble.plots.calibration import reliability_diagram, reliability_grid
from ftk.ensemble.plots.corruption import corruption_bars, corruption_severity_curves
from ftk.ensemble.plots.diversity import disagreement_heatmap
from ftk.ensemble.plots.ensemble_size import ensemble_size_curve
from ftk.ensemble.plots.risk_coverage import risk_coverage_curve
from ftk.ensemble.plots.tsne import tsne_paths

__all__ = [
    "corruption_bars",
    "corruption_severity_curves",
    "disagreement_heatmap",
    "ensemble_size_curve",
    "reliability_diagram",
    "reliability_grid",
    "risk_coverage_curve",
    "tsne_paths",
]
