"""Keras models used with ftk: WRN, ResNets, VGG, LeNets, MLPs, and a registry.

Every builder returns a plain functional `keras.Model` (standard Keras layers,
no regularizers) that outputs logits, and takes a `seed` for reproducible
initial weights.
"""

from ftk.models.lenet import lenet5, lenet_300_100
from ftk.models.mlp import mlp
from ftk.models.registry import MODEL_NAMES, build_model
from ftk.models.resnet_cifar import resnet18_cifar, resnet34_cifar, resnet50_cifar
from ftk.models.resnet_imagenet import resnet50_imagenet
from ftk.models.vgg import vgg16_bn
from ftk.models.wrn import wide_resnet

__all__ = [
    "MODEL_NAMES",
    "build_model",
    "lenet5",
    "lenet_300_100",
    "mlp",
    "resnet18_cifar",
    "resnet34_cifar",
    "resnet50_cifar",
    "resnet50_imagenet",
    "vgg16_bn",
    "wide_resnet",
]
