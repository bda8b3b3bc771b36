"""`build_model`: builds a model from its name, for configs and the CLI."""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable
from typing import Any

import keras

from ftk.models.lenet import lenet5, lenet_300_100
from ftk.models.mlp import mlp
from ftk.models.resnet_cifar import resnet18_cifar, resnet34_cifar, resnet50_cifar
from ftk.models.resnet_imagenet import resnet50_imagenet
from ftk.models.vgg import vgg16_bn
from ftk.models.wrn import wide_resnet

_BUILDERS: dict[str, Callable[..., keras.Model]] = {
    "resnet18": resnet18_cifar,
    "resnet34": resnet34_cifar,
    "resnet50": resnet50_cifar,
    "resnet50_imagenet": resnet50_imagenet,
    "vgg16_bn": vgg16_bn,
    "lenet5": lenet5,
    "lenet_300_100": lenet_300_100,
    "mlp": mlp,
}
_WRN_PATTERN = re.compile(r"wrn-(\d+)-(\d+)")
_APPLICATIONS_PREFIX = "keras.applications."

#: Names `build_model` accepts. Any `"wrn-{depth}-{width}"` (e.g. `"wrn-16-8"`)
#: and any `"keras.applications.{Name}"` (e.g. `"keras.applications.MobileNetV2"`)
#: are accepted too.
MODEL_NAMES: tuple[str, ...] = ("wrn-28-10", *_BUILDERS)


def build_model(
    name: str,
    *,
    num_classes: int,
    input_shape: tuple[int, ...],
    seed: int | None = None,
    **kwargs: Any,
) -> keras.Model:
    """Builds the model called `name`, with fresh (untrained) weights.

    Names are case-insensitive, except the `keras.applications` class name:

    - `"wrn-{depth}-{width}"`: `ftk.models.wide_resnet` (e.g. `"wrn-28-10"`).
    - `"resnet18"`, `"resnet34"`, `"resnet50"`: the CIFAR ResNets.
    - `"resnet50_imagenet"`: `ftk.models.resnet50_imagenet`.
    - `"vgg16_bn"`, `"lenet5"`, `"lenet_300_100"`, `"mlp"`.
    - `"keras.applications.{Name}"`: that Keras application, built with
      `weights=None`, `classes=num_classes`, `input_shape=input_shape` and
      `classifier_activation=None`. Applications take no seed: with a
      `seed`, `keras.utils.set_random_seed(seed)` seeds the global random
      generators before the build.

    Every ftk model returns logits.

    Args:
        name: Name of the model; see `ftk.models.MODEL_NAMES`.
        num_classes: Number of output classes.
        input_shape: Shape of one input example, channels last.
        seed: Seed of the initial weights; the same seed gives the same
            weights. `None` draws fresh weights. Defaults to `None`.
        **kwargs: Further arguments of the builder, e.g. `dropout` for
            `"wrn-28-10"` or `hidden` for `"mlp"`.

    Returns:
        A `keras.Model`.

    Raises:
        ValueError: if `name` is unknown or `num_classes` is not positive.

    Example:

    ```python
    model = ftk.models.build_model(
        "wrn-28-10", num_classes=100, input_shape=(32, 32, 3), seed=0
    )
    ```
    """
    if not isinstance(num_classes, int) or num_classes < 1:
        raise ValueError(
            f"`num_classes` must be a positive integer. Received: num_classes={num_classes!r}"
        )
    input_shape = tuple(input_shape)
    if isinstance(name, str) and name.startswith(_APPLICATIONS_PREFIX):
        application = _keras_application(name)
        if seed is not None:
            keras.utils.set_random_seed(seed)
        options = {"weights": None, "classifier_activation": None, **kwargs}
        return application(classes=num_classes, input_shape=input_shape, **options)
    key = name.strip().lower() if isinstance(name, str) else ""
    wrn = _WRN_PATTERN.fullmatch(key)
    if wrn is not None:
        depth, width = int(wrn.group(1)), int(wrn.group(2))
        return wide_resnet(
            depth=depth,
            width=width,
            num_classes=num_classes,
            input_shape=input_shape,
            seed=seed,
            **kwargs,
        )
    if key in _BUILDERS:
        return _BUILDERS[key](num_classes=num_classes, input_shape=input_shape, seed=seed, **kwargs)
    raise ValueError(
        "Unknown model `name`. Expected one of "
        f"{', '.join(repr(n) for n in MODEL_NAMES)}, any 'wrn-{{depth}}-{{width}}' "
        "or any 'keras.applications.{Name}' (e.g. 'keras.applications.MobileNetV2'). "
        f"Received: name={name!r}"
    )


def _keras_application(name: str) -> Callable[..., keras.Model]:
    attribute = name[len(_APPLICATIONS_PREFIX) :]
    application = getattr(keras.applications, attribute, None)
    if application is None or inspect.ismodule(application) or not callable(application):
        available = sorted(
            n for n, obj in vars(keras.applications).items() if n[:1].isupper() and callable(obj)
        )
        raise ValueError(
            "`name` must name a model builder of `keras.applications`, one of "
            f"{', '.join(available)}. "
            f"Received: name={name!r}"
        )
    return application
