"""Dataset facts and models of a recipe, without loading the training data."""

from __future__ import annotations

import keras

from ftk.data import DatasetInfo, load_data
from ftk.protocols import get_protocol
from ftk.protocols.base import MemberRun

# (input shape, classes, training images) of the TFDS datasets, so that
# `ftk validate` and `ftk flops` need not download them.
KNOWN_DATASETS: dict[str, tuple[tuple[int, ...], int, int]] = {
    "cifar10": ((32, 32, 3), 10, 50_000),
    "cifar100": ((32, 32, 3), 100, 50_000),
    "svhn_cropped": ((32, 32, 3), 10, 73_257),
    "mnist": ((28, 28, 1), 10, 60_000),
    "fashion_mnist": ((28, 28, 1), 10, 60_000),
    "imagenet2012": ((224, 224, 3), 1000, 1_281_167),
}


def dataset_info(recipe) -> DatasetInfo:
    """The `DatasetInfo` a run of `recipe` would see (loads only small datasets)."""
    d = recipe.data
    if d.name not in KNOWN_DATASETS:
        return load_data(d.name, batch_size=d.batch_size, validation_split=d.validation_split,
                         path=d.path, seed=recipe.seed, limit=d.limit).info
    shape, classes, num_train = KNOWN_DATASETS[d.name]
    num_val = int(num_train * d.validation_split)
    num_train = min(num_train - num_val, d.limit or num_train)
    return DatasetInfo(d.name, classes, shape, num_train, 0, num_val, (), ())


def build_recipe_model(recipe) -> tuple[keras.Model, DatasetInfo]:
    """Builds (and compiles) the first member's model of `recipe`."""
    info = dataset_info(recipe)
    protocol = get_protocol(recipe.protocol)
    return protocol.build(recipe, MemberRun(0, recipe.seed, recipe.training.epochs), info), info
