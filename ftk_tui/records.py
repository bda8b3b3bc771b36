"""Small immutable records built from single events (docs/run_directory.md)."""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any


def as_float(value: Any) -> float | None:
    """`value` as a float when it is a JSON number, else `None`."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value)


def as_int(value: Any, default: int = 0) -> int:
    """`value` as an int when it is a whole JSON number, else `default`."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return default
    if isinstance(value, float) and not value.is_integer():
        return default
    return int(value)


def _first(value: float | None, fallback: float | None) -> float | None:
    return fallback if value is None else value


def _optional_int(value: Any) -> int | None:
    return None if as_float(value) is None else as_int(value)


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

    @classmethod
    def from_event(cls, e: dict[str, Any]) -> RunInfo:
        """Builds the record from a `run_start` event."""
        recipe = e.get("recipe")
        return cls(
            name=str(e.get("run") or ""),
            protocol=str(e.get("protocol") or ""),
            model=str(e.get("model") or ""),
            dataset=str(e.get("dataset") or ""),
            density=as_float(e.get("density")),
            members=as_int(e.get("members")),
            epochs=as_int(e.get("epochs")),
            total_epochs=as_int(e.get("total_epochs")),
            steps_per_epoch=as_int(e.get("steps_per_epoch")),
            resumed=bool(e.get("resumed")),
            recipe_name=str(recipe.get("name") or "") if isinstance(recipe, dict) else "",
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
        shape = tuple(as_int(d) for d in raw.get("shape") or ())
        return cls(
            name=str(raw.get("name")),
            shape=shape,
            density=as_float(raw.get("density")),
            size=math.prod(shape) if shape else None,
        )

    def updated(self, raw: dict[str, Any]) -> LayerRow:
        """A copy updated from one entry of `topology_update.layers`."""
        shape = tuple(as_int(d) for d in raw.get("shape") or ()) or self.shape
        return replace(
            self,
            shape=shape,
            density=_first(as_float(raw.get("density")), self.density),
            size=_optional_int(raw.get("size")) or self.size,
            active=_optional_int(raw.get("active")),
            pruned=_optional_int(raw.get("pruned")),
            grown=_optional_int(raw.get("grown")),
            turnover=as_float(raw.get("turnover")),
        )


@dataclass(frozen=True, slots=True)
class Phase:
    """A phase as `phase_start` announced it."""

    member: int
    phase: str
    index: int
    of: int
    epoch: int
    step: int

    @classmethod
    def from_event(cls, e: dict[str, Any]) -> Phase:
        """Builds the record from a `phase_start` event."""
        return cls(
            member=as_int(e.get("member")),
            phase=str(e.get("phase") or "training"),
            index=as_int(e.get("index"), 1),
            of=as_int(e.get("of"), 1),
            epoch=as_int(e.get("epoch")),
            step=as_int(e.get("step")),
        )

    @property
    def label(self) -> str:
        """`exploration`, `refinement 2 of 3`, `training` or `finetune`."""
        if self.phase == "refinement":
            return f"refinement {self.index} of {self.of}"
        return self.phase


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
            member=as_int(e.get("member")),
            epoch=as_int(e.get("epoch")),
            global_epoch=as_int(e.get("global_epoch")),
            step=as_int(e.get("step")),
            lr=as_float(e.get("lr")),
            density=as_float(e.get("density")),
            loss=as_float(metrics.get("loss")),
            accuracy=as_float(metrics.get("accuracy")),
            val_loss=as_float(metrics.get("val_loss")),
            val_accuracy=as_float(metrics.get("val_accuracy")),
            seconds=as_float(e.get("seconds")),
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
        """Builds the record from a `topology_update` event."""
        return cls(
            member=as_int(e.get("member")),
            epoch=as_int(e.get("epoch")),
            step=as_int(e.get("step")),
            kind=str(e.get("kind") or "regular"),
            rate=as_float(e.get("rate")),
            density=as_float(e.get("density")),
            pruned=_optional_int(e.get("pruned")),
            grown=_optional_int(e.get("grown")),
            turnover=as_float(e.get("turnover")),
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
            index=as_int(e.get("index")),
            member=as_int(e.get("member")),
            epoch=as_int(e.get("epoch")),
            val_accuracy=as_float(e.get("val_accuracy")),
            test_accuracy=as_float(e.get("test_accuracy")),
            density=as_float(e.get("density")),
            path=str(e.get("path") or ""),
        )


@dataclass(frozen=True, slots=True)
class EnsembleRow:
    """Test metrics of the ensemble of the first `members` tickets."""

    members: int
    accuracy: float | None
    nll: float | None
    ece: float | None
    member_accuracy: tuple[float, ...]
    source: str

    @classmethod
    def from_event(cls, e: dict[str, Any]) -> EnsembleRow:
        """Builds the record from an `ensemble_eval` event."""
        accuracies = (as_float(a) for a in e.get("member_accuracy") or ())
        return cls(
            members=as_int(e.get("members")),
            accuracy=as_float(e.get("accuracy")),
            nll=as_float(e.get("nll")),
            ece=as_float(e.get("ece")),
            member_accuracy=tuple(a for a in accuracies if a is not None),
            source=str(e.get("source") or "run"),
        )

    @property
    def mean_member_accuracy(self) -> float | None:
        """The mean accuracy of the members on their own."""
        if not self.member_accuracy:
            return None
        return sum(self.member_accuracy) / len(self.member_accuracy)
