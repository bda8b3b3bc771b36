"""Dataset facts and models of a recipe, without loading the training data."""

from __future__ import annotations

import keras

from ftk.data import DatasetInfo, load_data
from ftk.protocols import get_protocol
from ftk.protocols.base import MemberRun
from ftk.recipes import RecipeError
from ftk.recipes._types import suggest
from ftk.sparse.sparse_weight import sparse_weights

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
_APPLICATIONS = "keras.applications."


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


def build_recipe_model(recipe, source: str = "<recipe>") -> tuple[keras.Model, DatasetInfo]:
    """Builds (and compiles) the first member's model of `recipe`, as a run would.

    Also checks what only the data and the built model tell, so that a recipe
    `ftk validate` accepts starts to train: `ftk run` calls this before it
    creates anything.

    Args:
        recipe: A validated recipe.
        source: Name of the recipe in error messages, usually its file path.

    Returns:
        The model and the `DatasetInfo` it was built for.

    Raises:
        RecipeError: when the data cannot be opened (`data`), an epoch would
            have no step (`data.batch_size`), `model.name` names no Keras
            application, the model cannot be built (`model`), or the masks
            leave a layer without an active weight (`sparsity.density`).
    """
    try:
        info = dataset_info(recipe)
    except (ValueError, OSError) as error:
        raise RecipeError(source, [f"data: cannot be opened: {error}"]) from None
    problems = _data_problems(recipe, info) + _application_problems(recipe.model.name)
    if problems:
        raise RecipeError(source, problems)
    protocol = get_protocol(recipe.protocol)
    try:
        model = protocol.build(recipe, MemberRun(0, recipe.seed, recipe.training.epochs), info)
    except ValueError as error:
        raise RecipeError(source, [f"model: cannot be built as the recipe asks: {error}"]) from None
    layers = [(w.name, w.active_count(), w.size) for w in sparse_weights(model)]
    problems = [f"{path}: {message}" for path, message in protocol.layer_problems(recipe, layers)]
    if problems:
        raise RecipeError(source, problems)
    return model, info


def _data_problems(recipe, info: DatasetInfo) -> list[str]:
    batch_size = recipe.data.batch_size
    if info.num_train >= batch_size:
        return []
    return [
        f"data.batch_size: must be at most the {info.num_train:,} training examples of "
        f"{info.name!r} (after data.validation_split and data.limit), or an epoch has no "
        f"step; received {batch_size}"
    ]


def _application_problems(name: str) -> list[str]:
    if not name.startswith(_APPLICATIONS):
        return []
    attribute = name[len(_APPLICATIONS):]
    found = getattr(keras.applications, attribute, None)
    if callable(found) and attribute[:1].isupper():
        return []
    available = sorted(n for n, v in vars(keras.applications).items() if n[:1].isupper() and callable(v))
    hint = suggest(attribute, available)
    return [f"model.name: keras.applications has no model {attribute!r}; received {name!r}{hint}"]
