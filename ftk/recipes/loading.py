"""Loading, validating, dumping and finding recipe files."""

from __future__ import annotations

import codecs
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ftk.recipes._types import suggest
from ftk.recipes.errors import RecipeError, RecipeNotFoundError, validation_problems
from ftk.recipes.overrides import apply_overrides
from ftk.recipes.schema import Recipe, recipe_model
from ftk.recipes.yaml_io import MAX_CHARS, read_yaml, to_yaml

#: The folder of the recipes shipped with ftk (top-level `recipes/`).
RECIPES_DIR = Path(__file__).resolve().parents[2] / "recipes"

# Byte-order marks of encodings other than UTF-8, longest first (UTF-32 LE starts like UTF-16 LE).
_OTHER_BOMS = (
    (codecs.BOM_UTF32_LE, "UTF-32"),
    (codecs.BOM_UTF32_BE, "UTF-32"),
    (codecs.BOM_UTF16_LE, "UTF-16"),
    (codecs.BOM_UTF16_BE, "UTF-16"),
)
_SAVE_AS_UTF8 = "recipes must be UTF-8 text; save the file as UTF-8"


def shipped_recipes() -> dict[str, Path]:
    """Returns the recipes shipped with ftk, by name.

    Returns:
        `{name: path}` for every `*.yaml` file in the top-level `recipes/`
        folder, sorted by name; empty when the folder is missing.

    Example:

    ```python
    shipped_recipes()["edst_demo"]  # PosixPath('.../recipes/edst_demo.yaml')
    ```
    """
    if not RECIPES_DIR.is_dir():
        return {}
    return {path.stem: path for path in sorted(RECIPES_DIR.glob("*.yaml"))}


def find_recipe(name_or_path: str | Path) -> Path:
    """Resolves a recipe file path or the name of a shipped recipe.

    An existing file wins. Otherwise a shipped recipe is found from any
    working directory by its name (`edst_demo`), its file name
    (`edst_demo.yaml`) or its path in the repository
    (`recipes/edst_demo.yaml`, as the README writes it).

    Args:
        name_or_path: A path to a YAML file, or a shipped name like
            `"edst_demo"` (with or without `.yaml`, or `recipes/` before it).

    Returns:
        The path of the recipe file.

    Raises:
        RecipeNotFoundError: if it is neither an existing file nor a shipped
            name; the message lists the shipped names. It is both a
            `RecipeError` and a `FileNotFoundError`.
        RecipeError: if it names a folder.

    Example:

    ```python
    find_recipe("edst_demo")  # the shipped recipes/edst_demo.yaml
    find_recipe("recipes/edst_demo.yaml")  # the same, from any working directory
    ```
    """
    path = Path(name_or_path)
    if path.is_file():
        return path
    shipped = shipped_recipes()
    name = path.name.removesuffix(".yaml")
    if path.is_dir():
        raise RecipeError(str(name_or_path), ["(file): is a folder, not a recipe file"])
    parts = tuple(part for part in path.parts if part != ".")
    if name in shipped and parts in ((name,), (f"{name}.yaml",), (RECIPES_DIR.name, f"{name}.yaml")):
        return shipped[name]
    hint = suggest(name, shipped)
    raise RecipeNotFoundError(
        str(name_or_path),
        [
            f"(file): no such recipe file (from {Path.cwd()}), and no shipped recipe of that "
            f"name{hint}; shipped recipes: {', '.join(shipped) or '(none)'}"
        ],
    )


def recipe_from_dict(data: Mapping[str, Any], source: str = "<recipe>") -> Recipe:
    """Validates a recipe mapping.

    Args:
        data: The recipe, as read from YAML.
        source: Name of the recipe in error messages. Defaults to `"<recipe>"`.

    Returns:
        The validated `Recipe`, defaults filled in.

    Raises:
        RecipeError: listing every problem, one line each.
    """
    try:
        return recipe_model().model_validate(data)
    except ValidationError as error:
        raise RecipeError(source, validation_problems(error)) from None


def load_recipe(path: str | Path, overrides: Sequence[str] = ()) -> Recipe:
    """Loads, overrides and validates a recipe file.

    Args:
        path: Path of a YAML recipe, or the name of a shipped recipe
            (see `shipped_recipes`).
        overrides: `PATH=VALUE` strings applied before validation, like the
            CLI's `--set`, e.g. `["data.name=cifar100", "ensemble.members=5"]`.
            Values are read as YAML. Defaults to `()`.

    Returns:
        The validated `Recipe`.

    Raises:
        RecipeError: for a missing file (`RecipeNotFoundError`, also a
            `FileNotFoundError`), a folder, an unreadable or non-UTF-8 file,
            invalid YAML, an invalid override, or any schema or cross-field
            problem; the message starts with the file path and names the
            field and the value received. Any input ends in this error, and
            quickly: the reader refuses what plain data does not need (see
            `ftk.recipes.read_yaml`).

    Example:

    ```python
    recipe = load_recipe("recipes/edst_wrn.yaml", ["data.name=cifar100"])
    recipe.training.epochs  # 450
    ```
    """
    file = find_recipe(path)
    source = str(file)
    data = read_yaml(_read_text(file, source), source)
    data = apply_overrides(data, overrides, source)
    return recipe_from_dict(data, source)


def _read_text(file: Path, source: str) -> str:
    """Reads a recipe file as UTF-8 text (with or without a byte-order mark)."""
    try:
        with open(file, "rb") as stream:
            raw = stream.read(4 * MAX_CHARS + 4)  # enough for MAX_CHARS + 1 characters
    except OSError as error:
        raise RecipeError(source, [f"(file): cannot be read: {error.strerror or error}"]) from None
    if len(raw) > 4 * MAX_CHARS:
        raise RecipeError(
            source, [f"(file): is larger than {4 * MAX_CHARS:,} bytes, more than a recipe needs"]
        )
    for bom, encoding in _OTHER_BOMS:
        if raw.startswith(bom):
            raise RecipeError(source, [f"(file): is {encoding} text; {_SAVE_AS_UTF8}"])
    if b"\0" in raw:
        line = raw[: raw.index(b"\0")].count(b"\n") + 1
        raise RecipeError(
            source, [f"line {line}: holds a NUL byte, so it is not UTF-8 text; {_SAVE_AS_UTF8}"]
        )
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        byte = raw[error.start]
        raise RecipeError(
            source,
            [f"line {line}: byte 0x{byte:02x} is not UTF-8 (Latin-1?); {_SAVE_AS_UTF8}"],
        ) from None


def recipe_to_dict(recipe: Recipe) -> dict[str, Any]:
    """Returns the fully resolved recipe as plain data (lists, no tuples).

    Args:
        recipe: A validated recipe.

    Returns:
        A nested `dict` of every field, defaults included.
    """
    return _lists(recipe.model_dump())


def _lists(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _lists(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_lists(item) for item in value]
    return value


def dump_recipe(recipe: Recipe) -> str:
    """Returns the YAML of the fully resolved recipe, every default filled in.

    `load_recipe` reads the text back into an equal `Recipe`.

    Args:
        recipe: A validated recipe.

    Returns:
        YAML text, keys in schema order.

    Example:

    ```python
    Path("runs/demo/recipe.yaml").write_text(dump_recipe(recipe))
    ```
    """
    return to_yaml(recipe_to_dict(recipe))
