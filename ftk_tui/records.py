"""Small immutable records built from single events (docs/run_directory.md)."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any


INT_LIMIT = 2**63
"""Whole numbers at or beyond this size (no counter of a run reaches it) are not read."""

FIELD_ERRORS = (ArithmeticError, AttributeError, LookupError, RecursionError, TypeError, ValueError)
"""What reading the fields of an event can raise when they have unexpected types;
the state counts such an event as invalid, the event log shows it as such."""


def as_float(value: Any) -> float | None:
    """`value` as a float when it is a JSON number a float can hold, else `None`.

    NaN and infinities are kept (a diverged loss is NaN); an int too large for a
    float, such as `10**400`, is `None`. See `as_finite` for times and durations.
    """
    if value.__class__ is float:  # the common case, first
        return value
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    try:
        return float(value)
    except OverflowError:
        return None


def as_finite(value: Any) -> float | None:
    """`value` as a float when it is a finite JSON number, else `None`.

    JSON's `1e400` reads as infinity in Python, so a time or a duration must pass
    this before any arithmetic.
    """
    number = as_float(value)
    return number if number is not None and math.isfinite(number) else None


def as_whole(value: Any) -> int | None:
    """`value` as an int when it is a whole JSON number below `INT_LIMIT` in size,
    else `None`."""
    if value.__class__ is int:  # the common case, first
        return value if -INT_LIMIT < value < INT_LIMIT else None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    if isinstance(value, float) and not value.is_integer():  # also NaN and infinities
        return None
    return int(value) if -INT_LIMIT < value < INT_LIMIT else None


def as_int(value: Any, default: int = 0) -> int:
    """`value` as an int when it is a whole JSON number (see `as_whole`), else `default`."""
    whole = as_whole(value)
    return default if whole is None else whole


def as_str(value: Any, default: str = "") -> str:
    """`value` as a string, or `default` when it is missing or empty."""
    return str(value or default)


def _first(value: float | None, fallback: float | None) -> float | None:
    return fallback if value is None else value


def _shape(raw: Mapping[str, Any]) -> tuple[int, ...]:
    return tuple(as_int(d) for d in raw.get("shape") or ())


def _read(raw: Mapping[str, Any], convert: Callable[[Any], Any], *keys: str) -> dict[str, Any]:
    """The values of `raw` at `keys`, each passed through `convert`, by key.

    Records read most of their fields straight from the event fields of the same
    names: `cls(**_read(e, as_int, "member", "epoch"))`.
    """
    return {key: convert(raw.get(key)) for key in keys}


@dataclass(frozen=True, slots=True)
class RunInfo:
    """What `run_start` says about the run."""

    name: str = ""
    protocol: str = ""
    model: str = ""
    dataset: str = ""
    density: float | None = None
    members: int = 0
    epochs: int = 0
    total_epochs: int = 0
    steps_per_epoch: int = 0
    resumed: bool = False
    recipe_name: str = ""
    #: All tickets come from phases of one member run (said by the protocol).
    single_run: bool = False
    #: The trainer's machine and process id (`socket.gethostname()`, `os.getpid()`).
    host: str = ""
    pid: int | None = None

    @classmethod
    def from_event(cls, e: dict[str, Any]) -> RunInfo:
        """Builds the record from a `run_start` event."""
        recipe = e.get("recipe")
        return cls(
            name=as_str(e.get("run")),
            **_read(e, as_str, "protocol", "model", "dataset"),
            density=as_float(e.get("density")),
            **_read(e, as_int, "members", "epochs", "total_epochs", "steps_per_epoch"),
            resumed=bool(e.get("resumed")),
            recipe_name=as_str(recipe.get("name")) if isinstance(recipe, dict) else "",
            single_run=_single_run(e),
            host=as_str(e.get("host")),
            pid=as_whole(e.get("pid")),
        )


@dataclass(frozen=True, slots=True)
class LayerRow:
    """One sparse layer: its density and what the last topology update did to it."""

    name: str
    shape: tuple[int, ...] = ()
    density: float | None = None
    size: int | None = None
    active: int | None = None
    pruned: int | None = None
    grown: int | None = None
    turnover: float | None = None

    @classmethod
    def from_start(cls, raw: dict[str, Any]) -> LayerRow:
        """Builds the row from one entry of `run_start.layers`."""
        shape = _shape(raw)
        return cls(
            name=str(raw.get("name")),
            shape=shape,
            density=as_float(raw.get("density")),
            size=as_whole(math.prod(shape)) if shape else None,
        )

    def updated(self, raw: dict[str, Any]) -> LayerRow:
        """A copy updated from one entry of `topology_update.layers`."""
        return replace(
            self,
            shape=_shape(raw) or self.shape,
            density=_first(as_float(raw.get("density")), self.density),
            size=as_whole(raw.get("size")) or self.size,
            **_read(raw, as_whole, "active", "pruned", "grown"),
            turnover=as_float(raw.get("turnover")),
        )


@dataclass(frozen=True, slots=True)
class Phase:
    """A phase as `phase_start` announced it.

    `label` is the protocol's own name of the phase (`phase_start.label`, e.g.
    `exploration` or `refinement 2/3`); events of runs before the field existed
    get the same form from `phase`, `index` and `of` (see `phase_label`).
    """

    member: int
    phase: str
    index: int
    of: int
    epoch: int
    step: int
    label: str = ""

    @classmethod
    def from_event(cls, e: dict[str, Any]) -> Phase:
        """Builds the record from a `phase_start` event."""
        phase, index, of = as_str(e.get("phase"), "training"), as_int(e.get("index"), 1), as_int(e.get("of"), 1)
        label = e.get("label")
        return cls(
            **_read(e, as_int, "member", "epoch", "step"),
            phase=phase,
            index=index,
            of=of,
            label=label if isinstance(label, str) and label else phase_label(phase, index, of),
        )


def phase_label(phase: str, index: int, of: int) -> str:
    """The name of a phase when its event has no `label`: `training`, `refinement 2/3`.

    The same form as the trainer's default (`ftk.run_dir.events.phase_label`).
    """
    return phase if of == 1 else f"{phase} {index}/{of}"


@dataclass(frozen=True, slots=True)
class EpochPoint:
    """The metrics of one finished epoch."""

    member: int
    epoch: int
    global_epoch: int
    step: int
    lr: float | None
    density: float | None
    loss: float | None
    accuracy: float | None
    val_loss: float | None
    val_accuracy: float | None
    seconds: float | None

    @classmethod
    def from_event(cls, e: dict[str, Any]) -> EpochPoint:
        """Builds the record from an `epoch_end` event."""
        metrics = e.get("metrics") or {}
        return cls(
            **_read(e, as_int, "member", "epoch", "global_epoch", "step"),
            **_read(e, as_float, "lr", "density", "seconds"),
            **_read(metrics, as_float, "loss", "accuracy", "val_loss", "val_accuracy"),
        )


@dataclass(frozen=True, slots=True)
class TopologyPoint:
    """One prune-and-grow update."""

    member: int
    epoch: int
    step: int
    kind: str
    rate: float | None
    density: float | None
    pruned: int | None
    grown: int | None
    turnover: float | None

    @classmethod
    def from_event(cls, e: dict[str, Any]) -> TopologyPoint:
        """Builds the record from a `topology_update` event (the most frequent: no
        `_read`, for speed)."""
        get = e.get
        return cls(
            as_int(get("member")), as_int(get("epoch")), as_int(get("step")), as_str(get("kind"), "regular"),
            as_float(get("rate")), as_float(get("density")), as_whole(get("pruned")), as_whole(get("grown")),
            as_float(get("turnover")),
        )


@dataclass(frozen=True, slots=True)
class Ticket:
    """A saved ensemble member."""

    index: int
    member: int
    epoch: int
    val_accuracy: float | None
    test_accuracy: float | None
    density: float | None
    path: str

    @classmethod
    def from_event(cls, e: dict[str, Any]) -> Ticket:
        """Builds the record from a `ticket_saved` event."""
        return cls(
            **_read(e, as_int, "index", "member", "epoch"),
            **_read(e, as_float, "val_accuracy", "test_accuracy", "density"),
            path=as_str(e.get("path")),
        )


@dataclass(frozen=True, slots=True)
class EnsembleRow:
    """Test metrics of the ensemble of the first `members` tickets.

    `member` is the member run whose process wrote the event when the run's
    members were trained on their own (`--parallel`), else `None`: two members
    that finish at once may each report an ensemble of the same size.
    """

    members: int
    accuracy: float | None
    nll: float | None
    ece: float | None
    member_accuracy: tuple[float, ...]
    source: str
    member: int | None = None

    @classmethod
    def from_event(cls, e: dict[str, Any]) -> EnsembleRow:
        """Builds the record from an `ensemble_eval` event."""
        accuracies = (as_float(a) for a in e.get("member_accuracy") or ())
        return cls(
            members=as_int(e.get("members")),
            **_read(e, as_float, "accuracy", "nll", "ece"),
            member_accuracy=tuple(a for a in accuracies if a is not None),
            source=as_str(e.get("source"), "run"),
            member=as_whole(e.get("member")),
        )

    @property
    def key(self) -> tuple[int, str, int]:
        """Where the row goes in `RunState.ensemble`: by size, then source and writer."""
        return (self.members, self.source, -1 if self.member is None else self.member)

    @property
    def mean_member_accuracy(self) -> float | None:
        """The mean accuracy of the members on their own."""
        if not self.member_accuracy:
            return None
        return sum(self.member_accuracy) / len(self.member_accuracy)


def _single_run(e: dict[str, Any]) -> bool:
    """`run_start`'s `single_run`; runs of ftk before 0.2 did not say, and only EDST was one."""
    if "single_run" in e:
        return bool(e["single_run"])
    return e.get("protocol") == "edst"
