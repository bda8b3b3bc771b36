"""Tests of `EventReader`: tailing `events.jsonl` by byte offset."""

from __future__ import annotations

import json
import os
from pathlib import Path

from ftk_tui.events import EventReader, decode_lines
from ftk_tui.runs import RunSummarizer
from tests.tui.conftest import T0, edst_events, epoch_end, run_start, topology_update, write_events


def _line(event: dict) -> bytes:
    return (json.dumps(event) + "\n").encode()


def test_reads_only_new_complete_events(tmp_path: Path) -> None:
    path = tmp_path / "events.jsonl"
    write_events(path, edst_events()[:3])
    reader = EventReader(path)
    first = reader.poll()
    assert [e["type"] for e in first.events] == ["run_start", "phase_start", "topology_update"]
    assert not first.reset and first.exists
    assert reader.poll().events == []
    write_events(path, [epoch_end(1, T0 + 60)], mode="a")
    assert [e["epoch"] for e in reader.poll().events] == [1]
    assert reader.offset == path.stat().st_size


def test_partial_line_is_kept_and_completed_later(tmp_path: Path) -> None:
    path = tmp_path / "events.jsonl"
    line = _line(epoch_end(1, T0 + 60))
    path.write_bytes(_line(run_start()) + line[:25])
    reader = EventReader(path)
    assert [e["type"] for e in reader.poll().events] == ["run_start"]
    assert reader.poll().events == []
    with open(path, "ab") as file:
        file.write(line[25:])
    events = reader.poll().events
    assert [e["type"] for e in events] == ["epoch_end"] and events[0]["epoch"] == 1
    assert reader.malformed == 0


def test_truncated_file_is_read_again_from_the_start(tmp_path: Path) -> None:
    path = tmp_path / "events.jsonl"
    write_events(path, edst_events())
    reader = EventReader(path)
    assert len(reader.poll().events) > 10
    write_events(path, [run_start(name="again")])
    result = reader.poll()
    assert result.reset
    assert [e["run"] for e in result.events] == ["again"]
    assert not reader.poll().reset


def test_replaced_file_is_detected_by_inode(tmp_path: Path) -> None:
    path = tmp_path / "events.jsonl"
    write_events(path, [run_start(name="old")])
    reader = EventReader(path)
    reader.poll()
    other = tmp_path / "new.jsonl"
    write_events(other, [run_start(name="new"), epoch_end(1, T0 + 60), epoch_end(2, T0 + 120)])
    os.replace(other, path)
    result = reader.poll()
    assert result.reset
    assert [e.get("run") for e in result.events] == ["new", None, None]


def test_rewritten_file_of_the_same_size_is_detected_by_its_first_bytes(tmp_path: Path) -> None:
    path = tmp_path / "events.jsonl"
    write_events(path, [run_start(name="aaa"), epoch_end(1, T0)])
    reader = EventReader(path)
    reader.poll()
    with open(path, "r+b") as file:  # same inode, same size, new content
        file.write(_line(run_start(name="bbb")))
    result = reader.poll()
    assert result.reset
    assert result.events[0]["run"] == "bbb"


def test_missing_file_and_folder_are_a_state(tmp_path: Path) -> None:
    path = tmp_path / "not-yet" / "events.jsonl"
    reader = EventReader(path)
    result = reader.poll()
    assert not result.exists and result.events == [] and not result.reset
    write_events(path, [run_start()])
    result = reader.poll()
    assert result.exists and len(result.events) == 1
    path.unlink()
    result = reader.poll()
    assert not result.exists and result.reset


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "events.jsonl"
    path.write_bytes(b"")
    result = EventReader(path).poll()
    assert result.exists and result.events == [] and result.malformed == 0


def test_garbage_and_invalid_utf8_are_counted_not_raised(tmp_path: Path) -> None:
    path = tmp_path / "events.jsonl"
    path.write_bytes(
        b"\xff\xfe\x00garbage\n"  # invalid UTF-8
        + b"not json at all\n"
        + b"[1, 2, 3]\n"  # not an object
        + b'{"schema": 1, "t": 1.0}\n'  # no type
        + b'{"type": 5}\n'  # type not a string
        + b"\n   \n"  # blank lines are not malformed
        + b'{"schema": 1, "t": 1.0, "type": "from_the_future"}\n'  # unknown: skipped
        + _line(run_start())
    )
    reader = EventReader(path)
    result = reader.poll()
    assert [e["type"] for e in result.events] == ["run_start"]
    assert result.malformed == 5 and reader.malformed == 5


