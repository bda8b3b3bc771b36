"""Datasets for ftk: `load_data` returns batched `tf.data` pipelines and a `DatasetInfo`.

Example:

```python
splits = ftk.data.load_data("cifar10", batch_size=128)
model.fit(splits.train, epochs=200, steps_per_epoch=splits.steps_per_epoch)
```
"""

from ftk.data.pipeline import load_data
from ftk.data.spec import ALL_NAMES as DATASET_NAMES
from ftk.data.spec import DatasetInfo, Splits

__all__ = ["DATASET_NAMES", "DatasetInfo", "Splits", "load_data"]
