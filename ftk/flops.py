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

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterator, Mapping

import keras

from ftk.sparse.sparse_weight import iter_layers, sparse_weights

GROWTH_MODES = ("random", "gradient", "momentum")
PROTOCOLS = ("dense", "deep_ensemble", "static_ensemble", "dst_ensemble", "edst", "pf_ensemble")

_L = keras.layers
_CONV = (_L.Conv1D, _L.Conv2D, _L.Conv3D, _L.DepthwiseConv1D, _L.DepthwiseConv2D)
_CONV_T = (_L.Conv1DTranspose, _L.Conv2DTranspose, _L.Conv3DTranspose)
_SEPARABLE = (_L.SeparableConv1D, _L.SeparableConv2D)
_POOL = (_L.MaxPooling1D, _L.MaxPooling2D, _L.MaxPooling3D)
_POOL += (_L.AveragePooling1D, _L.AveragePooling2D, _L.AveragePooling3D)
_GLOBAL_POOL = (_L.GlobalMaxPooling1D, _L.GlobalMaxPooling2D, _L.GlobalMaxPooling3D)
_GLOBAL_POOL += (_L.GlobalAveragePooling1D, _L.GlobalAveragePooling2D, _L.GlobalAveragePooling3D)
_ACTIVATIONS = (_L.Activation, _L.ReLU, _L.LeakyReLU, _L.PReLU, _L.ELU, _L.Softmax)
_MERGE = (_L.Add, _L.Subtract, _L.Multiply, _L.Average, _L.Maximum, _L.Minimum)


@dataclasses.dataclass(frozen=True)
class LayerFlops:
    """Dense forward FLOPs of one term (kernel, bias, ...) of one layer call.

    `kind` is `"conv"`, `"conv_transpose"`, `"depthwise"`, `"pointwise"`,
    `"dense"`, `"einsum_dense"`, `"bias"`, `"activation"`, `"batch_norm"`,
    `"merge"`, `"pool"`, or the class name of a skipped layer. `weight` is
    the variable path of the kernel whose density scales the term, if any;
    `skipped` marks a layer with weights that is not counted (0 FLOPs).
    """

    name: str
    kind: str
    dense_flops: int
    weight: str | None = None
    skipped: bool = False


@dataclasses.dataclass(frozen=True)
class TrainingCost:
    """Cost of a training protocol next to one dense model trained as long."""

    train_flops: float
    inference_flops: float
    nonzero_params: float
    dense_train_flops: float
    dense_inference_flops: float
    dense_params: int

    @property
    def train_flops_ratio(self) -> float:
        """Training FLOPs relative to one dense run (`nan` if that is 0)."""
        return _ratio(self.train_flops, self.dense_train_flops)

    @property
    def inference_flops_ratio(self) -> float:
        return _ratio(self.inference_flops, self.dense_inference_flops)

    @property
    def params_ratio(self) -> float:
        return _ratio(self.nonzero_params, self.dense_params)


def layer_flops(model: keras.Model) -> list[LayerFlops]:
    """Lists the dense forward FLOPs of every layer call of `model`.

    Args:
        model: A functional or Sequential model built on a `keras.Input`
            whose dimensions (but the batch) are known.

    Returns:
        A list of `LayerFlops`, in layer order; several per layer call when
        it has, e.g., a kernel, a bias and an activation. Layers with no
        FLOPs are left out.

    Raises:
        ValueError: If a counted shape has an unknown dimension, or a layer
            with weights was never called on symbolic inputs.
    """
    terms: list[LayerFlops] = []
    for layer in iter_layers(model):
        nodes = getattr(layer, "_inbound_nodes", [])
        if layer.weights and not nodes:
            raise ValueError(f"Layer '{layer.name}' was never called on a keras.Input.")
        for node in nodes:
            ins = [tuple(t.shape) for t in node.input_tensors]
            terms.extend(_layer_terms(layer, ins, tuple(node.output_tensors[0].shape)))
    return terms


