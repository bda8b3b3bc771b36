"""Tests for the CIFAR and ImageNet ResNets."""

import keras
import numpy as np
import pytest

from ftk.models import resnet18_cifar, resnet34_cifar, resnet50_cifar, resnet50_imagenet


def _resnet_param_count(
    bottleneck: bool,
    blocks: tuple[int, ...],
    num_classes: int,
    stem_kernel: int,
    in_channels: int = 3,
) -> tuple[int, int]:
    """(all, trainable) parameters of a v1 ResNet, from the architecture.

    Keras BatchNormalization holds 4 values per channel, 2 of them trainable.
    """
    kernels = stem_kernel * stem_kernel * in_channels * 64
    bn_channels = 64
    channels = 64
    for stage, (count, filters) in enumerate(zip(blocks, (64, 128, 256, 512), strict=True)):
        for index in range(count):
            stride = 2 if stage > 0 and index == 0 else 1
            if bottleneck:
                out = 4 * filters
                kernels += channels * filters + 9 * filters * filters + filters * out
                bn_channels += filters + filters + out
            else:
                out = filters
                kernels += 9 * channels * filters + 9 * filters * filters
                bn_channels += 2 * filters
            if stride != 1 or channels != out:
                kernels += channels * out
                bn_channels += out
            channels = out
    dense = channels * num_classes + num_classes
    return kernels + dense + 4 * bn_channels, kernels + dense + 2 * bn_channels


def _trainable_count(model: keras.Model) -> int:
    return sum(int(np.prod(w.shape)) for w in model.trainable_weights)


@pytest.mark.parametrize(
    "builder, bottleneck, blocks, pytorch_count",
    [
        # Trainable counts of kuangliu/pytorch-cifar's ResNet18/34/50.
        (resnet18_cifar, False, (2, 2, 2, 2), 11_173_962),
        (resnet34_cifar, False, (3, 4, 6, 3), 21_282_122),
        (resnet50_cifar, True, (3, 4, 6, 3), 23_520_842),
    ],
)
def test_cifar_parameter_counts(builder, bottleneck, blocks, pytorch_count):
    model = builder(num_classes=10)
    total, trainable = _resnet_param_count(bottleneck, blocks, 10, stem_kernel=3)
    assert model.count_params() == total
    assert _trainable_count(model) == trainable == pytorch_count


def test_resnet18_cifar_layout():
    model = resnet18_cifar(num_classes=100, seed=0)
    assert model.name == "resnet18_cifar"
    assert model.output_shape == (None, 100)
    assert model.get_layer("stem_conv").kernel_size == (3, 3)
    assert model.get_layer("stem_conv").strides == (1, 1)
    assert not any(isinstance(layer, keras.layers.MaxPooling2D) for layer in model.layers)
    shortcuts = sorted(
        layer.name for layer in model.layers if layer.name.endswith("_shortcut_conv")
    )
    assert shortcuts == [f"stage{s}_block1_shortcut_conv" for s in (2, 3, 4)]
    # 32x32 -> 4x4 before pooling.
    assert model.get_layer("stage4_block2_out").output.shape[1:3] == (4, 4)
    assert model(np.zeros((2, 32, 32, 3), "float32")).shape == (2, 100)


def test_resnet50_imagenet_parameter_count_and_layout():
    model = resnet50_imagenet(num_classes=1000)
    total, trainable = _resnet_param_count(True, (3, 4, 6, 3), 1000, stem_kernel=7)
    assert model.count_params() == total
    # torchvision's resnet50 has 25,557,032 parameters.
    assert _trainable_count(model) == trainable == 25_557_032
    assert 25_500_000 <= trainable <= 25_600_000
    assert model.name == "resnet50_imagenet"
    assert model.get_layer("stem_conv").strides == (2, 2)
    assert model.get_layer("stem_pool").output.shape[1:3] == (56, 56)
    # v1.5: the stride is on the 3x3 convolution, not on the first 1x1.
    assert model.get_layer("stage2_block1_1_conv").strides == (1, 1)
    assert model.get_layer("stage2_block1_2_conv").strides == (2, 2)
    assert model.get_layer("stage4_block3_out").output.shape[1:] == (7, 7, 2048)


def test_resnet50_imagenet_fan_in_init_and_small_input():
    model = resnet50_imagenet(num_classes=5, input_shape=(64, 64, 3), seed=0)
    assert model(np.zeros((1, 64, 64, 3), "float32")).shape == (1, 5)
    kernel = keras.ops.convert_to_numpy(model.get_layer("stage4_block1_2_conv").kernel)
    fan_in = 3 * 3 * kernel.shape[2]
    assert np.std(kernel) == pytest.approx(np.sqrt(2.0 / fan_in), rel=0.05)


def test_seed_reproducibility():
    def kernels(seed):
        model = resnet18_cifar(num_classes=10, seed=seed)
        return [keras.ops.convert_to_numpy(w) for w in model.trainable_weights if len(w.shape) >= 2]

    first, again, other = kernels(0), kernels(0), kernels(1)
    assert all(np.array_equal(a, b) for a, b in zip(first, again, strict=True))
    assert not any(np.array_equal(a, b) for a, b in zip(first, other, strict=True))
