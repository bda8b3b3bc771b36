"""`EventLog` wired explicitly to the callbacks it logs, outside any runner."""

import json

import ftk
from ftk.callbacks import EventLog
from tests.callbacks.test_dynamic_sparsity import BATCH, make_data, make_model


def read(path):
    return [json.loads(line) for line in (path / "events.jsonl").read_text().splitlines()]


def test_a_plain_fit_logs_what_its_sources_announce(tmp_path):
    model = make_model()
    dst = ftk.DynamicSparsity(update_frequency=3, death_rate=0.5, death_rate_schedule="constant")
    edst = ftk.EDST(dst, explore_epochs=1, members=2, ticket_dir=tmp_path / "tickets")
    seen = []
    log = EventLog(tmp_path, sources=[dst, edst], on_event=seen.append)
    x, y = make_data()  # 5 steps per epoch
    model.fit(x, y, batch_size=BATCH, epochs=edst.total_epochs(5), shuffle=False, verbose=0,
              callbacks=[dst, edst, log])

    events = read(tmp_path)
    kinds = [e["type"] for e in events]
    assert kinds.count("epoch_end") == 5 and kinds.count("phase_start") == 3
    assert [e["step"] for e in events if e["type"] == "topology_update"] == [
        u.step for u in dst.updates]
    tickets = [e for e in events if e["type"] == "ticket_saved"]
    assert [(t["index"], t["path"]) for t in tickets] == [(0, "tickets/ticket_0.keras"),
                                                         (1, "tickets/ticket_1.keras")]
    assert all(t["test_accuracy"] is None for t in tickets)  # nothing evaluated them
    assert "ensemble_eval" not in kinds
    assert [e["type"] for e in seen] == kinds and all("t" not in e for e in seen)


def test_a_log_without_sources_writes_only_its_own_events(tmp_path):
    model = make_model()
    dst = ftk.DynamicSparsity(update_frequency=3, death_rate=0.5, death_rate_schedule="constant")
    x, y = make_data()
    model.fit(x, y, batch_size=BATCH, epochs=2, verbose=0, callbacks=[dst, EventLog(tmp_path)])
    assert dst.updates and {e["type"] for e in read(tmp_path)} == {"epoch_end"}
