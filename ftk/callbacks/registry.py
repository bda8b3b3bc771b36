"""Lets ftk callbacks in one `fit` find each other through their model."""

from __future__ import annotations

import weakref

import keras

_CALLBACKS: "weakref.WeakKeyDictionary[keras.Model, list]" = weakref.WeakKeyDictionary()


def register(model: keras.Model, callback: keras.callbacks.Callback) -> None:
    """Records that `callback` acts on `model` (called from `set_model`)."""
    callbacks = _CALLBACKS.setdefault(model, [])
    if callback not in callbacks:
        callbacks.append(callback)


def find(model: keras.Model, cls: type) -> keras.callbacks.Callback | None:
    """Returns the latest registered callback of type `cls` on `model`, if any."""
    matches = [c for c in _CALLBACKS.get(model, []) if isinstance(c, cls)]
    return matches[-1] if matches else None
