"""Each protocol's training and inference cost, asked of the protocol (`protocol_cost`)."""

import pytest

from ftk.protocols import protocol_cost

_COMMON = dict(
    forward_sparse=10.0, forward_dense=50.0, params_sparse=20.0, params_dense=100,
    members=3, epochs=4, steps_per_epoch=25,
)  # fmt: skip


@pytest.mark.parametrize(
    ("protocol", "extra", "train", "inference", "params"),
    [
        ("dense", {}, 15000, 50, 100),
        ("deep_ensemble", {}, 45000, 150, 300),
        ("static_ensemble", {}, 9000, 30, 60),
        ("dst_ensemble", {"growth": "random", "update_frequency": 10}, 9000, 30, 60),
        ("dst_ensemble", {"growth": "gradient", "update_frequency": 10}, 10200, 30, 60),
        ("dst_ensemble", {"growth": "momentum"}, 21000, 30, 60),
        ("edst", {"growth": "random", "update_frequency": 10, "explore_epochs": 1}, 3000, 30, 60),
        ("edst", {"growth": "gradient", "update_frequency": 10}, 3400 + 2 * 40, 30, 60),
        ("pf_ensemble", {"finetune_epochs": 2}, 3 * (15000 + 1500), 30, 60),
    ],
)
def test_protocol_cost(protocol, extra, train, inference, params):
    cost = protocol_cost(protocol, **_COMMON, **extra)
    assert cost.train_flops == train
    assert (cost.inference_flops, cost.nonzero_params) == (inference, params)
    assert cost.dense_train_flops == 15000
    assert (cost.dense_inference_flops, cost.dense_params) == (50, 100)
    assert cost.train_flops_ratio == pytest.approx(train / 15000)
    assert cost.inference_flops_ratio == pytest.approx(inference / 50)
    assert cost.params_ratio == pytest.approx(params / 100)


@pytest.mark.parametrize(
    ("protocol", "extra"),
    [
        ("bagging", {}),
        ("dst_ensemble", {}),
        ("edst", {"growth": "gradient"}),
        ("pf_ensemble", {}),
        ("edst", {"growth": "random", "explore_epochs": 5}),
    ],
)
def test_protocol_cost_rejects_bad_arguments(protocol, extra):
    with pytest.raises(ValueError):
        protocol_cost(protocol, **_COMMON, **extra)


def test_mc_dropout_trains_one_dense_model_and_predicts_m_passes():
    cost = protocol_cost("mc_dropout", **_COMMON)
    assert cost.train_flops == 15000  # one dense run
    assert (cost.inference_flops, cost.nonzero_params) == (150, 100)  # 3 passes of one model


def test_dense_reference_replaces_one_dense_run_as_long():
    cost = protocol_cost("edst", **_COMMON, growth="random", dense_reference=6000.0)
    assert cost.train_flops == 3000 and cost.dense_train_flops == 6000
    assert cost.train_flops_ratio == pytest.approx(0.5)
    assert protocol_cost("dense", **_COMMON, dense_reference=15000.0).train_flops_ratio == 1.0
    with pytest.raises(ValueError):
        protocol_cost("dense", **_COMMON, dense_reference=-1.0)
