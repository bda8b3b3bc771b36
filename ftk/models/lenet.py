"""LeNet-5 and LeNet-300-100 (LeCun et al., 1998), for MNIST-sized inputs."""

from __future__ import annotations

import keras

from ftk.models._layers import dense, layer_seed
from ftk.models.mlp import mlp


def lenet5(
    num_classes: int = 10,
    input_shape: tuple[int, ...] = (28, 28, 1),
    seed: int | None = None,
    dropout: float = 0.0,
) -> keras.Model:
    """Builds LeNet-5 with ReLU activations and max-pooling.

    conv 6@5x5 ("same" padding) - max-pool 2 - conv 16@5x5 ("valid") -
    max-pool 2 - flatten - dense 120 - dense 84 - dense `num_classes`. The
    first convolution pads so that a 28x28 MNIST image yields the
    16x5x5 = 400 features of the original 32x32 design (61,706 parameters
    for 10 classes). Kernels use a Glorot uniform initializer, biases start at
    zero. The model returns logits.

    Args:
        num_classes: Number of output logits. Defaults to `10`.
        input_shape: Shape of one input image, channels last.
            Defaults to `(28, 28, 1)`.
        seed: Seed of the initializers; the same seed gives the same initial
            weights. `None` draws fresh weights. Defaults to `None`.
        dropout: Dropout rate after each hidden dense layer (e.g. for MC
            dropout). Defaults to `0.0`.

    Returns:
        A `keras.Model` named `lenet5`.

    Example:

    ```python
    model = ftk.models.lenet5(num_classes=10, seed=0)
    ```
    """
    if not 0.0 <= dropout < 1.0:
        raise ValueError(f"`dropout` must be in [0, 1). Received: dropout={dropout!r}")
    inputs = keras.Input(shape=input_shape, name="input")
    x = _conv(inputs, 6, "conv1", seed, padding="same")
    x = keras.layers.MaxPooling2D(2, name="pool1")(x)
    x = _conv(x, 16, "conv2", seed, padding="valid")
    x = keras.layers.MaxPooling2D(2, name="pool2")(x)
    x = keras.layers.Flatten(name="flatten")(x)
    for index, units in enumerate((120, 84), start=1):
        x = dense(x, units, f"dense{index}", seed, activation="relu")
        if dropout > 0.0:
            x = keras.layers.Dropout(
                dropout, seed=layer_seed(seed, f"dropout{index}"), name=f"dropout{index}"
            )(x)
    outputs = dense(x, num_classes, "predictions", seed)
    return keras.Model(inputs, outputs, name="lenet5")


def lenet_300_100(
    num_classes: int = 10,
    input_shape: tuple[int, ...] = (28, 28, 1),
    seed: int | None = None,
    dropout: float = 0.0,
) -> keras.Model:
    """Builds LeNet-300-100: flatten, dense 300, dense 100, dense `num_classes`.

    An `ftk.models.mlp` with `hidden=(300, 100)`: ReLU hidden layers, Glorot
    uniform kernels, zero biases, logits out. 266,610 parameters for
    784 inputs and 10 classes.

    Args:
        num_classes: Number of output logits. Defaults to `10`.
        input_shape: Shape of one input example; it is flattened.
            Defaults to `(28, 28, 1)`.
        seed: Seed of the initializers; the same seed gives the same initial
            weights. `None` draws fresh weights. Defaults to `None`.
        dropout: Dropout rate after each hidden dense layer (e.g. for MC
            dropout). Defaults to `0.0`.

    Returns:
        A `keras.Model` named `lenet_300_100`.

    Example:

    ```python
    model = ftk.models.lenet_300_100(seed=0)
    ```
    """
    return mlp(
        hidden=(300, 100),
        num_classes=num_classes,
        input_shape=input_shape,
        seed=seed,
        dropout=dropout,
        name="lenet_300_100",
    )


def _conv(
    x: keras.KerasTensor, filters: int, name: str, seed: int | None, padding: str
) -> keras.KerasTensor:
    """Applies a 5x5 ReLU `Conv2D` with seeded Glorot kernel and zero bias."""
    return keras.layers.Conv2D(
        filters,
        kernel_size=5,
        activation="relu",
        kernel_initializer=keras.initializers.GlorotUniform(seed=layer_seed(seed, name)),
        bias_initializer="zeros",
        name=name,
        padding=padding,
    )(x)
