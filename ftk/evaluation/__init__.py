"""`ftk eval`: evaluate a run directory's ensemble, mode by mode.

Everything that reads a run directory for evaluation lives here: loading the
run's ensemble (`load_ensemble`, `RunEnsemble.load`), its recorded prediction
trajectories and phase starts (`ftk.evaluation.recorded_trajectories`), and
`evaluate_run`, which runs the modes (`ftk.evaluation.modes`) and writes
`eval/metrics.json` and PNG plots. The arrays, metrics and plots themselves
are `ftk.ensemble`'s.

Example:

```python
results = ftk.evaluation.evaluate_run("runs/edst_demo", ["predict", "calibration"])
results["predict"]["ensemble"]["accuracy"]
```
"""

from ftk.evaluation.evaluate_run import MODES, evaluate_run
from ftk.evaluation.run_ensemble import RunEnsemble, load_ensemble

__all__ = ["MODES", "RunEnsemble", "evaluate_run", "load_ensemble"]
