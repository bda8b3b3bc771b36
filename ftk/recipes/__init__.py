"""Recipes: the paper's training protocols as validated YAML files.

A recipe names a protocol (one of `protocol_names()`, each a module of
`ftk.protocols`), a model, a dataset and every training setting. `load_recipe` reads one with `yaml.safe_load`, applies `--set`-style
overrides and validates it against the schema (pydantic models that refuse
unknown keys), reporting every problem at once in one `RecipeError`. The
shipped recipes live in the top-level `recipes/` folder. Nothing in this
package imports TensorFlow or Keras.

Example:

```python
from ftk.recipes import dump_recipe, load_recipe

recipe = load_recipe("edst_demo", overrides=["ensemble.members=2"])
print(recipe.protocol, recipe.training.epochs)  # edst 30
print(dump_recipe(recipe))
```
"""

from ftk.recipes.errors import RecipeError, RecipeNotFoundError
from ftk.recipes.loading import (
    RECIPES_DIR,
    dump_recipe,
    find_recipe,
    load_recipe,
    recipe_from_dict,
    recipe_to_dict,
    shipped_recipes,
)
from ftk.recipes.overrides import apply_overrides, parse_override
from ftk.recipes.protocol_registry import protocol_class, protocol_names, register_protocol
from ftk.recipes.shared_sections import DstConfig, EnsembleConfig, SparsityConfig
from ftk.recipes.schema import Recipe
from ftk.recipes.yaml_io import read_yaml
from ftk.recipes.sections import DataConfig, ModelConfig, RunConfig, TrainingConfig

__all__ = [
    "RECIPES_DIR",
    "DataConfig",
    "DstConfig",
    "EnsembleConfig",
    "ModelConfig",
    "Recipe",
    "RecipeError",
    "RecipeNotFoundError",
    "RunConfig",
    "SparsityConfig",
    "TrainingConfig",
    "apply_overrides",
    "dump_recipe",
    "find_recipe",
    "load_recipe",
    "parse_override",
    "protocol_class",
    "protocol_names",
    "read_yaml",
    "recipe_from_dict",
    "recipe_to_dict",
    "register_protocol",
    "shipped_recipes",
]