def forward_flops(model: keras.Model, densities: Mapping[str, float] | None = None) -> float:
    """Returns the forward FLOPs per example of `model`, sparse kernels included.

    Args:
        model: A built functional or Sequential model, dense or sparse.
        densities: Kernel variable path (as in `ftk.layer_densities`) to
            density in [0, 1]; kernels not listed are dense. `None` reads the
            densities from the model's masks (a dense model stays dense).

    Returns:
        FLOPs (2 per multiply-accumulate) of one example's forward pass.

    Raises:
        ValueError: For a density outside [0, 1] or a path that is not one of
            the model's variables.

    Example:

    ```python
    model = ftk.models.build_model("wrn-28-10", num_classes=10, input_shape=(32, 32, 3))
    ftk.flops.forward_flops(model)  # 10_494_775_818.0
    ftk.flops.forward_flops(ftk.sparsify(model, 0.2))  # ERK: sparse kernels, dense rest
    ```
    """
    dens = _densities(model, densities)
    return float(sum(t.dense_flops * dens.get(t.weight, 1.0) for t in layer_flops(model)))


def training_flops(
    forward_sparse: float,
    forward_dense: float,
    steps: int,
    update_steps: int = 0,
    growth: str | None = None,
) -> float:
    """Returns the FLOPs of training one model for `steps` steps (per example).

    Args:
        forward_sparse: Forward FLOPs `f_S` of the (sparse) model.
        forward_dense: Forward FLOPs `f_D` of its dense counterpart.
        steps: Training steps.
        update_steps: Topology updates among `steps` (used by `"gradient"`).
        growth: `None` or `"random"` (static masks, SET): `3 f_S` per step;
            `"gradient"` (RigL): plus `f_D - f_S` per update step;
            `"momentum"` (SNFS): `2 f_S + f_D` per step. For a dense model
            pass `forward_sparse == forward_dense`.

    Returns:
        Training FLOPs per example.

    Raises:
        ValueError: For an unknown `growth` or inconsistent step counts.

    Example:

    ```python
    ftk.flops.training_flops(10.0, 50.0, steps=100, update_steps=10, growth="gradient")
    # 3 * 10 * 100 + (50 - 10) * 10 = 3400.0
    ```
    """
    if growth is not None and growth not in GROWTH_MODES:
        raise ValueError(f"`growth` must be None or one of {GROWTH_MODES}. Received: {growth!r}")
    if not 0 <= update_steps <= steps:
        raise ValueError(f"Need 0 <= update_steps <= steps. Received: {update_steps}, {steps}")
    if growth == "momentum":
        return float((2 * forward_sparse + forward_dense) * steps)
    extra = (forward_dense - forward_sparse) * update_steps if growth == "gradient" else 0.0
    return float(3 * forward_sparse * steps + extra)


