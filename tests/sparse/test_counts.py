"""Parameter counts without masks: `ftk.parameter_count`, `ftk.active_count`, `ftk.summary`."""

import keras
import numpy as np

import ftk
from ftk.models import build_model, wide_resnet
from ftk.sparse.counts import Counts, compact

# WRN-28-10 for CIFAR-10 (tests/models/test_wrn.py derives both in closed form):
WRN_28_10_TRAINABLE = 36_479_194  # the PyTorch reference's count
WRN_28_10_PARAMS = WRN_28_10_TRAINABLE + 2 * 8_976  # + BN moving mean and variance


def _tiny(seed=0):
    """4 -> Dense(3) -> BatchNormalization -> Dense(2, no bias), with masks set by hand."""
    inputs = keras.Input((4,))
    x = keras.layers.Dense(3, name="d1")(inputs)
    x = keras.layers.BatchNormalization(name="bn")(x)
    dense = keras.Model(inputs, keras.layers.Dense(2, use_bias=False, name="d2")(x))
    sparse = ftk.sparsify(dense, 0.5, "uniform", seed=seed)
    masks = {
        "d1/kernel": [[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 1, 1]],  # 6 of 12
        "d2/kernel": [[1, 0], [0, 0], [0, 1]],  # 2 of 6
    }
    for w in ftk.sparse_weights(sparse):
        w.mask.assign(np.array(masks[w.name], "float32"))
    return dense, sparse


def test_tiny_model_by_hand():
    dense, sparse = _tiny()
    # kernels 12 + 6, d1 bias 3, BN gamma/beta 3 + 3 (trainable), moving mean/var 3 + 3.
    assert dense.count_params() == 33
    assert sparse.count_params() == 33 + 18  # Keras counts the masks
    assert ftk.parameter_count(dense) == ftk.parameter_count(sparse) == 33
    assert ftk.active_count(dense) == 12 + 6 + 3 + 6 == 27  # every trainable weight
    assert ftk.active_count(sparse) == 6 + 2 + 3 + 6 == 17  # mask-1 entries + the rest
    assert Counts.of(sparse) == Counts(33, 27, 17, 8 / 18)


def test_summary_sets_the_masks_apart():
    _, sparse = _tiny()
    lines = []
    ftk.summary(sparse, print_fn=lines.append)
    assert "Non-trainable params: 24" in lines[0]  # 18 mask entries + 6 BN statistics
    assert lines[-1] == (
        "Masks: 18 non-trainable mask entries (not parameters); parameters 33; "
        "active 17 (density 0.444)"
    )


def test_layers_left_dense_count_in_full():
    base = build_model("lenet_300_100", num_classes=10, input_shape=(28, 28, 1), seed=0)
    sparse = ftk.sparsify(base, 0.2, "uniform", dense_last_layer=True, seed=0)
    kernels = [784 * 300, 300 * 100]
    assert ftk.parameter_count(sparse) == base.count_params() == 266_610
    assert ftk.active_count(sparse) == sum(round(0.2 * k) for k in kernels) + 100 * 10 + 410


def test_wrn_28_10_counts_as_the_dense_model():
    dense = wide_resnet(28, 10, num_classes=10)
    sparse = ftk.sparsify(dense, density=0.2, distribution="erk", seed=0)
    assert dense.count_params() == WRN_28_10_PARAMS
    assert sparse.count_params() == 2 * WRN_28_10_TRAINABLE - 10  # the masks double the kernels
    assert ftk.parameter_count(sparse) == WRN_28_10_PARAMS
    assert ftk.active_count(dense) == WRN_28_10_TRAINABLE
    weights = ftk.sparse_weights(sparse)
    pruned = sum(w.size - w.active_count() for w in weights)
    assert ftk.active_count(sparse) == WRN_28_10_TRAINABLE - pruned
    counts = Counts.of(sparse)
    assert str(counts).startswith("36,497,146 parameters (36,479,194 trainable), 7.3M active")
    assert str(counts).endswith("at density 0.2")


def test_mobilenet_v2_counts_as_the_dense_model():
    dense = keras.applications.MobileNetV2(weights=None, input_shape=(32, 32, 3), classes=10)
    sparse = ftk.sparsify(dense, density=0.2, seed=0)
    assert sparse.count_params() > dense.count_params()
    assert ftk.parameter_count(sparse) == dense.count_params()
    pruned = sum(w.size - w.active_count() for w in ftk.sparse_weights(sparse))
    assert pruned > 0
    assert ftk.active_count(sparse) == ftk.active_count(dense) - pruned


def test_compact():
    assert [compact(n) for n in (812, 17_402, 266_610, 7_310_207, 36_479_194, 2.5e9)] == [
        "812", "17.4K", "266.6K", "7.3M", "36.5M", "2.5B"
    ]
