"""Dynamic sparse training in a hand-written `tf.GradientTape` loop, on digits.

The loop computes its own gradients and applies them with its own optimizer;
`DynamicSparsity` only needs `attach(model, optimizer)` once and
`after_step()` after every optimizer step. With `growth="gradient"` (RigL)
the masked layers record the dense gradient in the steps that end on an
update, inside the loop's own `tf.function`. Runs offline in seconds.

Usage:
    python examples/custom_loop.py
"""

import keras
import numpy as np
import tensorflow as tf

import ftk
from ftk.data import load_data
from ftk.models import mlp

EPOCHS = 20


def main() -> None:
    keras.utils.set_random_seed(0)
    data = load_data("digits", batch_size=32, seed=0)
    base = mlp(hidden=(256, 256), num_classes=10, input_shape=data.info.input_shape, seed=0)
    model = ftk.sparsify(base, density=0.1, distribution="erk", seed=0)
    optimizer = keras.optimizers.SGD(0.05, momentum=0.9)
    loss_fn = keras.losses.SparseCategoricalCrossentropy(from_logits=True)

    dst = ftk.DynamicSparsity(update_frequency=50, death_rate=0.3, growth="gradient", seed=0)
    dst.attach(model, optimizer, total_steps=EPOCHS * data.steps_per_epoch)  # before the first trace

    @tf.function
    def train_step(x, y):
        with tf.GradientTape() as tape:
            loss = loss_fn(y, model(x, training=True))
        grads = tape.gradient(loss, model.trainable_variables)
        optimizer.apply(grads, model.trainable_variables)
        return loss

    for _ in range(EPOCHS):
        for x, y in data.train:
            train_step(x, y)
            dst.after_step()  # a topology update when one is due

    correct = total = 0
    for x, y in data.test:
        correct += int(np.sum(np.argmax(model(x), axis=-1) == y.numpy()))
        total += len(y)
    print(f"digits test accuracy: {correct / total:.4f}")
    print(f"overall density: {ftk.density(model):.4f}")
    print(f"optimizer steps: {int(optimizer.iterations.numpy())}, topology updates: {len(dst.updates)}, "
          f"last turnover {dst.updates[-1].turnover:.3f}")


if __name__ == "__main__":
    main()
