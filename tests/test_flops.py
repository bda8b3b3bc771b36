"""Tests of `ftk.flops`: hand counts, WRN-28-10 closed form, sparse scaling, protocol costs."""

import keras
import pytest

import ftk
from ftk import flops
from ftk.models import build_model


def _model(layer, input_shape):
    inputs = keras.Input(input_shape)
    return keras.Model(inputs, layer(inputs))


def _wrn_closed_form(depth=28, width=10, num_classes=10):
    """Independent count of WRN-depth-width on 32x32x3 inputs: (total FLOPs, conv+fc MACs)."""
    n = (depth - 4) // 6
    macs = 3 * 3 * 3 * 16 * 32 * 32  # stem
    other = 0
    cin, res = 16, 32
    for cout, out_res in ((16 * width, 32), (32 * width, 16), (64 * width, 8)):
        for block in range(n):
            if block == 0:
                macs += cin * cout * out_res**2  # 1x1 shortcut
            macs += 9 * cin * cout * out_res**2 + 9 * cout * cout * out_res**2  # conv1, conv2
            other += 3 * cin * res**2  # bn1 (2) + relu1 (1) on the block input
            other += 3 * cout * out_res**2  # bn2 + relu2
            other += cout * out_res**2  # add
            cin, res = cout, out_res
    other += 3 * cin * res**2  # final bn + relu
    other += cin * res**2  # global average pooling: one add per input element
    macs += cin * num_classes
    other += num_classes  # classifier bias
    return 2 * macs + other, macs


def test_wrn_28_10_matches_closed_form():
    model = build_model("wrn-28-10", num_classes=10, input_shape=(32, 32, 3), seed=0)
    total, macs = _wrn_closed_form()
    assert flops.forward_flops(model) == total
    kernel_flops = sum(t.dense_flops for t in flops.layer_flops(model) if t.weight)
    assert kernel_flops == 2 * macs
    print(f"WRN-28-10 forward: {total / 1e9:.4f} GFLOPs, conv+fc {macs / 1e9:.4f} GMACs")
    assert macs == pytest.approx(5.25e9, rel=0.01)
    assert not any(t.skipped for t in flops.layer_flops(model))


def test_lenet_300_100_by_hand():
    model = build_model("lenet_300_100", num_classes=10, input_shape=(28, 28, 1), seed=0)
    macs = 784 * 300 + 300 * 100 + 100 * 10
    assert flops.forward_flops(model) == 2 * macs + (300 + 100 + 10) + (300 + 100)
    assert ftk.parameter_count(model) == ftk.active_count(model) == 266_610


@pytest.mark.parametrize(("padding", "out"), [("same", 8), ("valid", 7)])
def test_conv2d_stride_and_padding(padding, out):
    layer = keras.layers.Conv2D(8, 3, strides=2, padding=padding, activation="relu")
    model = _model(layer, (15, 15, 4))
    assert flops.forward_flops(model) == 2 * 3 * 3 * 4 * 8 * out * out + 2 * 8 * out * out


def test_grouped_conv1d():
    model = _model(keras.layers.Conv1D(8, 3, groups=2, use_bias=False), (10, 4))
    assert flops.forward_flops(model) == 2 * 3 * 2 * 8 * 8


def test_conv2d_transpose_uses_input_positions():
    model = _model(keras.layers.Conv2DTranspose(6, 3, strides=2), (5, 5, 4))
    assert model.output.shape == (None, 11, 11, 6)
    assert flops.forward_flops(model) == 2 * 3 * 3 * 4 * 6 * 5 * 5 + 11 * 11 * 6


def test_depthwise_conv2d():
    model = _model(keras.layers.DepthwiseConv2D(3, depth_multiplier=2), (8, 8, 3))
    assert flops.forward_flops(model) == 2 * 3 * 3 * 3 * 2 * 6 * 6 + 6 * 6 * 6


def test_separable_conv2d_is_depthwise_plus_pointwise():
    model = _model(keras.layers.SeparableConv2D(5, 3, depth_multiplier=2), (8, 8, 3))
    terms = flops.layer_flops(model)
    assert [t.kind for t in terms] == ["depthwise", "pointwise", "bias"]
    assert [t.dense_flops for t in terms] == [2 * 9 * 3 * 2 * 36, 2 * 6 * 5 * 36, 5 * 36]


def test_dense_on_sequence():
    model = _model(keras.layers.Dense(5), (7, 12))
    assert flops.forward_flops(model) == 2 * 12 * 5 * 7 + 7 * 5


def test_einsum_dense_counts_every_non_kernel_axis():
    layer = keras.layers.EinsumDense("abc,cde->abde", output_shape=(7, 4, 3), bias_axes="de")
    model = _model(layer, (7, 12))
    assert flops.forward_flops(model) == 2 * 7 * 12 * 4 * 3 + 7 * 4 * 3
    ellipsis = _model(keras.layers.EinsumDense("...b,bc->...c", output_shape=5), (7, 12))
    assert flops.forward_flops(ellipsis) == 2 * 7 * 12 * 5


