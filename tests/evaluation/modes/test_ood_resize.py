"""`ood` mode: OoD data of another image size/channel count is resized, not refused."""

import types

import numpy as np
import tensorflow as tf

from ftk.evaluation.modes import ood


def _splits(shape, n=6, mean=0.5, std=0.25):
    images = np.random.default_rng(0).random((n,) + shape).astype(np.float32)
    test = tf.data.Dataset.from_tensor_slices(((images - mean) / std, np.zeros(n, np.int32)))
    info = types.SimpleNamespace(input_shape=shape, mean=(mean,) * shape[-1],
                                 std=(std,) * shape[-1], num_test=n)
    return types.SimpleNamespace(test=test.batch(4), info=info), images


def test_resize_images_channels_and_size():
    gray = tf.random.uniform((2, 28, 28, 1))
    rgb = ood.resize_images(gray, (32, 32, 3))
    assert rgb.shape == (2, 32, 32, 3)
    np.testing.assert_allclose(rgb[..., 0], rgb[..., 2])
    back = ood.resize_images(tf.random.uniform((2, 64, 64, 3)), (28, 28, 1))
    assert back.shape == (2, 28, 28, 1) and float(tf.reduce_max(back)) <= 1.0


def test_ood_mode_resizes_and_records(monkeypatch):
    in_dist, _ = _splits((32, 32, 3))
    fake_ood, raw = _splits((28, 28, 1), mean=0.3, std=0.2)
    monkeypatch.setattr(ood, "load_data", lambda name, **kwargs: fake_ood)
    seen = []

    def member_probabilities(dataset):
        batches = [np.asarray(x) for x in dataset]
        seen.append(np.concatenate(batches))
        n = len(seen[-1])
        return np.full((2, n, 3), 1 / 3) + np.linspace(0, 0.1, n)[None, :, None] * [1, -1, 0]

    ctx = types.SimpleNamespace(
        data=in_dist, options={"ood_data": "fake_mnist"},
        recipe=types.SimpleNamespace(data=types.SimpleNamespace(data_dir=None)),
        ensemble=types.SimpleNamespace(member_probabilities=member_probabilities),
        member_probs=np.full((2, 6, 3), 1 / 3) + np.array([0.2, -0.2, 0.0]),
    )
    report = ood.run(ctx)
    assert report["resized"] == "bilinear 28x28x1 -> 32x32x3"
    assert report["examples"] == 6 and 0.0 <= report["entropy"]["auroc"]["ensemble"] <= 1.0
    inputs = seen[0]
    assert inputs.shape == (6, 32, 32, 3)
    expected = tf.image.resize(raw, (32, 32), "bilinear").numpy()
    np.testing.assert_allclose(inputs[..., 1] * 0.25 + 0.5, expected[..., 0], atol=1e-5)


def test_same_shape_is_not_resized(monkeypatch):
    in_dist, _ = _splits((32, 32, 3))
    same, _ = _splits((32, 32, 3))
    monkeypatch.setattr(ood, "load_data", lambda name, **kwargs: same)
    ctx = types.SimpleNamespace(data=in_dist, options={},
                                recipe=types.SimpleNamespace(data=types.SimpleNamespace(data_dir=None)))
    dataset, how = ood._ood_inputs(ctx, "cifar10")
    assert how is None and next(iter(dataset)).shape == (4, 32, 32, 3)
