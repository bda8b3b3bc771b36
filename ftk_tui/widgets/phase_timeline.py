"""The phase timeline: phases over the run's epochs, with a marker per ticket."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.widget import Widget

from ftk_tui.records import Phase
from ftk_tui.state import RunState
from ftk_tui.widgets.run_part import RunPart


class PhaseTimeline(RunPart, Widget):
    """Three lines across the width: phase names, a bar of the epochs (done ones
    solid, each phase in its own style) and `▲` under the epoch of each ticket."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "phase-timeline--done",
        "phase-timeline--todo",
        "phase-timeline--boundary",
        "phase-timeline--ticket",
    }

    def render(self) -> Text:
        """Draws the timeline for the current width."""
        state = self.state
        width = max(self.size.width, 1)
        if state is None or not state.phases:
            return Text("no phases yet")
        total = max(state.info.total_epochs, state.global_epoch, 1)

        def column(epoch: int) -> int:
            return min(max(epoch * width // total, 0), width - 1)

        starts = sorted(
            ((column(self._global(state, p.member, p.epoch)), p) for p in state.phases), key=lambda s: s[0]
        )
        names = [" "] * width
        ends = [col for col, _ in starts[1:]] + [width + 1]
        for (col, phase), end in zip(starts, ends):
            label = _fit(phase, min(end - col - 1, width - col))
            names[col : col + len(label)] = label
        boundaries = {col for col, _ in starts if col > 0}
        done = column(state.global_epoch) if state.global_epoch < total else width
        bar = Text()
        for col in range(width):
            kind = "boundary" if col in boundaries else "done" if col < done else "todo"
            char = "┃" if col in boundaries else "━" if col < done else "─"
            bar.append(char, self.get_component_rich_style(f"phase-timeline--{kind}"))
        marks = [" "] * width
        for ticket in state.tickets.values():
            end = self._global(state, ticket.member, ticket.epoch) * width // total
            marks[min(max(end - 1, 0), width - 1)] = "▲"
        ticket_style = self.get_component_rich_style("phase-timeline--ticket")
        return Text("\n").join([Text("".join(names)), bar, Text("".join(marks), ticket_style)])

    @staticmethod
    def _global(state: RunState, member: int, epoch: int) -> int:
        """The epoch over the whole run of `epoch` in member run `member`."""
        return epoch if state.info.single_run else member * state.info.epochs + epoch


def _fit(phase: Phase, width: int) -> str:
    """The phase's label (the protocol's own), cut with `…` to fit in `width` cells.

    The cut keeps a label's last word when it is a count such as `2/3`, so
    `refinement 2/3` reads `refin… 2/3` in 10 cells rather than losing which
    refinement it is.
    """
    label = phase.label
    if len(label) <= width:
        return label
    head, _, tail = label.rpartition(" ")
    if head and "/" in tail and width - len(tail) - 2 >= 2:
        return head[: width - len(tail) - 2] + "… " + tail
    return label[: width - 1] + "…" if width >= 1 else ""