def test_overlong_line_is_dropped_once(tmp_path: Path) -> None:
    path = tmp_path / "events.jsonl"
    reader = EventReader(path)
    reader.MAX_LINE_BYTES = 100
    path.write_bytes(b"x" * 150)
    assert reader.poll().malformed == 1
    with open(path, "ab") as file:
        file.write(b"y" * 150 + b"\n" + _line(run_start()))
    result = reader.poll()
    assert result.malformed == 0 and [e["type"] for e in result.events] == ["run_start"]


def test_max_bytes_reads_in_chunks(tmp_path: Path) -> None:
    path = tmp_path / "events.jsonl"
    events = edst_events()
    write_events(path, events)
    reader = EventReader(path, max_bytes=500)
    seen: list[dict] = []
    for _ in range(1000):
        seen += reader.poll().events
    assert seen == events


def test_cut_line_of_a_killed_writer_does_not_swallow_the_next_event(tmp_path: Path) -> None:
    path = tmp_path / "events.jsonl"
    path.write_bytes(_line(run_start()) + _line(epoch_end(3, T0 + 180))[:40])  # killed mid-line
    reader = EventReader(path)
    assert [e["type"] for e in reader.poll().events] == ["run_start"]
    with open(path, "ab") as file:  # the resumed trainer appends after the cut line
        file.write(_line(run_start(name="resumed", t=T0 + 500)) + _line(epoch_end(4, T0 + 560)))
    result = reader.poll()
    assert [(e["type"], e.get("run")) for e in result.events] == [("run_start", "resumed"), ("epoch_end", None)]
    assert result.malformed == 1


def test_glued_line_keeps_only_a_whole_event_at_its_end() -> None:
    update = json.dumps(topology_update(150, T0))
    inner = update.index('{"name"', 1)
    cut = update[: update.index("}", inner) + 1]  # ends with a whole layer object
    whole = json.dumps(epoch_end(2, T0 + 120))
    lines = [
        (cut + whole).encode(),  # a cut event, then a whole one: the whole one is kept
        cut.encode(),  # only a cut event: malformed, its last layer is no event
        (cut + whole[:-1]).encode(),  # the second one is cut too: malformed
        b'{"x": {"type": "run_end", "status": "failed"}',  # nothing in it begins like an event
        b'{"t": 1, "type": "epoch_e' + b'\xff' + whole.encode(),  # invalid UTF-8 in the cut part
    ]
    events, malformed = decode_lines(lines)
    assert [e["type"] for e in events] == ["epoch_end", "epoch_end"] and events[0]["epoch"] == 2
    assert malformed == 5


def test_run_list_summary_skips_a_cut_line(tmp_path: Path) -> None:
    path = tmp_path / "run" / "events.jsonl"
    write_events(path, [run_start()])
    with open(path, "ab") as file:
        file.write(_line(epoch_end(1, T0 + 60))[:30] + _line(epoch_end(2, T0 + 120)))
    assert RunSummarizer().summarize(tmp_path / "run", now=T0).global_epoch == 2


def test_lines_the_fast_decoder_refuses_decode_as_pythons_json_reads_them() -> None:
    lines = [
        b'{"type": "epoch_end", "t": NaN, "metrics": {"loss": Infinity}}',
        b'{"type": "epoch_end", "t": 1e400, "step": ' + b"9" * 30 + b"}",
        b'{"type": "run_start", "run": "\\ud800 lone surrogate"}',
        b'{"type": "checkpoint", "path": "a", "path": "b"}',
        b'{"type": "checkpoint", "path": "caf\xc3\xa9"}',
    ]
    events, malformed = decode_lines(lines)
    assert malformed == 0
    assert repr(events) == repr([json.loads(line) for line in lines])  # repr: NaN != NaN
    assert decode_lines([b'{"type": "checkpoint", "path": "\xff"}', b"[1, 2]", b"{bad"]) == ([], 3)
