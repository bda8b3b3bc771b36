"""`Recipe`: the validated root of a recipe file.

Pure configuration: nothing here imports TensorFlow or Keras; the trainer
builds models, data and callbacks from a `Recipe`.
"""

from __future__ import annotations

import typing
from collections.abc import Mapping, Sequence
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, PlainValidator, create_model, model_validator

from ftk.recipes import protocol_registry
from ftk.recipes._types import OneLine, RunName, Seed, fail, fail_rules, show, suggest
from ftk.recipes.cross_field import cross_field_problems
from ftk.recipes.shared_sections import DstConfig, EnsembleConfig, SparsityConfig
from ftk.recipes.sections import DataConfig, ModelConfig, RunConfig, TrainingConfig

_SECTION_DEFAULTS = ("training", "ensemble", "run")  # `null` means "all defaults"


def _known_protocol(value: Any) -> str:
    names = protocol_registry.protocol_names()
    if not isinstance(value, str) or value not in names:
        hint = suggest(value, names) if isinstance(value, str) else ""
        fail(f"must be one of {', '.join(map(repr, names))}; received {show(value)}{hint}")
    return value


class _RecipeRules(BaseModel):
    """The validators of `Recipe`; its fields are added from the protocols (`_build`)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

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
        protocol = data.get("protocol")
        if isinstance(ensemble, Mapping) and "members" not in ensemble and (
                isinstance(protocol, str) and protocol in protocol_registry.protocol_names()):
            members = protocol_registry.protocol_class(protocol).default_members
            data["ensemble"] = {**ensemble, "members": members}
        return data

    @model_validator(mode="after")
    def _check_rules(self) -> _RecipeRules:
        problems = cross_field_problems(self)
        if problems:
            fail_rules(problems)
        return self


_DOC = """A complete, validated training recipe (the root of a recipe YAML file).

    Build one with `ftk.recipes.load_recipe`, which turns every problem into
    one readable `RecipeError`; `Recipe.model_validate(mapping)` raises
    pydantic's `ValidationError` instead. Its fields are the shared sections
    below plus the sections the protocols own (e.g. `edst`, `pf`), each
    allowed only with its protocol.

    Attributes:
        name: Default run-folder name, made of `[A-Za-z0-9_.-]`.
        description: One line shown by `ftk recipes`. Defaults to `""`.
        protocol: One of `ftk.recipes.protocol_names()`.
        seed: Base seed; member `i` uses `seed + i`, and every member seed
            must be below 2**32. Defaults to `0`.
        model: The network (`ModelConfig`).
        data: The dataset (`DataConfig`).
        training: Optimizer and schedule of one member run (`TrainingConfig`).
        sparsity: Initial masks (`SparsityConfig`); required by the protocols
            that prune, absent otherwise.
        dst: Topology updates (`DstConfig`); protocols with dynamic sparsity only.
        ensemble: Number of members (`EnsembleConfig`); the protocol's default.
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


def _build() -> type[BaseModel]:
    """The `Recipe` model: shared fields, then every protocol's own sections."""
    own = {}
    for cls in protocol_registry.protocol_classes():
        for section, model in cls.sections.items():
            own[section] = (model | None, None)
    recipe = create_model(
        "Recipe", __base__=_RecipeRules, __module__=__name__, __doc__=_DOC,
        name=(RunName, ...), description=(OneLine, ""),
        protocol=(Annotated[str, PlainValidator(_known_protocol)], ...), seed=(Seed, 0),
        model=(ModelConfig, ...), data=(DataConfig, ...), training=(TrainingConfig, TrainingConfig()),
        sparsity=(SparsityConfig | None, None), dst=(DstConfig | None, None),
        ensemble=(EnsembleConfig, EnsembleConfig()), **own, run=(RunConfig, RunConfig()),
    )
    recipe.__qualname__ = "Recipe"
    return recipe


Recipe = _build()
_current, _built_at = Recipe, protocol_registry.version


def recipe_model() -> type[BaseModel]:
    """The model recipes validate with: `Recipe`, or a subclass with registered sections.

    A protocol registered after this module was imported may own sections
    `Recipe` lacks; they are added in a subclass, so every recipe is still
    an instance of `Recipe`.
    """
    global _current, _built_at
    if _built_at != protocol_registry.version:
        extra = {section: (model | None, None) for cls in protocol_registry.protocol_classes()
                 for section, model in cls.sections.items() if section not in Recipe.model_fields}
        _current = create_model("Recipe", __base__=Recipe, __module__=__name__, **extra) if extra else Recipe
        _built_at = protocol_registry.version
    return _current


def section_model(path: Sequence[str]) -> type[BaseModel] | None:
    """Returns the model of the section at `path` (`()` is `Recipe`), or `None` for a value.

    Args:
        path: Keys from the root, e.g. `("training",)`.

    Returns:
        The pydantic model class whose fields are the valid keys at `path`,
        or `None` when `path` names a value or does not exist.
    """
    model: type[BaseModel] = recipe_model()
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
        for section in recipe_model().model_fields
        if (model := section_model((section,))) is not None and key in model.model_fields
    ]
