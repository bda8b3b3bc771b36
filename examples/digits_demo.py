"""Dynamic sparse training in plain `model.fit`, on scikit-learn's digits.

Sparsifies a small MLP to 10% density with ERK, trains it with RigL-style
dynamic sparsity, and prints the test accuracy and the density of each layer.
Runs offline in well under a minute on a laptop CPU.

Usage:
    python examples/digits_demo.py
"""

import keras

import ftk
from ftk.data import load_data
from ftk.models import mlp


def main() -> None:
    keras.utils.set_random_seed(0)
    data = load_data("digits", batch_size=32, seed=0)
    base = mlp(hidden=(256, 256), num_classes=10, input_shape=data.info.input_shape, seed=0)
    model = ftk.sparsify(base, density=0.1, distribution="erk", seed=0)
    model.compile(
        optimizer=keras.optimizers.SGD(0.05, momentum=0.9),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"],
    )
    dst = ftk.DynamicSparsity(update_frequency=50, death_rate=0.3, death_rate_schedule="cosine",
                              growth="gradient", seed=0)
    model.fit(data.train, epochs=30, callbacks=[dst], shuffle=False, verbose=0)
    _, accuracy = model.evaluate(data.test, verbose=0)

    print(f"digits test accuracy: {accuracy:.4f}")
    print(f"overall density: {ftk.density(model):.4f}")
    print(f"topology updates: {len(dst.updates)}, last turnover {dst.updates[-1].turnover:.3f}")
    for name, density in ftk.layer_densities(model).items():
        print(f"  {name:<24} {density:.4f}")


if __name__ == "__main__":
    main()
