"""The protocols a recipe may name: ftk's own, found by module, and any registered later.

A protocol is a subclass of `ftk.protocols.Protocol`; its module owns its
name, sections and rules. Recipes ask this registry for the protocol a
recipe names, so the schema, the runner and `ftk flops` never list protocol
names themselves. ftk's own protocols are imported by module path when first
asked for (as plugins are), so recipes depend on no protocol module when
they are imported, and checking a recipe imports no TensorFlow.
"""

from __future__ import annotations

import importlib

from ftk.recipes._types import suggest

#: ftk's protocols: name -> "module:class".
_BUILT_IN: dict[str, str] = {
    "dense": "ftk.protocols.dense:Dense",
    "deep_ensemble": "ftk.protocols.deep_ensemble:DeepEnsemble",
    "static_ensemble": "ftk.protocols.static:StaticEnsemble",
    "dst_ensemble": "ftk.protocols.dst:DSTEnsemble",
    "edst": "ftk.protocols.edst:EDSTEnsemble",
    "pf_ensemble": "ftk.protocols.pf:PFEnsemble",
    "mc_dropout": "ftk.protocols.mc_dropout:MCDropout",
}
_registered: dict[str, type] = {}
#: Bumped by every registration, so the recipe schema knows to rebuild itself.
version = 0


def protocol_names() -> tuple[str, ...]:
    """The names a recipe's `protocol:` may take, ftk's own first."""
    return (*_BUILT_IN, *(name for name in _registered if name not in _BUILT_IN))


def protocol_class(name: str) -> type:
    """Returns the protocol class called `name`.

    Raises:
        ValueError: naming the known protocols (and the closest one).
    """
    if name in _registered:
        return _registered[name]
    if name not in _BUILT_IN:
        names = protocol_names()
        hint = suggest(name, names) if isinstance(name, str) else ""
        raise ValueError(f"`protocol` must be one of {names}. Received: {name!r}{hint}")
    module, cls = _BUILT_IN[name].split(":")
    _registered[name] = getattr(importlib.import_module(module), cls)
    return _registered[name]


def protocol_classes() -> list[type]:
    """Every known protocol class, in `protocol_names()` order."""
    return [protocol_class(name) for name in protocol_names()]


def dense_ensemble_protocol() -> str:
    """The name of the protocol that trains several dense members, for hints in messages."""
    return next(cls.name for cls in protocol_classes() if cls.trains_dense_ensemble)


def register_protocol(cls: type) -> type:
    """Makes the protocol `cls` available to recipes as `protocol: <cls.name>`.

    Its `sections` become recipe sections. Register before loading the
    recipes that use it.

    Args:
        cls: a subclass of `ftk.protocols.Protocol` with a new `name`.

    Returns:
        `cls`, so it works as a class decorator.

    Raises:
        ValueError: if the name is taken by another protocol.

    Example:

    ```python
    @ftk.protocols.register_protocol
    class Bagging(ftk.protocols.Protocol):
        name = "bagging"
    ```
    """
    global version
    name = getattr(cls, "name", None)
    if not isinstance(name, str) or not name.isidentifier():
        raise ValueError(f"A protocol needs a `name` that is an identifier. Received: {name!r}")
    if name in protocol_names() and protocol_class(name) is not cls:
        raise ValueError(f"Protocol {name!r} is already registered ({protocol_class(name).__module__}).")
    _registered[name] = cls
    version += 1
    return cls
