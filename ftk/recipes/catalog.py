"""The model and dataset names a recipe may use, known without importing TensorFlow.

`ftk.models.build_model` and `ftk.data.load_data` own these names; the lists
here let a recipe be checked before either is imported, and a test keeps them
equal to `ftk.models.MODEL_NAMES` and `ftk.data.DATASET_NAMES`.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import PlainValidator

from ftk.recipes._types import fail, show, suggest

#: Names `ftk.models.build_model` knows (case-insensitive), besides the patterns below.
MODEL_NAMES: tuple[str, ...] = (
    "wrn-28-10",
    "resnet18",
    "resnet34",
    "resnet50",
    "resnet50_imagenet",
    "vgg16_bn",
    "lenet5",
    "lenet_300_100",
    "mlp",
)
#: Datasets read from the files at `data.path`.
FILE_DATASETS: tuple[str, ...] = ("npz", "cifar_pickle", "mnist_idx", "mnist_pkl")
#: Names `ftk.data.load_data` knows (case-sensitive).
DATASET_NAMES: tuple[str, ...] = (
    "cifar10",
    "cifar100",
    "svhn_cropped",
    "mnist",
    "fashion_mnist",
    "imagenet2012",
    *FILE_DATASETS,
    "digits",
    "synthetic",
)

_WRN = re.compile(r"wrn-(\d{1,4})-(\d{1,4})")
_APPLICATIONS = "keras.applications."
_MODEL_FORMS = (
    f"one of {', '.join(map(repr, MODEL_NAMES))}, 'wrn-{{depth}}-{{width}}' "
    "or 'keras.applications.{Name}'"
)


def _model_name(value: Any) -> str:
    if not isinstance(value, str):
        fail(f"must be a model name, {_MODEL_FORMS}; received {show(value)}")
    if value.startswith(_APPLICATIONS):
        if not value[len(_APPLICATIONS) :].isidentifier():
            example = "'keras.applications.MobileNetV2'"
            fail(f"must name a class, e.g. {example}; received {show(value)}")
        return value  # the class itself is looked up when the model is built
    key = value.strip().lower()
    wrn = _WRN.fullmatch(key)
    if wrn is not None:
        depth, width = int(wrn.group(1)), int(wrn.group(2))
        if depth < 10 or (depth - 4) % 6 or width < 1:
            fail(
                "a Wide ResNet 'wrn-{depth}-{width}' needs depth >= 10 with (depth - 4) % 6 == 0 "
                f"(10, 16, 22, 28, 40) and width >= 1; received {show(value)}"
            )
        return value
    if key not in MODEL_NAMES:
        hint = suggest(key, MODEL_NAMES)
        fail(f"unknown model; expected {_MODEL_FORMS}; received {show(value)}{hint}")
    return value


def _dataset_name(value: Any) -> str:
    if not isinstance(value, str) or value not in DATASET_NAMES:
        hint = suggest(value, DATASET_NAMES) if isinstance(value, str) else ""
        names = ", ".join(map(repr, DATASET_NAMES))
        fail(f"unknown dataset; expected one of {names}; received {show(value)}{hint}")
    return value


ModelName = Annotated[str, PlainValidator(_model_name)]
DatasetName = Annotated[str, PlainValidator(_dataset_name)]