def protocol_cost(
    protocol: str,
    *,
    forward_sparse: float,
    forward_dense: float,
    params_sparse: float,
    params_dense: int,
    members: int,
    epochs: int,
    steps_per_epoch: int,
    update_frequency: int | None = None,
    growth: str | None = None,
    explore_epochs: int | None = None,
    finetune_epochs: int | None = None,
    batch_size: int = 1,
) -> TrainingCost:
    """Returns the training and inference cost of an ensemble protocol.

    Args:
        protocol: `"dense"`, `"deep_ensemble"` (M dense runs),
            `"static_ensemble"` (M fixed masks), `"dst_ensemble"` (M DST
            runs), `"edst"` (ONE DST run of `epochs`, exploration included;
            the M - 1 later phases start with a large jump) or
            `"pf_ensemble"` (M x dense training, pruning, sparse fine-tuning).
        forward_sparse, forward_dense: Forward FLOPs `f_S` of one sparse
            member and `f_D` of the dense model (`forward_flops`).
        params_sparse, params_dense: Their active parameters
            (`ftk.active_count`: non-zero trainable weights, masks excluded).
        members: Ensemble size `M`.
        epochs, steps_per_epoch: `E` (per member; of the EDST run) and `S`.
        update_frequency: Steps between topology updates (DST protocols;
            required with `"gradient"` growth).
        growth: `"random"`, `"gradient"` or `"momentum"` (DST protocols).
        explore_epochs: EDST exploration epochs, part of `epochs`; only
            checked to lie in `[0, epochs]`.
        finetune_epochs: Sparse fine-tuning epochs of `"pf_ensemble"`.
        batch_size: Examples per step: training FLOPs count every example of
            every step (the dense gradient of an update step too). Defaults
            to `1` (FLOPs per example and step).

    Returns:
        A `TrainingCost`; its `dense_*` fields are one dense model trained for
        `epochs` epochs.

    Raises:
        ValueError: For an unknown protocol or a missing/invalid argument.

    Example:

    ```python
    cost = ftk.flops.protocol_cost(
        "edst", forward_sparse=2.1e9, forward_dense=10.5e9, params_sparse=7.3e6,
        params_dense=36_479_194, members=3, epochs=450, steps_per_epoch=391,
        update_frequency=1000, growth="gradient",
    )
    cost.train_flops_ratio  # one EDST run vs one dense run of the same length
    ```
    """
    if protocol not in PROTOCOLS:
        raise ValueError(f"`protocol` must be one of {PROTOCOLS}. Received: {protocol!r}")
    if members < 1 or epochs < 0 or steps_per_epoch < 0:
        raise ValueError("Need members >= 1, epochs >= 0 and steps_per_epoch >= 0.")
    if explore_epochs is not None and not 0 <= explore_epochs <= epochs:
        raise ValueError(f"`explore_epochs` must be in [0, epochs]. Received: {explore_epochs!r}")
    steps = epochs * steps_per_epoch
    dense_train = training_flops(forward_dense, forward_dense, steps)
    m = members
    if protocol in ("dst_ensemble", "edst"):
        if growth is None or (growth == "gradient" and not update_frequency):
            raise ValueError(f"'{protocol}' needs `growth`, and `update_frequency` for 'gradient'.")
        updates = steps // update_frequency if update_frequency else 0
        run = training_flops(forward_sparse, forward_dense, steps, updates, growth)
        if protocol == "edst" and growth == "gradient":
            run += (m - 1) * (forward_dense - forward_sparse)
        train = run * (m if protocol == "dst_ensemble" else 1)
    elif protocol == "pf_ensemble":
        if finetune_epochs is None or finetune_epochs < 0:
            raise ValueError("'pf_ensemble' needs `finetune_epochs` >= 0.")
        finetune = training_flops(forward_sparse, forward_dense, finetune_epochs * steps_per_epoch)
        train = m * (dense_train + finetune)
    elif protocol == "static_ensemble":
        train = m * training_flops(forward_sparse, forward_dense, steps)
    else:
        train = dense_train * (1 if protocol == "dense" else m)
    dense_like = protocol in ("dense", "deep_ensemble")
    count = 1 if protocol == "dense" else m
    return TrainingCost(
        train_flops=float(train * batch_size),
        inference_flops=float(count * (forward_dense if dense_like else forward_sparse)),
        nonzero_params=float(count * (params_dense if dense_like else params_sparse)),
        dense_train_flops=float(dense_train * batch_size),
        dense_inference_flops=float(forward_dense),
        dense_params=int(params_dense),
    )


