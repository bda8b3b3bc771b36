"""Endless training pipelines whose epochs depend only on (order seed, epoch).

`load_data(...).train_from(epoch, order_seed=seed)` is built from these: each
ensemble member passes its own order seed, so members see their data in
different orders, and a run resumed at epoch k sees the same batches as an
uninterrupted one. Example i of epoch e is augmented with the stateless seed
`(order_seed * 1_000_003 + e, i)` for in-memory and streamed data alike.
"""

from __future__ import annotations

from typing import Callable

import numpy as np
import tensorflow as tf

from ftk.data.augment import Transform

#: `open_train(file_seed)`: the unbatched `(image, label)` training examples,
#: files read in an order seeded by the `tf.int64` scalar `file_seed`.
TrainOpener = Callable[[tf.Tensor], tf.data.Dataset]
_EPOCH_GRAPH_SEED = 87654321  # stands in for TensorFlow's global seed in each epoch


def _augment_seed(seed: int, epoch: tf.Tensor, position: tf.Tensor) -> tf.Tensor:
    """The stateless seed of the example at `position` of `epoch`."""
    return tf.stack([tf.cast(seed, tf.int64) * 1_000_003 + epoch, position])


def _augmented_batches(
    examples: tf.data.Dataset,
    read: Callable[[tf.Tensor], tuple[tf.Tensor, tf.Tensor]],
    train_fn: Transform,
    seed: int,
    batch_size: int,
) -> tf.data.Dataset:
    """Reads `(epoch, position, item)` examples with `read`, augments and batches them."""

    def augment(epoch, position, item):
        image, label = read(item)
        return train_fn(image, _augment_seed(seed, epoch, position)), tf.cast(label, tf.int32)

    return (
        examples.map(augment, num_parallel_calls=tf.data.AUTOTUNE)
        .batch(batch_size, drop_remainder=True)
        .prefetch(tf.data.AUTOTUNE)
    )


def array_epochs(
    arrays: tuple[np.ndarray, np.ndarray],
    train_fn: Transform,
    start_epoch: int,
    seed: int,
    batch_size: int,
) -> tf.data.Dataset:
    """Endless training batches of in-memory examples, from `start_epoch` on.

    Each epoch is a stateless random permutation of the examples, seeded by
    `(seed, epoch)` and cut to whole batches.

    Args:
        arrays: The training `(images, labels)`.
        train_fn: The training transform, `train_fn(image, seed)`.
        start_epoch: The first epoch to produce.
        seed: The order seed of the member.
        batch_size: Examples per batch.

    Returns:
        An endless `tf.data.Dataset` of `(images, labels)` batches.

    Example:

    ```python
    batches = array_epochs((x, y), train_fn, start_epoch=3, seed=1, batch_size=128)
    ```
    """
    images, labels = tf.constant(arrays[0]), tf.constant(arrays[1], tf.int32)
    count = (len(arrays[0]) // batch_size) * batch_size

    def one_epoch(epoch: tf.Tensor) -> tf.data.Dataset:
        key = tf.stack([tf.cast(seed, tf.int64), epoch])
        order = tf.argsort(tf.random.stateless_uniform([len(arrays[0])], seed=key))[:count]
        return tf.data.Dataset.from_tensor_slices(order).enumerate().map(lambda i, j: (epoch, i, j))

    def read(index: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
        return tf.gather(images, index), tf.gather(labels, index)

    examples = tf.data.Dataset.range(start_epoch, 2**62).flat_map(one_epoch)
    return _augmented_batches(examples, read, train_fn, seed, batch_size)


def stream_epochs(
    open_train: TrainOpener,
    train_fn: Transform,
    start_epoch: int,
    seed: int,
    batch_size: int,
    num_train: int,
    shuffle_buffer: int,
) -> tf.data.Dataset:
    """Endless training batches of a streamed dataset (TFDS files), from `start_epoch` on.

    Each epoch reopens the training files in an order seeded by `(seed,
    epoch)`, passes the examples through a shuffle buffer seeded likewise and
    keeps whole batches, so no batch spans two epochs. The order depends
    neither on earlier epochs nor on TensorFlow's global seed.

    Args:
        open_train: Opens the training examples for a file-shuffle seed.
        train_fn: The training transform, `train_fn(image, seed)`.
        start_epoch: The first epoch to produce.
        seed: The order seed of the member.
        batch_size: Examples per batch.
        num_train: Number of training examples per epoch.
        shuffle_buffer: Shuffle buffer size (capped at `num_train`).

    Returns:
        An endless `tf.data.Dataset` of `(images, labels)` batches.

    Example:

    ```python
    batches = stream_epochs(open_train, train_fn, 3, seed=1, batch_size=64,
                            num_train=1_281_167, shuffle_buffer=10_000)
    ```
    """
    count = (num_train // batch_size) * batch_size

    def one_epoch(epoch: tf.Tensor) -> tf.data.Dataset:
        # Dataset.shuffle mixes in the graph seed; pin it so only (seed, epoch) counts.
        tf.compat.v1.get_default_graph().seed = _EPOCH_GRAPH_SEED
        key = tf.stack([tf.cast(seed, tf.int64), epoch])
        file_seed, buffer_seed = tf.unstack(
            tf.random.stateless_uniform([2], seed=key, maxval=2**31 - 1, dtype=tf.int64)
        )
        examples = open_train(file_seed).shuffle(
            min(shuffle_buffer, num_train), seed=buffer_seed, reshuffle_each_iteration=False
        )
        return examples.take(count).enumerate().map(lambda i, xy: (epoch, i, xy))

    examples = tf.data.Dataset.range(start_epoch, 2**62).flat_map(one_epoch)
    return _augmented_batches(examples, lambda xy: xy, train_fn, seed, batch_size)
