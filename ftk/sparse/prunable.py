"""The `Prunable` mixin: mask variables for a layer's prunable weights."""

from __future__ import annotations

import contextlib
import functools
from typing import ClassVar

import keras

from ftk.sparse.gradient_tap import GradientTap, masked_weight
from ftk.sparse.packed_storage import PackingStore, UnpackingStore


class Prunable:
    """Mixin that gives a Keras layer one mask variable per prunable weight.

    The forward pass uses `weight * mask`, so the gradient of a masked-out
    entry is exactly zero. Masks are non-trainable variables created in
    `build()`, initialised to ones (dense), saved in `.keras` files and
    checkpoints with the other weights. They change only from outside the
    training step (`ftk.sparsify`, `ftk.DynamicSparsity`).

    Saved, the layer is as small as it is sparse: each mostly-zero variable
    (the masked kernel, its mask) is written as a bit per entry plus its
    non-zero values (`ftk.sparse.packed_storage`), and read back bit for bit.
    Files of earlier ftk versions (dense kernel and float mask) still load.

    A layer opts in by inheriting from `Prunable` first and listing, in
    `prunable_weights`, the attributes that hold its prunable variables. The
    mask of attribute `kernel` (or `_kernel`) is the variable `kernel_mask`.

    Example:

    ```python
    @keras.saving.register_keras_serializable()
    class MyDense(ftk.Prunable, keras.layers.Layer):
        prunable_weights = ("kernel",)

        def build(self, input_shape):
            self.kernel = self.add_weight(shape=(input_shape[-1], 8))

        def call(self, x):
            return x @ self.kernel
    ```
    """

    prunable_weights: ClassVar[tuple[str, ...]] = ()

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        for method, wrap in (("build", _build_with_masks), ("call", _masked_call)):
            original = getattr(cls, method, None)
            if original is not None and not getattr(original, "_ftk_wrapped", False):
                setattr(cls, method, wrap(original))

    def _add_masks(self) -> None:
        for attr in self.prunable_weights:
            if hasattr(self, mask_name(attr)):
                continue
            variable = getattr(self, attr)
            mask = self.add_weight(
                name=mask_name(attr),
                shape=variable.shape,
                initializer="ones",
                trainable=False,
                dtype=variable.dtype,
            )
            setattr(self, mask_name(attr), mask)

    @property
    def masks(self) -> dict[str, keras.Variable]:
        """Maps each prunable attribute name to its mask variable."""
        return {attr: getattr(self, mask_name(attr)) for attr in self.prunable_weights}

    def prunable_variable(self, attr: str) -> keras.Variable:
        """Returns the variable held by prunable attribute `attr`."""
        return getattr(self, attr)

    def set_gradient_tap(self, attr: str, tap: GradientTap | None) -> None:
        """Installs (or removes, with `None`) the dense-gradient tap of `attr`."""
        taps = dict(getattr(self, "_ftk_taps", {}))
        if tap is None:
            taps.pop(attr, None)
        else:
            taps[attr] = tap
        object.__setattr__(self, "_ftk_taps", taps)

    @contextlib.contextmanager
    def _masked_weights(self):
        """Temporarily replaces each prunable variable by `variable * mask`."""
        if getattr(self, "_ftk_in_masked_call", False):
            yield
            return
        taps = getattr(self, "_ftk_taps", {})
        originals = {attr: getattr(self, attr) for attr in self.prunable_weights}
        # `object.__setattr__` keeps Keras' variable tracking out of the swap.
        object.__setattr__(self, "_ftk_in_masked_call", True)
        try:
            for attr, variable in originals.items():
                masked = masked_weight(variable, self.masks[attr], taps.get(attr))
                object.__setattr__(self, attr, masked)
            yield
        finally:
            for attr, variable in originals.items():
                object.__setattr__(self, attr, variable)
            object.__setattr__(self, "_ftk_in_masked_call", False)

    def save_own_variables(self, store):
        store = PackingStore(store)
        super().save_own_variables(store)
        if not _parent_saves_all_variables(type(self)):
            for attr, mask in self.masks.items():
                store[mask_name(attr)] = mask

    def load_own_variables(self, store):
        store = UnpackingStore(store)
        if not _parent_saves_all_variables(type(self)):
            for attr, mask in self.masks.items():
                if mask_name(attr) in store:
                    mask.assign(store[mask_name(attr)])
        super().load_own_variables(store)


def mask_name(attr: str) -> str:
    """Returns the name of the mask of prunable attribute `attr`."""
    return f"{attr.lstrip('_')}_mask"


def _build_with_masks(build):
    @functools.wraps(build)
    def build_with_masks(self, *args, **kwargs):
        build(self, *args, **kwargs)
        self._add_masks()

    build_with_masks._ftk_wrapped = True
    # Keras skips a `build` marked default; this one always adds the masks.
    build_with_masks.__dict__.pop("_is_default", None)
    return build_with_masks


def _masked_call(call):
    @functools.wraps(call)
    def masked_call(self, *args, **kwargs):
        with self._masked_weights():
            return call(self, *args, **kwargs)

    masked_call._ftk_wrapped = True
    return masked_call


@functools.cache
def _parent_saves_all_variables(cls: type) -> bool:
    """Whether the layer below `Prunable` saves every variable by index.

    `keras.layers.Layer.save_own_variables` writes all variables, masks
    included. Layers with quantization support (Dense, Conv, EinsumDense,
    Embedding) write only their own named variables, so the masks are written
    under their own keys.
    """
    mro = cls.__mro__
    for klass in mro[mro.index(Prunable) + 1 :]:
        if "save_own_variables" in vars(klass):
            return klass is keras.layers.Layer
    return True
