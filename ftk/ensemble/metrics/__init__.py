"""Accuracy, calibration, diversity and OoD metrics for (ensembles of) classifiers.

NumPy + scikit-learn only (temperature scaling, AURC and mCE are pure
NumPy). `probs` are (n, classes) probabilities, `labels` are
(n,) integer class ids, `member_probs` are (members, n, classes). Also
reachable as `ftk.metrics`.

Example:

```python
probs = ftk.metrics.ensemble_probabilities(member_probs)
ftk.metrics.expected_calibration_error(probs, labels, num_bins=15)
```
"""

from ftk.ensemble.metrics.calibration import ReliabilityBins, expected_calibration_error, reliability_bins
from ftk.ensemble.metrics.diversity import disagreement_matrix, kl_matrix, pairwise_disagreement, pairwise_kl
from ftk.ensemble.metrics.ood import Score, ood_detection, ood_scores, predictive_entropy
from ftk.ensemble.metrics.robustness import mean_corruption_error
from ftk.ensemble.metrics.selective import (
    apply_temperature,
    aurc,
    fit_temperature,
    risk_coverage,
    temperature_nll,
)
from ftk.ensemble.metrics.point import accuracy, brier_score, ensemble_probabilities, negative_log_likelihood

__all__ = [
    "ReliabilityBins",
    "Score",
    "accuracy",
    "apply_temperature",
    "aurc",
    "brier_score",
    "disagreement_matrix",
    "ensemble_probabilities",
    "expected_calibration_error",
    "fit_temperature",
    "kl_matrix",
    "mean_corruption_error",
    "negative_log_likelihood",
    "ood_detection",
    "ood_scores",
    "pairwise_disagreement",
    "pairwise_kl",
    "predictive_entropy",
    "reliability_bins",
    "risk_coverage",
    "temperature_nll",
]