def _layer_terms(layer: keras.layers.Layer, ins: list[tuple], out: tuple) -> Iterator[LayerFlops]:
    """Yields the FLOPs terms of one call of `layer` (full shapes, batch first)."""
    name = layer.name

    def n_out() -> int:  # only for layers that count per output element
        return _prod(out[1:], layer)

    if isinstance(layer, (*_CONV, *_CONV_T, *_SEPARABLE)):
        shape = ins[0] if isinstance(layer, _CONV_T) else out
        spatial = shape[1:-1] if layer.data_format == "channels_last" else shape[2:]
        positions = _prod(spatial, layer)
        if isinstance(layer, _SEPARABLE):
            kernels = [("depthwise", layer.depthwise_kernel), ("pointwise", layer.pointwise_kernel)]
        else:
            kind = "conv_transpose" if isinstance(layer, _CONV_T) else "conv"
            kernels = [(kind, _kernel(layer))]
    elif isinstance(layer, _L.Dense):
        kernels, positions = [("dense", _kernel(layer))], _prod(out[1:-1], layer)
    elif isinstance(layer, _L.EinsumDense):
        kernels = [("einsum_dense", _kernel(layer))]
        positions = _einsum_positions(layer, ins[0], out)
    else:
        kernels, positions = [], 0
    for kind, kernel in kernels:
        size = math.prod(int(d) for d in kernel.shape)
        yield LayerFlops(name, kind, 2 * size * positions, kernel.path)
    if kernels and getattr(layer, "bias", None) is not None:
        yield LayerFlops(name, "bias", n_out())
    activation = getattr(layer, "activation", None)
    if isinstance(layer, _ACTIVATIONS) or (kernels and activation is not None):
        if getattr(activation, "__name__", None) != "linear":
            yield LayerFlops(name, "activation", n_out())
    elif isinstance(layer, _L.BatchNormalization):
        yield LayerFlops(name, "batch_norm", 2 * n_out())
    elif isinstance(layer, _MERGE):
        yield LayerFlops(name, "merge", (len(ins) - 1) * n_out())
    elif isinstance(layer, _POOL):
        yield LayerFlops(name, "pool", math.prod(layer.pool_size) * n_out())
    elif isinstance(layer, _GLOBAL_POOL):
        yield LayerFlops(name, "pool", _prod(ins[0][1:], layer))
    elif not kernels and layer.weights and not isinstance(layer, _L.Embedding):
        yield LayerFlops(name, type(layer).__name__, 0, skipped=True)


def _einsum_positions(layer: keras.layers.EinsumDense, in_shape: tuple, out: tuple) -> int:
    """Product of the non-kernel dims of the equation: MACs per kernel entry."""
    lhs, output = layer.equation.split("->")
    inputs, kernel = lhs.split(",")
    dims: dict[str, int | None] = {}
    positions = 1
    for is_output, spec, shape in ((True, output, out), (False, inputs, in_shape)):
        shape = (1, *shape[1:])  # the batch axis is always the first one
        head, _, tail = spec.partition("...")
        stop = len(shape) - len(tail)
        dims.update(zip(head + tail, shape[: len(head)] + shape[stop:], strict=True))
        if is_output and "..." in spec:
            positions *= _prod(shape[len(head) : stop], layer)
    return positions * _prod([d for k, d in dims.items() if k not in kernel], layer)


def _kernel(layer: keras.layers.Layer) -> keras.Variable:
    """The kernel variable (`_kernel` in Keras' Dense/Conv, else `kernel`)."""
    kernel = getattr(layer, "_kernel", None)
    return kernel if isinstance(kernel, keras.Variable) else layer.kernel


def _prod(dims: tuple | list, layer: keras.layers.Layer) -> int:
    if any(d is None for d in dims):
        raise ValueError(f"Layer '{layer.name}' has an unknown dimension: {tuple(dims)}.")
    return math.prod(int(d) for d in dims)


def _densities(model: keras.Model, densities: Mapping[str, float] | None) -> dict[str, float]:
    if densities is None:
        return {w.name: w.density() for w in sparse_weights(model)}
    unknown = set(densities) - {v.path for v in model.weights}
    if unknown:
        raise ValueError(f"`densities` has paths that are not in the model: {sorted(unknown)}")
    if any(not 0.0 <= d <= 1.0 for d in densities.values()):
        raise ValueError("Every density must be in [0, 1].")
    return {k: float(v) for k, v in densities.items()}


def _ratio(value: float, reference: float) -> float:
    return value / reference if reference else math.nan
