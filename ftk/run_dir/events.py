"""The events of `events.jsonl`: their schema version, and the ones callbacks announce.

Callbacks announce what happens to their listeners with the small records
below (`PhaseStart`, `TicketSaved`; `DynamicSparsity` announces
`ftk.TopologyUpdate`); `EventLog` turns them into JSON lines with the
builders here, so each event type is spelled in one place. The format is
docs/run_directory.md.
"""

from __future__ import annotations

import dataclasses

SCHEMA_VERSION = 1


@dataclasses.dataclass(frozen=True)
class PhaseStart:
    """A training phase begins: e.g. `exploration`, or refinement `index` of `of`."""

    phase: str
    index: int
    of: int
    epoch: int
    step: int


@dataclasses.dataclass(frozen=True)
class TicketSaved:
    """Ticket `index` was written to `path` at the end of epoch count `epoch`.

    `test_accuracy` and `ensemble` (the `ensemble_eval` fields with this
    ticket) are filled in by whoever evaluates the ticket (the runner).
    """

    index: int
    epoch: int
    path: str
    val_accuracy: float | None
    test_accuracy: float | None = None
    ensemble: dict | None = None


def phase_label(phase: str, index: int, of: int) -> str:
    """The default name of a phase, e.g. `"training"` or `"refinement 2/3"`."""
    return phase if of == 1 else f"{phase} {index}/{of}"


def phase_start(event: PhaseStart, member: int, label: str | None = None) -> dict:
    """The `phase_start` event of `event` in member run `member`.

    `label` is how the protocol names the phase (`Protocol.phase_label`);
    defaults to `phase_label(event.phase, event.index, event.of)`.
    """
    if label is None:
        label = phase_label(event.phase, event.index, event.of)
    return {"type": "phase_start", "member": member, "phase": event.phase, "index": event.index,
            "of": event.of, "label": label, "epoch": event.epoch, "step": event.step}


def ticket_saved(event: TicketSaved, member: int, path: str, density: float) -> dict:
    """The `ticket_saved` event; `path` is relative to the run folder."""
    return {"type": "ticket_saved", "index": event.index, "member": member, "epoch": event.epoch,
            "path": path, "val_accuracy": event.val_accuracy,
            "test_accuracy": event.test_accuracy, "density": density}


def ensemble_eval(members: int, accuracy: float, nll: float, ece: float, source: str,
                  **extra) -> dict:
    """The `ensemble_eval` event: the ensemble of `members` tickets, from `source` (`run`, `eval`)."""
    return {"type": "ensemble_eval", "members": members, "accuracy": accuracy, "nll": nll,
            "ece": ece, **extra, "source": source}


def topology_update(update, member: int, epoch: int) -> dict:
    """The `topology_update` event of an `ftk.TopologyUpdate`."""
    return {"type": "topology_update", "member": member, "epoch": epoch, **update.as_dict()}
