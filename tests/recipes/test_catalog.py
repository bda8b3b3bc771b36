"""The recipe schema knows the same model and dataset names as the builders."""

from __future__ import annotations

import ftk.data
import ftk.models
from ftk.data import spec
from ftk.recipes import catalog


def test_model_names_match_the_registry() -> None:
    assert catalog.MODEL_NAMES == ftk.models.MODEL_NAMES


def test_dataset_names_match_load_data() -> None:
    assert catalog.DATASET_NAMES == ftk.data.DATASET_NAMES
    assert catalog.FILE_DATASETS == spec.FILE_NAMES
