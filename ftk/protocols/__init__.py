"""The FreeTickets protocols, each a small module; `get_protocol(name)` picks one."""

from ftk.protocols.base import MemberRun, Protocol
from ftk.protocols.deep_ensemble import DeepEnsemble
from ftk.protocols.dense import Dense
from ftk.protocols.dst import DSTEnsemble
from ftk.protocols.edst import EDSTEnsemble
from ftk.protocols.pf import PFEnsemble
from ftk.protocols.static import StaticEnsemble

PROTOCOLS: dict[str, type[Protocol]] = {
    cls.name: cls for cls in (Dense, DeepEnsemble, StaticEnsemble, DSTEnsemble, EDSTEnsemble, PFEnsemble)
}


def get_protocol(name: str) -> Protocol:
    """Returns the protocol called `name`."""
    if name not in PROTOCOLS:
        raise ValueError(f"`protocol` must be one of {tuple(PROTOCOLS)}. Received: {name!r}")
    return PROTOCOLS[name]()
