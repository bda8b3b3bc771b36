"""Stochastic forward passes: one model with dropout seen as an ensemble (MC dropout)."""

from __future__ import annotations

import keras


@keras.saving.register_keras_serializable(package="ftk")
class AlwaysOnDropout(keras.layers.Dropout):
    """`keras.layers.Dropout` that drops at inference too (one stochastic pass).

    Only dropout is stochastic: the other layers of a pass (e.g.
    BatchNormalization) run as at inference.
    """

    def call(self, inputs, training=None):
        return super().call(inputs, training=True)


def dropout_passes(model: keras.Model, passes: int, seed: int = 0) -> list[keras.Model]:
    """Returns `passes` copies of `model` whose dropout stays on at inference.

    Each copy shares nothing with `model` but its weights' values, and draws
    its own dropout masks (seeded `seed + i`), so averaging their
    probabilities is Monte Carlo dropout (Gal & Ghahramani, 2016) and an
    `ftk.Ensemble` of them evaluates it like any ensemble.

    Args:
        model: a functional or Sequential model with `keras.layers.Dropout` layers.
        passes: the number of stochastic passes, >= 1.
        seed: seed of the first pass's dropout masks. Defaults to `0`.

    Returns:
        The `passes` models.

    Raises:
        ValueError: if `model` has no dropout layer (every pass would be the same).

    Example:

    ```python
    members = dropout_passes(model, passes=10, seed=0)
    probs = ftk.Ensemble(members).predict(x_test)
    ```
    """
    if not isinstance(passes, int) or passes < 1:
        raise ValueError(f"`passes` must be an integer >= 1. Received: passes={passes!r}")
    if not any(isinstance(layer, keras.layers.Dropout) for layer in _layers(model)):
        raise ValueError(
            f"Model '{model.name}' has no Dropout layer, so its stochastic passes would all be "
            "the same. Build it with dropout (e.g. the recipe's `model.dropout: 0.3`)."
        )
    return [_stochastic_copy(model, seed + i) for i in range(passes)]


def _stochastic_copy(model: keras.Model, seed: int) -> keras.Model:
    def clone(layer):
        config = layer.get_config()
        if isinstance(layer, keras.layers.Dropout):
            return AlwaysOnDropout.from_config({**config, "seed": seed + _hash(layer.name)})
        return layer.__class__.from_config(config)

    copy = keras.models.clone_model(model, clone_function=clone)
    copy.set_weights(model.get_weights())
    return copy


def _layers(model: keras.Model):
    for layer in model.layers:
        yield layer
        if isinstance(layer, keras.Model):
            yield from _layers(layer)


def _hash(name: str) -> int:
    """A stable small number per layer name, so two dropout layers draw different masks."""
    return sum((i + 1) * ord(c) for i, c in enumerate(name)) % 100_003 * 7919
