"""Packed storage: mostly-zero arrays written to Keras weight files at the size of their non-zeros.

A masked kernel at density 0.2 is 80% zeros, its mask is 0s and 1s, and the
optimizer's slots of a sparse model are zero wherever the mask is. Keras
writes each of them as a dense array, so a sparse model's `.keras` file is
larger than the dense model's. `PackingStore` wraps the store Keras hands to
`save_own_variables` and writes each array that packing makes at least a
quarter smaller as three entries:

- `"<key>:nonzero"`: a bit per entry (`np.packbits`, C order), set where the
  entry is not zero (NaN counts as non-zero);
- `"<key>:values"`: the non-zero entries in C order, or the one value they
  all share (a mask's `1.0`);
- `"<key>:shape"`: the shape, as int64;
- `"<key>:negative_zeros"`, only for an array with `-0.0` entries: a bit per
  zero entry, set where it is `-0.0`, so that loading is exact to the bit.

`UnpackingStore` wraps the store given to `load_own_variables` and shows the
layer the original keys and arrays, bit for bit; files written before ftk
packed anything have only plain keys and load through it unchanged. Loading a
packed file needs the class that packed it (ftk's masked layers and
optimizers): `ftk.strip` or `Ensemble.to_keras()` make files that load with
Keras alone.

Example:

```python
class MyPrunableLayer(ftk.Prunable, keras.layers.Layer):
    def save_own_variables(self, store):
        super().save_own_variables(PackingStore(store))

    def load_own_variables(self, store):
        super().load_own_variables(UnpackingStore(store))
```
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

NONZERO, VALUES, SHAPE, NEGATIVE_ZEROS = ":nonzero", ":values", ":shape", ":negative_zeros"
_PARTS = (NONZERO, VALUES, SHAPE)

#: Arrays smaller than this are written as they are: three entries cost more than they save.
MIN_PACKED_BYTES = 1024
#: Pack only when the packed entries take at most this fraction of the array's bytes.
MAX_PACKED_FRACTION = 0.75


def pack(array: np.ndarray) -> dict[str, np.ndarray] | None:
    """Returns the packed entries of `array` by suffix, or `None` if packing does not pay.

    Args:
        array: a NumPy array of a numeric dtype.

    Returns:
        `{":nonzero": uint8 bits, ":values": non-zero entries, ":shape": int64}`
        (and `":negative_zeros"` where the array has `-0.0` entries), or
        `None` for small, dense or non-numeric arrays.
    """
    array = np.asarray(array)
    if array.dtype.kind not in "fiub" or array.dtype.itemsize not in (1, 2, 4, 8):
        return None
    if array.nbytes < MIN_PACKED_BYTES:
        return None
    flat = np.ascontiguousarray(array).reshape(-1)
    nonzero = flat != 0
    values = flat[nonzero]
    if values.size > 1 and _all_equal_bits(values):
        values = values[:1]
    packed = {
        NONZERO: np.packbits(nonzero),
        VALUES: values,
        SHAPE: np.asarray(array.shape, dtype=np.int64),
    }
    if array.dtype.kind == "f":
        negative = np.signbit(flat[~nonzero])
        if negative.any():
            packed[NEGATIVE_ZEROS] = np.packbits(negative)
    if sum(part.nbytes for part in packed.values()) > MAX_PACKED_FRACTION * array.nbytes:
        return None
    return packed


def unpack(
    nonzero: np.ndarray,
    values: np.ndarray,
    shape: np.ndarray,
    negative_zeros: np.ndarray | None = None,
) -> np.ndarray:
    """Rebuilds the array that `pack` packed.

    Args:
        nonzero: the `":nonzero"` bits.
        values: the `":values"` entries (one value when all non-zeros share it).
        shape: the `":shape"`.
        negative_zeros: the `":negative_zeros"` bits, if any.

    Returns:
        The original array, bit for bit, in the dtype of `values`.

    Raises:
        ValueError: if the parts do not fit together (a damaged file).
    """
    shape = tuple(int(d) for d in np.asarray(shape).reshape(-1))
    size = int(np.prod(shape, dtype=np.int64))
    values = np.asarray(values)
    bits = np.unpackbits(np.asarray(nonzero, dtype=np.uint8), count=size).astype(bool)
    count = int(np.count_nonzero(bits))
    if values.size not in ({count, 1} if count else {0, 1}):
        raise ValueError(
            f"Packed array of shape {shape} marks {count} non-zero entries but stores "
            f"{values.size} values: the file is damaged."
        )
    flat = np.zeros(size, dtype=values.dtype)
    flat[bits] = values
    if negative_zeros is not None:
        signs = np.unpackbits(np.asarray(negative_zeros, dtype=np.uint8), count=size - count).astype(bool)
        zeros = np.flatnonzero(~bits)
        flat[zeros[signs]] = -flat.dtype.type(0)
    return flat.reshape(shape)


class PackingStore:
    """Wraps a Keras weights store for `save_own_variables`: mostly-zero arrays are packed.

    Args:
        store: the store Keras passed to `save_own_variables`.
    """

    def __init__(self, store):
        self._store = store

    def __setitem__(self, key: str, value) -> None:
        array = _to_numpy(value)
        packed = pack(array)
        if packed is None:
            self._store[key] = array
            return
        for suffix, part in packed.items():
            self._store[key + suffix] = part

    def __getattr__(self, name):
        return getattr(self._store, name)


class UnpackingStore:
    """Wraps a Keras weights store for `load_own_variables`: shows packed arrays as written.

    `keys()`, `len()`, `in` and `[key]` see the original keys; a file without
    packed entries reads exactly as the wrapped store.

    Args:
        store: the store Keras passed to `load_own_variables`.
    """

    def __init__(self, store):
        self._store = store
        raw = list(store.keys())
        self._raw = set(raw)
        packed = {key[: -len(NONZERO)] for key in raw if key.endswith(NONZERO)}
        self._packed = {key for key in packed if all(key + part in raw for part in _PARTS)}
        parts = {key + part for key in self._packed for part in (*_PARTS, NEGATIVE_ZEROS)}
        self._keys = [key for key in raw if key not in parts] + sorted(
            self._packed, key=lambda k: (not k.isdigit(), int(k) if k.isdigit() else 0, k)
        )

    def keys(self) -> list[str]:
        return list(self._keys)

    def __len__(self) -> int:
        return len(self._keys)

    def __iter__(self) -> Iterator[str]:
        return iter(self._keys)

    def __contains__(self, key) -> bool:
        return key in self._keys

    def __getitem__(self, key: str):
        if key in self._packed:
            signs = self._store[key + NEGATIVE_ZEROS] if key + NEGATIVE_ZEROS in self._raw else None
            return unpack(*(self._store[key + part] for part in _PARTS), signs)
        return self._store[key]

    def __getattr__(self, name):
        return getattr(self._store, name)


def _all_equal_bits(values: np.ndarray) -> bool:
    bits = values.view(f"u{values.dtype.itemsize}")
    return bool(np.all(bits == bits[0]))


def _to_numpy(value) -> np.ndarray:
    if isinstance(value, np.ndarray):
        return value
    import keras  # Deferred: packing itself needs only NumPy.

    return np.asarray(keras.ops.convert_to_numpy(value))
