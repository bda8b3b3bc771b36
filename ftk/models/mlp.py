"""A multilayer perceptron: flatten, ReLU `Dense` layers, linear classifier."""

from __future__ import annotations

from collections.abc import Sequence

import keras

from ftk.models._layers import dense, layer_seed


def mlp(
    hidden: Sequence[int] = (256, 256),
    num_classes: int = 10,
    input_shape: tuple[int, ...] = (28, 28, 1),
    dropout: float = 0.0,
    seed: int | None = None,
    name: str = "mlp",
) -> keras.Model:
    """Builds a multilayer perceptron with ReLU hidden layers.

    The input is flattened, then passes through one `Dense` + ReLU layer
    (`dense1`, `dense2`, ...) per entry of `hidden`, each followed by
    dropout when `dropout > 0`, and a linear `Dense(num_classes)` layer
    named `predictions`. Kernels use a Glorot uniform initializer, biases
    start at zero. The model returns logits.

    Args:
        hidden: Width of each hidden layer, input side first.
            Defaults to `(256, 256)`.
        num_classes: Number of output logits. Defaults to `10`.
        input_shape: Shape of one input example; it is flattened.
            Defaults to `(28, 28, 1)`.
        dropout: Dropout rate after each hidden layer. Defaults to `0.0`.
        seed: Seed of the initializers and dropout; the same seed gives the
            same initial weights. `None` draws fresh weights. Defaults to
            `None`.
        name: Name of the model. Defaults to `"mlp"`.

    Returns:
        A `keras.Model`.

    Example:

    ```python
    model = ftk.models.mlp(hidden=(512, 256), num_classes=10, seed=0)
    logits = model(np.zeros((8, 28, 28, 1)))  # (8, 10)
    ```
    """
    hidden = tuple(hidden)
    if not all(isinstance(units, int) and units > 0 for units in hidden):
        raise ValueError(
            f"`hidden` must be a sequence of positive integers. Received: hidden={hidden!r}"
        )
    if not 0.0 <= dropout < 1.0:
        raise ValueError(f"`dropout` must be in [0, 1). Received: dropout={dropout!r}")

    inputs = keras.Input(shape=input_shape, name="input")
    x = keras.layers.Flatten(name="flatten")(inputs)
    for index, units in enumerate(hidden, start=1):
        x = dense(x, units, f"dense{index}", seed, activation="relu")
        if dropout > 0.0:
            x = keras.layers.Dropout(
                dropout, seed=layer_seed(seed, f"dropout{index}"), name=f"dropout{index}"
            )(x)
    outputs = dense(x, num_classes, "predictions", seed)
    return keras.Model(inputs, outputs, name=name)

