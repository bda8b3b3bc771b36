"""Forward FLOPs of a Keras model, layer by layer (conventions: `ftk.flops`)."""


from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterator, Mapping

import keras

from ftk.sparse.sparse_weight import iter_layers, sparse_weights


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
