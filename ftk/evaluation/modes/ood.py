"""`ood` mode: out-of-distribution detection, AUROC and AUPR."""

from __future__ import annotations

import numpy as np
import tensorflow as tf

from ftk.data import load_data
from ftk.ensemble import metrics
from ftk.evaluation.context import EvalContext, spread

SCORES = ("max_prob", "entropy")


def run(ctx: EvalContext) -> dict:
    """Detects the OoD set against the test split with each member and the ensemble.

    The OoD set is `options["ood_data"]`: a dataset name (e.g. `svhn_cropped`
    for CIFAR-10), renormalised with the in-distribution mean and std, or
    `"noise"` (the default): uniform-noise images of the test images' shape.
    In-distribution examples are the positive class; the scores are the
    maximum probability and the negative predictive entropy.

    OoD images of another size or channel count are brought to the model's
    input shape: bilinear `tf.image.resize` (antialiased when shrinking) and
    grayscale -> RGB by repeating the channel, RGB -> grayscale by averaging.
    The report then says how, e.g. `"resized": "bilinear 28x28x1 -> 32x32x3"`.
    """
    name = ctx.options.get("ood_data") or "noise"
    ood_inputs, resized = _ood_inputs(ctx, name)
    ood_probs = ctx.ensemble.member_probabilities(ood_inputs)
    report = {"dataset": name, "examples": int(ood_probs.shape[1])}
    if resized:
        report["resized"] = resized
    for score in SCORES:
        members = [metrics.ood_detection(p_in, p_out, score=score)
                   for p_in, p_out in zip(ctx.member_probs, ood_probs)]
        ensemble = metrics.ood_detection(
            metrics.ensemble_probabilities(ctx.member_probs),
            metrics.ensemble_probabilities(ood_probs), score=score,
        )
        report[score] = {
            key: {**spread([m[key] for m in members]), "ensemble": ensemble[key]}
            for key in ("auroc", "aupr")
        }
    return report


def resize_images(images: tf.Tensor, shape: tuple[int, ...]) -> tf.Tensor:
    """Resizes `(N, H, W, C)` images in `[0, 1]` to `shape = (h, w, c)`, c and C in {1, 3}.

    Bilinear (`tf.image.resize`, antialiased when either side shrinks); one
    channel is repeated to three, three are averaged to one.
    """
    height, width, channels = shape
    size = images.shape[1:3]
    if tuple(size) != (height, width):
        shrink = size[0] is None or size[0] > height or size[1] > width
        images = tf.image.resize(images, (height, width), "bilinear", antialias=shrink)
    if images.shape[-1] == 1 and channels == 3:
        images = tf.repeat(images, 3, axis=-1)
    elif images.shape[-1] == 3 and channels == 1:
        images = tf.reduce_mean(images, axis=-1, keepdims=True)
    elif images.shape[-1] != channels:
        raise ValueError(f"Cannot convert {images.shape[-1]} channels to {channels}.")
    return tf.clip_by_value(images, 0.0, 1.0)


def _ood_inputs(ctx: EvalContext, name: str) -> tuple[tf.data.Dataset, str | None]:
    info = ctx.data.info
    mean, std = np.asarray(info.mean, np.float32), np.asarray(info.std, np.float32)
    limit = ctx.options.get("limit") or info.num_test
    if name == "noise":
        rng = np.random.default_rng(0)
        raw = rng.random((min(limit, info.num_test),) + tuple(info.input_shape), dtype=np.float32)
        return tf.data.Dataset.from_tensor_slices((raw - mean) / std).batch(256), None
    ood = load_data(name, batch_size=256, data_dir=ctx.recipe.data.data_dir, limit=limit)
    ood_mean, ood_std = np.asarray(ood.info.mean, np.float32), np.asarray(ood.info.std, np.float32)
    source, target = tuple(ood.info.input_shape), tuple(info.input_shape)
    if source == target:
        return ood.test.map(lambda x, y: ((x * ood_std + ood_mean - mean) / std)), None
    if len(source) != 3 or len(target) != 3 or {source[2], target[2]} - {1, 3}:
        raise ValueError(
            f"OoD data '{name}' has images of shape {source}, but the model takes {target}; "
            "only (H, W, 1 or 3) images can be resized."
        )

    def convert(x: tf.Tensor, y: tf.Tensor) -> tf.Tensor:
        return (resize_images(x * ood_std + ood_mean, target) - mean) / std

    how = f"bilinear {'x'.join(map(str, source))} -> {'x'.join(map(str, target))}"
    return ood.test.map(convert), how
