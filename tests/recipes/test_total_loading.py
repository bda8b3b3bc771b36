"""Loading is total: every input ends in a `RecipeError` naming file, field and value, fast."""

from __future__ import annotations

import codecs
import time
from pathlib import Path

import pytest
import yaml

from ftk.recipes import RecipeError, load_recipe, recipe_from_dict, shipped_recipes
from ftk.recipes.errors import RecipeNotFoundError
from ftk.recipes.yaml_io import MAX_CHARS

RECIPE = shipped_recipes()["test_edst"]  # edst: 6 epochs = 2 explore + 2 members x 2


def _refused(path: str | Path, overrides: tuple[str, ...] = (), *fragments: str) -> str:
    """Loads `path`, expects a `RecipeError` within 2 s whose message holds every fragment."""
    start = time.perf_counter()
    with pytest.raises(RecipeError) as info:
        load_recipe(path, overrides)
    elapsed = time.perf_counter() - start
    message = str(info.value)
    assert elapsed < 2.0, f"took {elapsed:.1f} s"
    assert message.startswith(f"{path}: invalid recipe")
    for fragment in fragments:
        assert fragment in message, message
    return message


def _file(tmp_path: Path, text: str | bytes, name: str = "recipe.yaml") -> Path:
    path = tmp_path / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return path


def _shipped_text(name: str = "test_edst") -> str:
    return shipped_recipes()[name].read_text(encoding="utf-8")


# Huge numbers.


@pytest.mark.timeout(10)
def test_huge_epochs_override_is_refused_fast() -> None:
    _refused(RECIPE, ("training.epochs=10000000001",), "training.epochs: must be <= 100000",
             "received 10000000001")


@pytest.mark.timeout(10)
@pytest.mark.parametrize("epochs", [99_999, 100_000])
def test_edst_divisibility_hint_is_fast_at_the_epoch_bound(epochs: int) -> None:
    message = _refused(RECIPE, (f"training.epochs={epochs}", "ensemble.members=7"),
                       "training.epochs:", "ensemble.members (7)", f"received {epochs}")
    assert "100004" not in message  # hints stay within the bound


@pytest.mark.timeout(10)
@pytest.mark.parametrize("field", ["training.epochs", "ensemble.members", "seed", "data.limit"])
def test_huge_integers_are_refused(field: str) -> None:
    _refused(RECIPE, (f"{field}={10**30}",), f"{field}: must be <=", f"received {10**30}")


@pytest.mark.timeout(10)
@pytest.mark.parametrize("digits", ["1" + "0" * 400 + ".5", "1" + "0" * 400, "9" * 5000])
def test_400_digit_number_in_a_file(tmp_path: Path, digits: str) -> None:
    path = _file(tmp_path, _shipped_text().replace("density: 0.2", f"density: {digits}"))
    _refused(path, (), "sparsity.density: must be a", "received 1000" if digits[0] == "1" else "99")


@pytest.mark.timeout(10)
def test_400_digit_number_in_a_list_override() -> None:
    _refused(RECIPE, ("training.lr_milestones=[0.5, 1" + "0" * 400 + "]",),
             "training.lr_milestones[1]: must be a number", "received 1000")


@pytest.mark.timeout(10)
def test_400_digit_integer_where_a_float_goes() -> None:
    data = yaml.safe_load(_shipped_text())
    data["sparsity"]["density"] = 10**400  # was OverflowError: int too large to convert to float
    with pytest.raises(RecipeError, match="density: must be a finite number; received 1000"):
        recipe_from_dict(data, "api")
    data["sparsity"]["density"] = 10**5000  # more digits than repr() writes
    with pytest.raises(RecipeError, match="received an integer of 16,610 bits"):
        recipe_from_dict(data, "api")


@pytest.mark.timeout(10)
def test_invalid_timestamp_is_refused(tmp_path: Path) -> None:
    path = _file(tmp_path, _shipped_text() + "description: 2020-13-45\n")
    message = _refused(path, (), "not a valid timestamp", "received 2020-13-45")
    assert "description" in message


