"""ERK on the real WRN-28-10: the model's kernels get the reference densities."""

import numpy as np

import ftk
from ftk.models import wide_resnet
from tests.sparse.test_density_distributions import reference_erk, wrn_28_10_shapes


def test_wrn_28_10_erk_densities_and_exact_counts():
    model = ftk.sparsify(wide_resnet(28, 10, num_classes=10), density=0.2, distribution="erk", seed=0)
    weights = ftk.sparse_weights(model)
    # The model's kernels are the shapes the reference was written for.
    shapes = wrn_28_10_shapes()
    assert sorted(w.shape for w in weights) == sorted(shapes.values())
    # An ERK density depends only on the shape.
    reference, _ = reference_erk(shapes, 0.2)
    by_shape = {shapes[name]: d for name, d in reference.items()}
    expected = [by_shape[w.shape] for w in weights]
    actual = [w.density() for w in weights]
    for w, a, e in zip(weights, actual, expected):
        assert abs(a - e) <= 0.5 / w.size + 1e-12, w.name  # exact count: round(e * size)
    assert sum(d == 1.0 for d in actual) == sum(d == 1.0 for d in expected) > 0
    total = sum(w.size for w in weights)
    assert abs(sum(w.active_count() for w in weights) - round(0.2 * total)) <= len(weights)
    for w in weights[:3]:  # exact zeros outside the mask (checked on a few, it is 36M weights)
        assert np.all(w.variable.numpy()[w.mask.numpy() == 0] == 0)