def test_pooling_merge_and_nested_models():
    inner_in = keras.Input((6, 6, 2))
    inner = keras.Model(inner_in, keras.layers.MaxPooling2D(2)(inner_in))
    inputs = keras.Input((6, 6, 2))
    x = keras.layers.Add()([inputs, inputs, inputs])
    model = keras.Model(inputs, keras.layers.GlobalAveragePooling2D()(inner(x)))
    assert flops.forward_flops(model) == 2 * 72 + 4 * 18 + 18


def test_unknown_weighted_layers_are_skipped():
    model = _model(keras.layers.LayerNormalization(), (4,))
    terms = flops.layer_flops(model)
    assert [(t.kind, t.skipped, t.dense_flops) for t in terms] == [("LayerNormalization", True, 0)]


def test_unknown_dimension_raises_only_where_counted():
    with pytest.raises(ValueError, match="unknown dimension"):
        flops.layer_flops(_model(keras.layers.Dense(5), (None, 12)))
    assert flops.forward_flops(_model(keras.layers.Dropout(0.5), (None, 12))) == 0


def test_sparse_model_scales_kernel_flops_only():
    model = build_model("lenet5", num_classes=10, input_shape=(28, 28, 1), seed=0)
    sparse = ftk.sparsify(model, 0.2, "uniform", seed=0)
    terms = flops.layer_flops(model)
    kernel = sum(t.dense_flops for t in terms if t.weight)
    rest = sum(t.dense_flops for t in terms if not t.weight)
    assert rest > 0
    densities = ftk.layer_densities(sparse)
    expected = rest + sum(t.dense_flops * densities[t.weight] for t in terms if t.weight)
    assert flops.forward_flops(sparse) == pytest.approx(expected)
    assert flops.forward_flops(sparse) == pytest.approx(rest + 0.2 * kernel, rel=1e-3)
    assert flops.forward_flops(model, densities) == pytest.approx(flops.forward_flops(sparse))
    assert flops.forward_flops(sparse, densities) == pytest.approx(flops.forward_flops(sparse))
    with pytest.raises(ValueError, match="not in the model"):
        flops.forward_flops(model, {"conv1": 0.5})


def test_training_flops():
    assert flops.training_flops(10, 50, 100) == 3000
    assert flops.training_flops(10, 50, 100, 10, "random") == 3000
    assert flops.training_flops(10, 50, 100, 10, "gradient") == 3000 + 40 * 10
    assert flops.training_flops(10, 50, 100, 10, "momentum") == (20 + 50) * 100
    assert flops.training_flops(50, 50, 100) == 15000
    with pytest.raises(ValueError):
        flops.training_flops(10, 50, 100, 10, "magnitude")
    with pytest.raises(ValueError):
        flops.training_flops(10, 50, 10, 11, "gradient")


def test_shipped_wrn_recipes_cost_as_in_the_paper():
    """EDST ~0.61x and the DST ensemble ~1.02x of the dense recipe (250 epochs), in closed form."""
    from ftk.cli.flops_report import protocol_costs
    from ftk.recipes import find_recipe, load_recipe

    dense = build_model("wrn-28-10", num_classes=10, input_shape=(32, 32, 3), seed=0)
    f_d = flops.forward_flops(dense)
    f_s = flops.forward_flops(ftk.sparsify(dense, density=0.2, distribution="erk", seed=0))
    steps = lambda epochs: epochs * (50000 // 128)  # noqa: E731 - CIFAR-10 at batch 128
    reference = 3 * f_d * steps(250)  # dense_wrn: 3 f_D per step (forward + 2 backward)
    # dst_wrn: 3 RigL runs of 250 epochs: 3 f_S per step, plus f_D - f_S for the
    # dense gradient at each of the steps // 1000 update steps.
    dst = 3 * (3 * f_s * steps(250) + (f_d - f_s) * (steps(250) // 1000))
    # edst_wrn: one 450-epoch RigL run, plus the dense gradient of the M - 1 = 2 large jumps.
    edst = 3 * f_s * steps(450) + (f_d - f_s) * (steps(450) // 1000) + 2 * (f_d - f_s)
    static = 3 * 3 * f_s * steps(250)
    pf = 3 * (3 * f_d * steps(250) + 3 * f_s * steps(250))  # pf_wrn: 250 dense + 250 fine-tune
    assert edst / reference == pytest.approx(0.61, abs=0.01)
    assert dst / reference == pytest.approx(1.02, abs=0.01)
    rows, notes = protocol_costs(load_recipe(find_recipe("edst_wrn")))
    expected = {"dense": 1.0, "deep_ensemble": 3.0, "static_ensemble": static / reference,
                "dst_ensemble": dst / reference, "edst": edst / reference, "pf_ensemble": pf / reference,
                "mc_dropout": 1.0}
    assert {k: r.cost.train_flops_ratio for k, r in rows.items()} == pytest.approx(expected, rel=1e-9)
    assert rows["edst"].cost.dense_train_flops == pytest.approx(reference * 128, rel=1e-12)
    assert not any(r.fallback for r in rows.values())
    assert any("dense recipe dense_wrn (250 epochs)" in note for note in notes)
