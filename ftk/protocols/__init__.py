"""The FreeTickets protocols, one module each; `get_protocol(name)` returns one.

A protocol module owns everything about its protocol (see `Protocol`); the
names a recipe may use come from `ftk.recipes.protocol_names()`, and
`ftk.recipes.register_protocol` adds one without editing ftk. Importing this
package imports no TensorFlow.
"""

from ftk._lazy import lazy_attributes
from ftk.protocols.base import MemberRun, Protocol
from ftk.recipes.protocol_registry import protocol_class, protocol_names, register_protocol

__getattr__, __dir__ = lazy_attributes(__name__, {
    "run_recipe": "ftk.protocols.runner",
    "RunResult": "ftk.protocols.run_result",
    "protocol_cost": "ftk.protocols.costs",
    "CostInputs": "ftk.protocols.costs",
})


def get_protocol(name: str) -> Protocol:
    """Returns the protocol called `name`.

    Raises:
        ValueError: naming the known protocols.
    """
    return protocol_class(name)()


__all__ = [
    "CostInputs",
    "MemberRun",
    "Protocol",
    "RunResult",
    "get_protocol",
    "protocol_class",
    "protocol_cost",
    "protocol_names",
    "register_protocol",
    "run_recipe",
]
