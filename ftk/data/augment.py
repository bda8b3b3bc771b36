"""Image transforms as stateless TensorFlow ops, for use inside `tf.data` maps.

Every random op takes an explicit `seed` (an int32 or int64 tensor of shape
`(2,)`), so a pipeline that draws per-example seeds from a seeded
`tf.data.Dataset.random` stream is reproducible. Images are float32 HWC in
`[0, 1]`, before normalisation, so zero padding is black as in torchvision.
"""

from __future__ import annotations

from typing import Callable, Sequence

import tensorflow as tf

IMAGENET_TRAIN_SIZE = 224
IMAGENET_RESIZE = 256
Transform = Callable[[tf.Tensor, "tf.Tensor | None"], tf.Tensor]


def pad_crop_flip(
    image: tf.Tensor, seed: tf.Tensor, *, padding: int = 4, flip: bool = True
) -> tf.Tensor:
    """Zero-pads an image, randomly crops it back to its size and maybe flips it.

    This is the CIFAR recipe of FreeTickets (`RandomCrop(32, padding=4)` then
    `RandomHorizontalFlip()`).

    Args:
        image: Float image of shape `(height, width, channels)` with a static shape.
        seed: Stateless seed of shape `(2,)`.
        padding: Zero padding in pixels on each side before the crop. Defaults to `4`.
        flip: Whether to flip left-right with probability 1/2. Defaults to `True`.

    Returns:
        The augmented image, with the shape and dtype of `image`.

    Example:

    ```python
    image = pad_crop_flip(tf.zeros((32, 32, 3)), tf.constant([1, 2]))
    ```
    """
    crop_seed, flip_seed = tf.unstack(tf.random.experimental.stateless_split(seed, 2))
    shape = tf.shape(image)
    if padding > 0:
        padded = tf.pad(image, [[padding, padding], [padding, padding], [0, 0]])
        image = tf.image.stateless_random_crop(padded, shape, seed=crop_seed)
    if flip:
        image = tf.image.stateless_random_flip_left_right(image, seed=flip_seed)
    return image


def random_resized_crop(
    image: tf.Tensor, seed: tf.Tensor, *, size: int = IMAGENET_TRAIN_SIZE, flip: bool = True
) -> tf.Tensor:
    """Crops a random area and aspect ratio, resizes it to `size` and maybe flips it.

    Crops cover 8% to 100% of the image with aspect ratios in `[3/4, 4/3]`, as in
    torchvision's `RandomResizedCrop`.

    Args:
        image: Float image of shape `(height, width, channels)`; any size.
        seed: Stateless seed of shape `(2,)`.
        size: Side of the square output. Defaults to `224`.
        flip: Whether to flip left-right with probability 1/2. Defaults to `True`.

    Returns:
        A float32 image of shape `(size, size, channels)`.

    Example:

    ```python
    image = random_resized_crop(tf.zeros((300, 400, 3)), tf.constant([1, 2]))
    ```
    """
    box_seed, flip_seed = tf.unstack(tf.random.experimental.stateless_split(seed, 2))
    begin, crop_size, _ = tf.image.stateless_sample_distorted_bounding_box(
        tf.shape(image),
        bounding_boxes=tf.constant([[[0.0, 0.0, 1.0, 1.0]]]),
        seed=box_seed,
        min_object_covered=0.0,
        aspect_ratio_range=(3.0 / 4.0, 4.0 / 3.0),
        area_range=(0.08, 1.0),
        max_attempts=10,
        use_image_if_no_bounding_boxes=True,
    )
    image = tf.slice(image, begin, crop_size)
    image = tf.image.resize(image, (size, size), method="bilinear")
    if flip:
        image = tf.image.stateless_random_flip_left_right(image, seed=flip_seed)
    return image


def resize_center_crop(
    image: tf.Tensor, *, resize: int = IMAGENET_RESIZE, size: int = IMAGENET_TRAIN_SIZE
) -> tf.Tensor:
    """Resizes the shorter side to `resize`, keeping the aspect ratio, then center-crops.

    This is the standard ImageNet evaluation transform (`Resize(256)` then
    `CenterCrop(224)`); it is deterministic.

    Args:
        image: Float image of shape `(height, width, channels)`; any size.
        resize: Length of the shorter side after resizing. Defaults to `256`.
        size: Side of the square center crop. Defaults to `224`.

    Returns:
        A float32 image of shape `(size, size, channels)`.

    Example:

    ```python
    image = resize_center_crop(tf.zeros((300, 400, 3)))  # shape (224, 224, 3)
    ```
    """
    shape = tf.cast(tf.shape(image)[:2], tf.float32)
    scale = float(resize) / tf.reduce_min(shape)
    new_shape = tf.cast(tf.round(shape * scale), tf.int32)
    image = tf.image.resize(image, new_shape, method="bilinear")
    top = (new_shape[0] - size) // 2
    left = (new_shape[1] - size) // 2
    return tf.image.crop_to_bounding_box(image, top, left, size, size)


def image_transforms(
    *,
    policy: str,
    padding: int,
    augment: bool,
    mean: Sequence[float],
    std: Sequence[float],
    shape: tuple[int, ...],
) -> tuple[Transform, Transform]:
    """Builds the training and evaluation transforms of one dataset.

    Both scale uint8 images to `[0, 1]` (float images are taken as already
    in `[0, 1]`), apply the policy's geometry, then normalise per channel.

    Args:
        policy: `"crop_flip"`, `"crop"` or `"imagenet"` (see `ftk.data.spec.Preset`).
        padding: Zero padding before the random crop of `"crop*"` policies.
        augment: Whether the training transform augments; if not, it equals
            the evaluation transform.
        mean: Per-channel mean subtracted after scaling.
        std: Per-channel standard deviation divided by.
        shape: Static output shape `(height, width, channels)`.

    Returns:
        `(train_fn, eval_fn)`, each mapping `(image, seed)` to a float32 image;
        `eval_fn` ignores `seed`.

    Example:

    ```python
    train_fn, eval_fn = image_transforms(policy="crop_flip", padding=4, augment=True,
                                         mean=(0.5,) * 3, std=(0.25,) * 3, shape=(32, 32, 3))
    ```
    """
    mean_t = tf.constant(mean, tf.float32)
    std_t = tf.constant(std, tf.float32)

    def to_unit(image: tf.Tensor) -> tf.Tensor:
        unit = tf.cast(image, tf.float32)
        return unit / 255.0 if image.dtype == tf.uint8 else unit

    def finish(image: tf.Tensor) -> tf.Tensor:
        return tf.ensure_shape((image - mean_t) / std_t, shape)

    def eval_fn(image: tf.Tensor, seed: tf.Tensor | None = None) -> tf.Tensor:
        image = to_unit(image)
        if policy == "imagenet":
            image = resize_center_crop(image)
        return finish(image)

    def train_fn(image: tf.Tensor, seed: tf.Tensor | None = None) -> tf.Tensor:
        if not augment or seed is None:
            return eval_fn(image)
        image = to_unit(image)
        if policy == "imagenet":
            image = random_resized_crop(image, seed)
        else:
            image = pad_crop_flip(image, seed, padding=padding, flip=policy == "crop_flip")
        return finish(image)

    return train_fn, eval_fn
