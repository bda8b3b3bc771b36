"""`Protocol` is the one extension point: names live in their module, users add protocols."""

import re
from pathlib import Path

import pytest
from pydantic import BaseModel, ConfigDict

from ftk.protocols import Protocol, get_protocol, protocol_cost, protocol_names, register_protocol
from ftk.recipes import Recipe, RecipeError, load_recipe, protocol_registry, recipe_from_dict
from ftk.recipes.schema import recipe_model

PACKAGE = Path(__file__).resolve().parents[2] / "ftk"
REGISTRY = PACKAGE / "recipes" / "protocol_registry.py"


def _files_naming(name: str) -> set[Path]:
    quoted = re.compile(rf"[\"']{re.escape(name)}[\"']")
    return {p for p in PACKAGE.rglob("*.py") if quoted.search(p.read_text(encoding="utf-8"))}


@pytest.mark.parametrize("name", [n for n in protocol_names() if n != "dense"])
def test_a_protocol_is_named_only_in_its_module_and_the_registry(name):
    module = PACKAGE / (get_protocol(name).__module__.replace(".", "/").removeprefix("ftk/") + ".py")
    assert _files_naming(name) == {module, REGISTRY}
    assert sum(f'"{name}"' in line for line in REGISTRY.read_text().splitlines()) == 1


def test_no_code_branches_on_the_dense_protocol():
    """'dense' is also the kind of a Dense layer; no line compares a protocol with it."""
    branch = re.compile(r"protocol[^\n]*(==|!=|\bin\b)[^\n]*[\"']dense[\"']")
    assert [p for p in PACKAGE.rglob("*.py") if branch.search(p.read_text(encoding="utf-8"))] == []


class TwinSection(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    copies: int = 2


class Twins(Protocol):
    """A user's protocol: `twins.copies` dense models with the same seed."""

    name = "test_twins"
    summary = "dense twins"
    sections = {"twins": TwinSection}

    def ticket_count(self, recipe):
        return recipe.twins.copies

    def training_cost(self, c):
        return c.cost(train=2 * c.dense_run(), members=2, sparse=False)


@pytest.fixture
def registry(monkeypatch):
    """The protocol registry, restored after the test (the recipe schema rebuilt)."""
    monkeypatch.setattr(protocol_registry, "_registered", dict(protocol_registry._registered))
    yield protocol_registry
    monkeypatch.undo()
    protocol_registry.version += 1


def test_a_user_protocol_registers_without_editing_ftk(registry):
    register_protocol(Twins)
    data = {"name": "twins", "protocol": "test_twins", "model": {"name": "mlp"},
            "data": {"name": "digits"}, "twins": {"copies": 4}}
    recipe = recipe_from_dict(data)
    assert isinstance(recipe, Recipe)  # a subclass holds the new section
    assert recipe.protocol == "test_twins" and recipe.twins.copies == 4
    assert get_protocol("test_twins").ticket_count(recipe) == 4
    assert "test_twins" in protocol_names() and "twins" in recipe_model().model_fields
    with pytest.raises(RecipeError, match="twins: not allowed for protocol 'dense'"):
        load_recipe("test_dense", ["twins.copies=3"])
    cost = protocol_cost("test_twins", forward_sparse=1.0, forward_dense=2.0, params_sparse=1.0,
                         params_dense=2, members=1, epochs=1, steps_per_epoch=1)
    assert cost.train_flops_ratio == 2.0
    with pytest.raises(ValueError, match="already registered"):
        register_protocol(type("Other", (Protocol,), {"name": "test_twins"}))
