"""`Recipe`: the validated root of a recipe file.

Pure configuration: nothing here imports TensorFlow or Keras; the trainer
builds models, data and callbacks from a `Recipe`.
"""

from __future__ import annotations

import typing
from collections.abc import Mapping, Sequence
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, model_validator

from ftk.recipes._types import OneLine, RunName, Seed, fail_rules, one_of
from ftk.recipes.protocol_sections import (
    DstConfig,
    EdstConfig,
    EnsembleConfig,
    PfConfig,
    SparsityConfig,
)
from ftk.recipes.rules import cross_field_problems
from ftk.recipes.sections import DataConfig, ModelConfig, RunConfig, TrainingConfig

Protocol = Literal[
    "dense", "deep_ensemble", "static_ensemble", "dst_ensemble", "edst", "pf_ensemble"
]

#: The training protocols of the paper, as spelled in `protocol:`.
PROTOCOLS: tuple[str, ...] = typing.get_args(Protocol)
_SECTION_DEFAULTS = ("training", "ensemble", "run")  # `null` means "all defaults"


class Recipe(BaseModel):
    """A complete, validated training recipe (the root of a recipe YAML file).

    Build one with `ftk.recipes.load_recipe`, which turns every problem into
    one readable `RecipeError`; `Recipe.model_validate(mapping)` raises
    pydantic's `ValidationError` instead.

    Attributes:
        name: Default run-folder name, made of `[A-Za-z0-9_.-]`.
        description: One line shown by `ftk recipes`. Defaults to `""`.
        protocol: One of `PROTOCOLS`.
        seed: Base seed; member `i` uses `seed + i`, and every member seed
            must be below 2**32. Defaults to `0`.
        model: The network (`ModelConfig`).
        data: The dataset (`DataConfig`).
        training: Optimizer and schedule of one member run (`TrainingConfig`).
        sparsity: Initial masks (`SparsityConfig`); required by sparse
            protocols, absent otherwise.
        dst: Topology updates (`DstConfig`); `dst_ensemble` and `edst` only.
        ensemble: Number of members (`EnsembleConfig`); `1` for `dense`,
            `3` by default otherwise.
        edst: EDST phases (`EdstConfig`); `edst` only.
        pf: Prune-and-fine-tune settings (`PfConfig`); `pf_ensemble` only.
        run: Output settings (`RunConfig`).

    Example:

    ```python
    recipe = Recipe.model_validate(
        {"name": "demo", "protocol": "dense",
         "model": {"name": "mlp"}, "data": {"name": "digits"}}
    )
    recipe.ensemble.members  # 1
    ```
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: RunName
    description: OneLine = ""
    protocol: Annotated[Protocol, one_of(Protocol)]
    seed: Seed = 0
    model: ModelConfig
    data: DataConfig
    training: TrainingConfig = TrainingConfig()
    sparsity: SparsityConfig | None = None
    dst: DstConfig | None = None
    ensemble: EnsembleConfig = EnsembleConfig()
    edst: EdstConfig | None = None
    pf: PfConfig | None = None
    run: RunConfig = RunConfig()

    @model_validator(mode="before")
    @classmethod
    def _fill_defaults(cls, data: Any) -> Any:
        """Reads an empty `training:` as all defaults; defaults `ensemble.members` per protocol."""
        if not isinstance(data, Mapping):
            return data
        data = dict(data)
        for key in _SECTION_DEFAULTS:
            if key in data and data[key] is None:
                data[key] = {}
        ensemble = data.get("ensemble", {})
        if isinstance(ensemble, Mapping) and "members" not in ensemble:
            members = 1 if data.get("protocol") == "dense" else 3
            data["ensemble"] = {**ensemble, "members": members}
        return data

    @model_validator(mode="after")
    def _check_rules(self) -> Recipe:
        problems = cross_field_problems(self)
        if problems:
            fail_rules(problems)
        return self


def section_model(path: Sequence[str]) -> type[BaseModel] | None:
    """Returns the model of the section at `path` (`()` is `Recipe`), or `None` for a value.

    Args:
        path: Keys from the root, e.g. `("training",)`.

    Returns:
        The pydantic model class whose fields are the valid keys at `path`,
        or `None` when `path` names a value or does not exist.
    """
    model: type[BaseModel] = Recipe
    for key in path:
        field = model.model_fields.get(key)
        if field is None:
            return None
        candidates = (field.annotation, *typing.get_args(field.annotation))
        found = [c for c in candidates if isinstance(c, type) and issubclass(c, BaseModel)]
        if not found:
            return None
        model = found[0]
    return model


def key_locations(key: str) -> list[str]:
    """Returns the dotted paths of every section field called `key`, e.g. `["training.epochs"]`."""
    return [
        f"{section}.{key}"
        for section in Recipe.model_fields
        if (model := section_model((section,))) is not None and key in model.model_fields
    ]
