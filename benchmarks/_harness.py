"""Shared pieces of the speed benchmarks: models, data and step timing."""

from __future__ import annotations

import os
import platform
import statistics
import time

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

import ftk  # noqa: E402
from ftk.models import build_model  # noqa: E402


def cifar_like(batch_size: int, batches: int, seed: int = 0) -> tf.data.Dataset:
    """Random CIFAR-shaped batches, repeated forever, kept in memory."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(batch_size * batches, 32, 32, 3)).astype("float32")
    y = rng.integers(0, 10, size=batch_size * batches).astype("int32")
    return tf.data.Dataset.from_tensor_slices((x, y)).batch(batch_size, drop_remainder=True).cache().repeat()


def compiled(model: keras.Model, jit_compile: bool) -> keras.Model:
    model.compile(
        optimizer=keras.optimizers.SGD(0.1, momentum=0.9),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        jit_compile=jit_compile,
    )
    return model


def dense_and_masked(name: str, density: float, seed: int = 0) -> tuple[keras.Model, keras.Model]:
    dense = build_model(name, num_classes=10, input_shape=(32, 32, 3), seed=seed)
    return dense, ftk.sparsify(dense, density=density, distribution="erk", seed=seed)


class StepTimer(keras.callbacks.Callback):
    """Wall time of every training step (one step per execution)."""

    def __init__(self):
        super().__init__()
        self.times: list[float] = []

    def on_train_batch_begin(self, batch, logs=None):
        self._start = time.perf_counter()

    def on_train_batch_end(self, batch, logs=None):
        self.times.append(time.perf_counter() - self._start)


def images_per_second(step_seconds: float, batch_size: int) -> float:
    """Training throughput of a median step."""
    return round(batch_size / step_seconds, 1) if step_seconds > 0 else float("nan")


def time_steps(model: keras.Model, data: tf.data.Dataset, steps: int, callbacks=()) -> list[float]:
    """Runs `steps` training steps and returns their wall times in seconds."""
    timer = StepTimer()
    model.fit(data, epochs=1, steps_per_epoch=steps, callbacks=[*callbacks, timer], verbose=0)
    return timer.times


def environment() -> dict:
    return {
        "tensorflow": tf.__version__,
        "keras": keras.__version__,
        "devices": [d.device_type for d in tf.config.list_physical_devices()],
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
    }


def median(values: list[float]) -> float:
    return statistics.median(values)