@pytest.mark.timeout(10)
@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("!!int ''", "description: is not a valid int; received ''"),  # was IndexError
        ("!!float ''", "description: is not a valid float; received ''"),  # was IndexError
        ("!!bool maybe", "description: is not a valid bool; received maybe"),  # was KeyError
        ("!!timestamp x", "description: is not a valid timestamp; received x"),  # AttributeError
        ("!!set [a]", "description: line 1, column 1: not valid YAML"),
    ],
)
def test_explicit_tags_with_bad_values(value: str, fragment: str) -> None:
    _refused(RECIPE, (f"description={value}",), fragment)


# Nesting and aliases.


@pytest.mark.timeout(10)
def test_2000_nested_brackets_in_a_file(tmp_path: Path) -> None:
    path = _file(tmp_path, _shipped_text().replace("name: mlp", "name: " + "[" * 2000))
    _refused(path, (), "model.name[0][0]", "nested more than 32 levels deep", "line 7")


@pytest.mark.timeout(10)
def test_2000_nested_brackets_in_an_override() -> None:
    _refused(RECIPE, ("description=" + "[" * 2000,), "--set 'description=[[[",
             "description[0][0]", "nested more than 32 levels deep")


@pytest.mark.timeout(10)
def test_billion_laughs_is_refused_fast(tmp_path: Path) -> None:
    lines = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for previous, name in zip("abcdefgh", "bcdefghi"):
        lines.append(f"{name}: &{name} [{', '.join([f'*{previous}'] * 9)}]")
    path = _file(tmp_path, _shipped_text() + "description:\n" + "".join(f"  {x}\n" for x in lines))
    _refused(path, (), "description.a: anchors and aliases (&name, *name) are not allowed",
             "received &a")


@pytest.mark.timeout(10)
def test_alias_in_an_override_is_refused() -> None:
    _refused(RECIPE, ("data.name=*cifar",), "data.name: anchors and aliases", "received *cifar")


def test_shipped_recipes_use_no_anchors_or_aliases() -> None:
    for path in shipped_recipes().values():
        load_recipe(path)  # the reader refuses anchors and aliases


# Encodings and files.


@pytest.mark.timeout(10)
def test_latin1_file_names_the_line_and_asks_for_utf8(tmp_path: Path) -> None:
    text = _shipped_text().replace("Test: EDST", "Tést: EDST")
    path = _file(tmp_path, text.encode("latin-1"))
    _refused(path, (), "line 4: byte 0xe9 is not UTF-8", "save the file as UTF-8")


@pytest.mark.timeout(10)
@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-32"])
def test_utf16_and_utf32_files_ask_for_utf8(tmp_path: Path, encoding: str) -> None:
    path = _file(tmp_path, _shipped_text().encode(encoding))
    message = _refused(path, (), "recipes must be UTF-8 text")
    assert "UTF-16" in message or "UTF-32" in message or "NUL byte" in message


@pytest.mark.timeout(10)
def test_utf8_with_and_without_bom_load(tmp_path: Path) -> None:
    text = _shipped_text().replace("Test: EDST", "Tést: EDST")
    plain = load_recipe(_file(tmp_path, text.encode("utf-8"), "plain.yaml"))
    bom = load_recipe(_file(tmp_path, codecs.BOM_UTF8 + text.encode("utf-8"), "bom.yaml"))
    assert plain == bom and plain.description.startswith("Tést")


@pytest.mark.timeout(10)
def test_empty_file(tmp_path: Path) -> None:
    _refused(_file(tmp_path, ""), (), "(top level): must be a mapping", "received an empty file")


@pytest.mark.timeout(10)
def test_top_level_list(tmp_path: Path) -> None:
    _refused(_file(tmp_path, "- a\n- b\n"), (), "(top level): must be a mapping", "received a list")


@pytest.mark.timeout(10)
def test_folder_is_not_a_recipe(tmp_path: Path) -> None:
    _refused(tmp_path, (), "(file): is a folder, not a recipe file")


