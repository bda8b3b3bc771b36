"""FLOPs accounting for dense and sparse Keras models.

Parameter counts (masks excluded) are `ftk.parameter_count` and
`ftk.active_count` (`ftk/sparse/counts.py`).

Conventions (per example, batch excluded; one multiply-accumulate = 2 FLOPs),
read from the symbolic shapes of the built model; nested models are entered
and a shared layer counts once per call:

* Conv1D/2D/3D, DepthwiseConv1D/2D: `2 * prod(kernel.shape) * prod(output
  spatial dims)` (groups are in the kernel shape). Conv1D/2D/3DTranspose: the
  same over the input spatial dims. SeparableConv: depthwise + pointwise.
* Dense: `2 * kernel.size * prod(output.shape[:-1])`. EinsumDense:
  `2 * kernel.size * prod(every non-kernel axis of the equation)`.
* Kernel terms scale with the kernel's density (masks or `densities`).
* Never sparse, per output element: bias add 1, activation (in-layer or a
  layer) 1, BatchNormalization at inference 2 (scale + shift), Add and other
  merges `n_inputs - 1`, pooling `prod(pool_size)`; global pooling: 1 per
  input element.
* Other layers: 0. Those with weights ftk does not know (Embedding, a
  lookup, excepted) are listed with `skipped=True`.

Training: a step costs 3 forward passes (forward, backward to activations and
to weights): `3 f_S` with fixed or SET masks. RigL (`"gradient"` growth) adds
the dense weight gradient at update steps (`f_D - f_S` each); SNFS
(`"momentum"`) needs it every step (`2 f_S + f_D` per step).
"""

from ftk._lazy import lazy_attributes

__getattr__, __dir__ = lazy_attributes(__name__, {
    "LayerFlops": "ftk.flops.forward",
    "layer_flops": "ftk.flops.forward",
    "forward_flops": "ftk.flops.forward",
    "TrainingCost": "ftk.flops.training_cost",
    "training_flops": "ftk.flops.training_cost",
})

__all__ = ["LayerFlops", "TrainingCost", "forward_flops", "layer_flops", "training_flops"]
