"""`ftk flops`: the paper's convention (each protocol's own recipe) and `--as-long`."""

import pytest

from ftk.cli import flops_report
from ftk.cli import main
from ftk.recipes import find_recipe, load_recipe

_OWN = {"dense": "test_dense", "deep_ensemble": "test_deep_ensemble", "static_ensemble": "test_static",
        "dst_ensemble": "test_dst", "edst": "test_edst", "pf_ensemble": "test_pf",
        "mc_dropout": "test_mc_dropout"}


def _as_long(name):
    rows, _ = flops_report.protocol_costs(load_recipe(find_recipe(name)), as_long=True)
    return rows


def test_each_protocol_costs_as_its_own_recipe_relative_to_the_dense_recipe():
    rows, notes = flops_report.protocol_costs(load_recipe(find_recipe("test_edst")))
    assert {name: row.source for name, row in rows.items()} == _OWN
    assert not any(row.fallback for row in rows.values())
    reference = _as_long("test_dense")["dense"].cost.train_flops  # test_dense's own budget
    for name, own in _OWN.items():
        cost, alone = rows[name].cost, _as_long(own)[name].cost
        assert cost.train_flops == pytest.approx(alone.train_flops, rel=1e-12)
        assert cost.train_flops_ratio == pytest.approx(alone.train_flops / reference, rel=1e-12)
    assert rows["dense"].cost.train_flops_ratio == 1.0
    assert any("the paper's convention" in note for note in notes)


def test_a_protocol_without_a_shipped_recipe_falls_back_to_the_recipe(monkeypatch):
    shipped = flops_report.shipped_recipes()
    monkeypatch.setattr(flops_report, "shipped_recipes",
                        lambda: {k: v for k, v in shipped.items() if k not in ("test_pf", "test_dense")})
    rows, notes = flops_report.protocol_costs(load_recipe(find_recipe("test_edst")))
    assert [name for name, row in rows.items() if row.fallback] == ["dense", "pf_ensemble"]
    alone = _as_long("test_edst")
    assert rows["pf_ensemble"].cost.train_flops == alone["pf_ensemble"].cost.train_flops
    assert rows["dense"].cost.train_flops == alone["dense"].cost.train_flops  # 6 epochs as test_edst
    assert rows["edst"].cost.train_flops_ratio == pytest.approx(alone["edst"].cost.train_flops_ratio)
    assert any("†" in note and "pf_ensemble" in note for note in notes)


def test_the_command_says_its_convention(capsys):
    assert main(["flops", "test_dst"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "dst_ensemble *" in out and "the paper's convention" in out and "test_dense (2 epochs)" in out
    assert main(["flops", "test_dst", "--as-long"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "relative to one dense model trained as long" in out and "3 epochs per run" in out