@pytest.mark.timeout(10)
def test_missing_file_is_a_recipe_error_and_a_file_not_found_error(tmp_path: Path) -> None:
    path = tmp_path / "missing.yaml"
    _refused(path, (), "(file): no such recipe file")
    with pytest.raises(RecipeNotFoundError) as info:
        load_recipe(path)
    assert isinstance(info.value, FileNotFoundError)


@pytest.mark.timeout(10)
@pytest.mark.parametrize(("lines", "fragment"), [(2_000, "characters"), (20_000, "bytes")])
def test_oversized_file(tmp_path: Path, lines: int, fragment: str) -> None:
    path = _file(tmp_path, _shipped_text() + "# padding\n" * lines)
    _refused(path, (), "(file):", fragment, "more than a recipe needs")


@pytest.mark.timeout(10)
def test_slowest_text_of_the_largest_readable_size_is_read_fast(tmp_path: Path) -> None:
    base = _shipped_text()
    nested = "[" * 30 + "]" * 30
    items = (MAX_CHARS - len(base) - 40) // (len(nested) + 1)
    path = _file(tmp_path, base + f"description: [{','.join([nested] * items)}]\n")
    assert MAX_CHARS - 100 < len(path.read_text(encoding="utf-8")) <= MAX_CHARS
    _refused(path, (), "description: duplicate key")  # read to the end, within 2 s


# Checks that used to fail only in `ftk run`.


@pytest.mark.timeout(10)
def test_seed_beyond_numpy_range() -> None:
    _refused(RECIPE, ("seed=4294967296",), "seed: must be <= 4294967295", "received 4294967296")


@pytest.mark.timeout(10)
def test_member_seeds_must_stay_in_range() -> None:
    recipe = shipped_recipes()["test_dst"]  # 2 members: seeds s and s + 1
    _refused(recipe, ("seed=4294967295",), "seed: the 2 member runs use seeds",
             "4294967295 .. 4294967296", "received 4294967295", "use seed <= 4294967294")
    assert load_recipe(recipe, ["seed=4294967294"]).seed == 4294967294
    assert load_recipe(RECIPE, ["seed=4294967295"]).seed == 4294967295  # EDST: one run


@pytest.mark.timeout(10)
@pytest.mark.parametrize("name", ["test_static", "test_dst", "test_edst", "test_pf"])
def test_density_1_with_a_sparse_protocol(name: str) -> None:
    protocol = load_recipe(name).protocol
    _refused(shipped_recipes()[name], ("sparsity.density=1.0",),
             f"sparsity.density: must be < 1 for protocol {protocol!r}", "received 1.0",
             "'deep_ensemble'")


@pytest.mark.timeout(10)
def test_absurd_member_count() -> None:
    recipe = shipped_recipes()["test_dst"]
    _refused(recipe, ("ensemble.members=1000000000000",), "ensemble.members: must be <= 1000",
             "received 1000000000000")


@pytest.mark.timeout(10)
def test_pf_needs_a_step_or_constant_schedule() -> None:
    _refused(shipped_recipes()["test_pf"], ("training.lr_schedule=cosine",),
             "training.lr_schedule: must be 'step' or 'constant' for protocol 'pf_ensemble'",
             "received 'cosine'")


# Names.


@pytest.mark.timeout(10)
def test_unknown_model_names_the_field() -> None:
    _refused(RECIPE, ("model.name=resnt18",), "model.name: unknown model",
             "received 'resnt18'; did you mean 'resnet18'?")


@pytest.mark.timeout(10)
def test_bad_wide_resnet_depth() -> None:
    _refused(RECIPE, ("model.name=wrn-27-10",), "model.name: a Wide ResNet", "received 'wrn-27-10'")


@pytest.mark.timeout(10)
def test_unknown_dataset_names_the_field() -> None:
    _refused(RECIPE, ("data.name=cifar11",), "data.name: unknown dataset",
             "received 'cifar11'; did you mean 'cifar10'?")


@pytest.mark.timeout(10)
def test_data_path_only_for_file_datasets() -> None:
    _refused(RECIPE, ("data.path=/tmp/x",), "data.path: only read by the file datasets",
             "received '/tmp/x'")
    _refused(RECIPE, ("data.name=npz",), "data.path: required by dataset 'npz'")
