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
    """
    name = ctx.options.get("ood_data") or "noise"
    ood_inputs = _ood_inputs(ctx, name)
    ood_probs = ctx.ensemble.member_probabilities(ood_inputs)
    report = {"dataset": name, "examples": int(ood_probs.shape[1])}
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


def _ood_inputs(ctx: EvalContext, name: str) -> tf.data.Dataset:
    info = ctx.data.info
    mean, std = np.asarray(info.mean, np.float32), np.asarray(info.std, np.float32)
    limit = ctx.options.get("limit") or info.num_test
    if name == "noise":
        rng = np.random.default_rng(0)
        raw = rng.random((min(limit, info.num_test),) + tuple(info.input_shape), dtype=np.float32)
        return tf.data.Dataset.from_tensor_slices((raw - mean) / std).batch(256)
    ood = load_data(name, batch_size=256, data_dir=ctx.recipe.data.data_dir, limit=limit)
    if tuple(ood.info.input_shape) != tuple(info.input_shape):
        raise ValueError(
            f"OoD data '{name}' has images of shape {ood.info.input_shape}, but the model "
            f"takes {info.input_shape}. Choose OoD data of the same shape (e.g. svhn_cropped "
            "for CIFAR), or the default `noise`."
        )
    ood_mean, ood_std = np.asarray(ood.info.mean, np.float32), np.asarray(ood.info.std, np.float32)
    return ood.test.map(lambda x, y: ((x * ood_std + ood_mean - mean) / std))
