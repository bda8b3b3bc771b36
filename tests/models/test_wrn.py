"""Tests for `ftk.models.wide_resnet`."""

import keras
import numpy as np
import pytest

from ftk.models import wide_resnet


def _wrn_param_count(
    depth: int, width: int, num_classes: int, in_channels: int = 3
) -> tuple[int, int]:
    """(all, trainable) parameters of WRN-depth-width, from the architecture.

    A Keras BatchNormalization layer holds 4 values per channel (gamma, beta,
    moving mean, moving variance), 2 of them trainable.
    """
    blocks = (depth - 4) // 6
    kernels = 3 * 3 * in_channels * 16  # stem conv, no bias
    bn_channels = 0
    channels = 16
    for filters in (16 * width, 32 * width, 64 * width):
        for _ in range(blocks):
            bn_channels += channels + filters  # bn1 on the input, bn2 after conv1
            kernels += 3 * 3 * channels * filters + 3 * 3 * filters * filters
            if channels != filters:
                kernels += channels * filters  # 1x1 shortcut
            channels = filters
    bn_channels += channels  # final BN
    dense = channels * num_classes + num_classes
    return kernels + dense + 4 * bn_channels, kernels + dense + 2 * bn_channels


def _trainable_count(model: keras.Model) -> int:
    return sum(int(np.prod(w.shape)) for w in model.trainable_weights)


def test_wrn_28_10_parameter_count():
    model = wide_resnet(depth=28, width=10, num_classes=10)
    total, trainable = _wrn_param_count(28, 10, 10)
    assert model.count_params() == total
    assert _trainable_count(model) == trainable
    # The PyTorch reference (BN moving statistics are buffers there) has 36,479,194.
    assert trainable == 36_479_194
    assert 36_400_000 <= model.count_params() <= 36_600_000
    assert model.name == "wrn_28_10"


def test_wrn_16_2_parameter_count_and_output_shape():
    model = wide_resnet(depth=16, width=2, num_classes=100, input_shape=(32, 32, 3), seed=0)
    assert model.count_params() == _wrn_param_count(16, 2, 100)[0]
    assert model(np.zeros((2, 32, 32, 3), "float32")).shape == (2, 100)


def test_shortcut_only_where_channels_change():
    # WRN-16-1: stage widths 16, 32, 64 after a 16-filter stem, so the first
    # block of stage 1 keeps its channels (identity) and stages 2, 3 project.
    model = wide_resnet(depth=16, width=1, seed=0)
    names = {layer.name for layer in model.layers}
    shortcuts = sorted(name for name in names if name.endswith("_shortcut"))
    assert shortcuts == ["stage2_block1_shortcut", "stage3_block1_shortcut"]
    # With width 2 every stage's first block changes channels.
    names = {layer.name for layer in wide_resnet(depth=16, width=2, seed=0).layers}
    assert sorted(n for n in names if n.endswith("_shortcut")) == [
        f"stage{s}_block1_shortcut" for s in (1, 2, 3)
    ]
    shortcut = model.get_layer("stage2_block1_shortcut")
    assert shortcut.kernel_size == (1, 1) and shortcut.strides == (2, 2) and not shortcut.use_bias


def test_block_is_preactivation_with_identity_shortcut():
    model = wide_resnet(depth=16, width=1, seed=0)
    add = model.get_layer("stage1_block2_add")
    inbound = {tensor._keras_history.operation.name for tensor in add.input}
    # Identity shortcut: the block's raw input (previous block's sum) plus conv2.
    assert inbound == {"stage1_block1_add", "stage1_block2_conv2"}
    assert (
        model.get_layer("stage1_block2_conv1").input._keras_history.operation.name
        == "stage1_block2_relu1"
    )
    # Projection shortcut reads the pre-activated input, as in the reference.
    shortcut = model.get_layer("stage2_block1_shortcut")
    assert shortcut.input._keras_history.operation.name == "stage2_block1_relu1"


def test_dropout_between_convs():
    model = wide_resnet(depth=10, width=1, dropout=0.3, seed=0)
    dropout = model.get_layer("stage2_block1_dropout")
    assert dropout.rate == pytest.approx(0.3)
    assert not any(
        isinstance(layer, keras.layers.Dropout) for layer in wide_resnet(depth=10, width=1).layers
    )


def test_initializers():
    model = wide_resnet(depth=10, width=4, seed=1)
    kernel = keras.ops.convert_to_numpy(model.get_layer("stage3_block1_conv2").kernel)
    fan_out = 3 * 3 * kernel.shape[-1]
    assert np.std(kernel) == pytest.approx(np.sqrt(2.0 / fan_out), rel=0.05)
    assert abs(np.mean(kernel)) < 0.1 * np.std(kernel)
    bn = model.get_layer("stage2_block1_bn2")
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(bn.gamma), 1.0)
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(bn.beta), 0.0)
    np.testing.assert_array_equal(
        keras.ops.convert_to_numpy(model.get_layer("predictions").bias), 0.0
    )
    assert not model.get_layer("stem_conv").use_bias


def test_seed_reproducibility():
    def weights(seed):
        return [
            keras.ops.convert_to_numpy(w) for w in wide_resnet(depth=10, width=1, seed=seed).weights
        ]

    first, again, other = weights(3), weights(3), weights(4)
    for a, b in zip(first, again, strict=True):
        np.testing.assert_array_equal(a, b)
    kernels = [i for i, w in enumerate(first) if w.ndim == 4]
    assert all(not np.array_equal(first[i], other[i]) for i in kernels)
    # Layers of the same shape get different values.
    model = wide_resnet(depth=16, width=1, seed=3)
    assert not np.array_equal(
        keras.ops.convert_to_numpy(model.get_layer("stage1_block2_conv1").kernel),
        keras.ops.convert_to_numpy(model.get_layer("stage1_block2_conv2").kernel),
    )


def test_strided_conv_pads_like_pytorch():
    # PyTorch's 3x3, stride-2, padding=1 conv centres output (0, 0) on input
    # (0, 0), so with an all-ones kernel and input it sums a 2x2 patch per
    # channel; TensorFlow's "same" padding would sum a full 3x3 patch.
    model = wide_resnet(depth=10, width=1, seed=0)
    pad, conv = model.get_layer("stage2_block1_conv1_pad"), model.get_layer("stage2_block1_conv1")
    conv.kernel.assign(np.ones(conv.kernel.shape, "float32"))
    channels = conv.kernel.shape[2]
    out = keras.ops.convert_to_numpy(conv(pad(np.ones((1, 8, 8, channels), "float32"))))
    assert out.shape == (1, 4, 4, conv.filters)
    assert out[0, 0, 0, 0] == 4 * channels
    assert out[0, 1, 1, 0] == 9 * channels


@pytest.mark.parametrize("depth", [27, 4, 0, 29])
def test_invalid_depth(depth):
    with pytest.raises(ValueError, match=rf"`depth` must satisfy .*Received: depth={depth}"):
        wide_resnet(depth=depth, width=1)


def test_invalid_width_and_dropout():
    with pytest.raises(ValueError, match="`width`.*Received: width=0"):
        wide_resnet(depth=10, width=0)
    with pytest.raises(ValueError, match="`dropout`.*Received: dropout=1.5"):
        wide_resnet(depth=10, width=1, dropout=1.5)
