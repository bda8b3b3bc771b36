"""Datasets for ftk: `load_data` returns batched `tf.data` pipelines and a `DatasetInfo`.

Example:

```python
splits = ftk.data.load_data("cifar10", batch_size=128)
model.fit(splits.train, epochs=200, steps_per_epoch=splits.steps_per_epoch)
```
"""

from ftk.data.corrupted import cifar_c_test, corrupted_test
from ftk.data.corruptions import CORRUPTIONS, corrupt
from ftk.data.pipeline import load_data
from ftk.data.spec import ALL_NAMES as DATASET_NAMES
from ftk.data.spec import DatasetInfo, Splits
from ftk.data.tfds_download import DatasetNotPreparedError

__all__ = [
    "CORRUPTIONS",
    "DATASET_NAMES",
    "DatasetInfo",
    "DatasetNotPreparedError",
    "Splits",
    "cifar_c_test",
    "corrupt",
    "corrupted_test",
    "load_data",
]
