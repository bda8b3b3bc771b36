"""The general sections of a recipe: `model`, `data`, `training` and `run`.

One frozen pydantic model per section; unknown keys are errors. Defaults are
the paper's CIFAR settings (250 epochs, SGD at lr 0.1 with momentum 0.9, weight
decay 5e-4, step decay x0.1 at 50% and 75% of training). Pure configuration:
nothing here imports TensorFlow or Keras. The protocol-specific sections live
in `ftk.recipes.shared_sections`.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, model_validator

from ftk.recipes._types import (
    Bool,
    Count,
    EpochCount,
    Epochs,
    Fraction,
    Fractions,
    NonNegative,
    OptionalBool,
    OptionalPositiveCount,
    OptionalText,
    Positive,
    PositiveCount,
    Text,
    TextList,
    UnitFraction,
    fail_rules,
    one_of,
)
from ftk.recipes.catalog import FILE_DATASETS, DatasetName, ModelName

_STRICT = ConfigDict(extra="forbid", frozen=True)

Optimizer = Literal["sgd", "adam", "adamw"]
LrSchedule = Literal["constant", "step", "cosine"]
Strategy = Literal["default", "mirrored", "multi_worker"]


class ModelConfig(BaseModel):
    """The network, as `ftk.models.build_model` builds it.

    Attributes:
        name: Model name, e.g. `"wrn-28-10"`, `"resnet50_imagenet"`, `"mlp"`;
            see `ftk.recipes.catalog.MODEL_NAMES`.
        dropout: Dropout rate in `[0, 1)`. Defaults to `0.0`.
    """

    model_config = _STRICT
    name: ModelName
    dropout: Fraction = 0.0


class DataConfig(BaseModel):
    """The dataset; arguments of `ftk.data.load_data`.

    Attributes:
        name: Dataset name, e.g. `"cifar10"`, `"imagenet2012"`, `"digits"`;
            see `ftk.recipes.catalog.DATASET_NAMES`.
        batch_size: Training batch size. Defaults to `128`.
        eval_batch_size: Evaluation batch size; `None` uses `batch_size`.
        validation_split: Fraction of the training set held out, in `[0, 1)`.
            Defaults to `0.0`.
        augment: Augment training data; `None` uses the dataset's default.
        data_dir: TFDS data folder, or `None`. Defaults to `None`.
        path: Folder or file of local data: required by the file datasets
            (`npz`, `cifar_pickle`, `mnist_idx`, `mnist_pkl`), refused by the
            others. Defaults to `None`.
        limit: Use at most this many examples per split, or `None` (all).
    """

    model_config = _STRICT
    name: DatasetName
    batch_size: PositiveCount = 128
    eval_batch_size: OptionalPositiveCount = None
    validation_split: Fraction = 0.0
    augment: OptionalBool = None
    data_dir: OptionalText = None
    path: OptionalText = None
    limit: OptionalPositiveCount = None

    @model_validator(mode="after")
    def _check_path(self) -> DataConfig:
        files = ", ".join(map(repr, FILE_DATASETS))
        if self.name in FILE_DATASETS and self.path is None:
            fail_rules([("path", f"required by dataset {self.name!r}: the folder or file to read")])
        if self.name not in FILE_DATASETS and self.path is not None:
            message = (
                f"only read by the file datasets {files}, not by {self.name!r} "
                f"(TFDS datasets read data.data_dir); received {self.path!r}"
            )
            fail_rules([("path", message)])
        return self


class TrainingConfig(BaseModel):
    """Optimizer and learning-rate schedule of one member run.

    Attributes:
        epochs: Epochs of one member run (for `edst`, of the whole run).
            Defaults to `250`.
        optimizer: `"sgd"`, `"adam"` or `"adamw"`. Defaults to `"sgd"`.
        lr: Initial learning rate. Defaults to `0.1`.
        momentum: SGD momentum in `[0, 1)`. Defaults to `0.9`.
        nesterov: Nesterov momentum. Defaults to `False`.
        weight_decay: L2 coefficient added to the gradient (PyTorch style).
            Defaults to `5e-4`.
        weight_decay_exclude: Variable-name substrings with no decay, e.g.
            `("gamma", "beta")`. Defaults to `()`.
        lr_schedule: `"constant"`, `"step"` or `"cosine"`; `edst` has its own
            per-phase schedule. Defaults to `"step"`.
        lr_milestones: Step-decay points as fractions of `epochs`.
            Defaults to `(0.5, 0.75)`.
        lr_gamma: Step-decay factor in `(0, 1]`. Defaults to `0.1`.
        warmup_epochs: Linear warm-up epochs, `< epochs`. Defaults to `0`.
        label_smoothing: In `[0, 1)`. Defaults to `0.0`.
        steps_per_execution: Keras `steps_per_execution`. Defaults to `1`.
        jit_compile: Keras `jit_compile`. Defaults to `False`.
    """

    model_config = _STRICT
    epochs: Epochs = 250
    optimizer: Annotated[Optimizer, one_of(Optimizer)] = "sgd"
    lr: Positive = 0.1
    momentum: Fraction = 0.9
    nesterov: Bool = False
    weight_decay: NonNegative = 5e-4
    weight_decay_exclude: TextList = ()
    lr_schedule: Annotated[LrSchedule, one_of(LrSchedule)] = "step"
    lr_milestones: Fractions = (0.5, 0.75)
    lr_gamma: UnitFraction = 0.1
    warmup_epochs: EpochCount = 0
    label_smoothing: Fraction = 0.0
    steps_per_execution: PositiveCount = 1
    jit_compile: Bool = False

    @model_validator(mode="after")
    def _check_warmup(self) -> TrainingConfig:
        if self.warmup_epochs >= self.epochs:
            fail_rules(
                [
                    (
                        "warmup_epochs",
                        f"must be less than training.epochs ({self.epochs}); "
                        f"received {self.warmup_epochs}",
                    )
                ]
            )
        return self


class RunConfig(BaseModel):
    """Where and how the run is recorded.

    Attributes:
        root: Folder that holds run folders. Defaults to `"runs"`.
        checkpoint_every: Epochs between checkpoints. Defaults to `1`.
        tensorboard: Write TensorBoard logs. Defaults to `True`.
        deterministic: Enable TensorFlow op determinism. Defaults to `False`.
        record_every: Epochs between recordings of the predictions on a fixed
            test subset (for `ftk eval --mode tsne`); 0 records nothing.
            Defaults to `0`.
        record_examples: Size of that subset. Defaults to `500`.
        strategy: `"default"` (one device), `"mirrored"`
            (`tf.distribute.MirroredStrategy` over all GPUs, or all logical
            CPUs when there is no GPU) or `"multi_worker"`
            (`tf.distribute.MultiWorkerMirroredStrategy`: one `ftk run` per
            worker, each with its own `TF_CONFIG`; worker 0 writes the run
            folder). Defaults to `"default"`.
    """

    model_config = _STRICT
    root: Text = "runs"
    checkpoint_every: PositiveCount = 1
    tensorboard: Bool = True
    deterministic: Bool = False
    record_every: Count = 0
    record_examples: PositiveCount = 500
    strategy: Annotated[Strategy, one_of(Strategy)] = "default"
