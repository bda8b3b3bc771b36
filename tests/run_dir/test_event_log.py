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
    assert dst.last_update is dst.updates[-1]
    tickets = [e for e in events if e["type"] == "ticket_saved"]
    assert [(t["index"], t["path"]) for t in tickets] == [(0, "tickets/ticket_0.keras"),
                                                         (1, "tickets/ticket_1.keras")]
    assert all(t["test_accuracy"] is None for t in tickets)  # nothing evaluated them
    assert "ensemble_eval" not in kinds
    assert [e["type"] for e in seen] == kinds and all("t" not in e for e in seen)


def test_a_log_without_sources_writes_only_its_own_events(tmp_path):
    model = make_model()
    dst = ftk.DynamicSparsity(update_frequency=3, death_rate=0.5, death_rate_schedule="constant")
    assert dst.updates == [] and dst.last_update is None  # before the first update: no IndexError
    x, y = make_data()
    model.fit(x, y, batch_size=BATCH, epochs=2, verbose=0, callbacks=[dst, EventLog(tmp_path)])
    assert dst.updates and {e["type"] for e in read(tmp_path)} == {"epoch_end"}


def test_topology_updates_and_epochs_report_one_density(tmp_path):
    # ERK at 0.5 keeps the small `logits` layer dense: it is masked but never updated.
    model = make_model(density=0.5)
    kept = [w for w in ftk.sparse_weights(model) if w.active_count() == w.size]
    assert kept, "the test needs a masked layer that ERK keeps at density 1"
    dst = ftk.DynamicSparsity(update_frequency=5, death_rate=0.5, death_rate_schedule="constant")
    x, y = make_data()  # 5 steps per epoch: an update at the end of every epoch
    model.fit(x, y, batch_size=BATCH, epochs=2, shuffle=False, verbose=0,
              callbacks=[dst, EventLog(tmp_path, sources=[dst])])

    events = read(tmp_path)
    updates = [e for e in events if e["type"] == "topology_update"]
    epochs = [e for e in events if e["type"] == "epoch_end"]
    assert updates and len(epochs) == 2
    for update in updates:  # the epoch_end of the epoch in which the update ran
        epoch = epochs[update["epoch"]]
        assert update["density"] == epoch["density"] == ftk.density(model)
        assert update["kept_dense"] == sum(w.size for w in kept)
    assert {layer["name"] for layer in updates[0]["layers"]}.isdisjoint(w.name for w in kept)
    assert dst.updates[-1].density == ftk.density(model)


def test_phase_start_events_carry_the_label_of_the_protocol(tmp_path):
    model = make_model()
    dst = ftk.DynamicSparsity(update_frequency=3, death_rate=0.5, death_rate_schedule="constant")
    edst = ftk.EDST(dst, explore_epochs=1, members=2, ticket_dir=tmp_path / "tickets")
    log = EventLog(tmp_path, sources=[dst, edst],
                   phase_label=lambda phase, index, of: f"{phase}:{index}:{of}")
    x, y = make_data()
    model.fit(x, y, batch_size=BATCH, epochs=edst.total_epochs(5), shuffle=False, verbose=0,
              callbacks=[dst, edst, log])
    phases = [e for e in read(tmp_path) if e["type"] == "phase_start"]
    assert [p["label"] for p in phases] == ["exploration:1:1", "refinement:1:2", "refinement:2:2"]


def test_phase_labels_default_to_the_protocols_default():
    from ftk.protocols import get_protocol
    from ftk.run_dir.events import PhaseStart, phase_start

    edst = get_protocol("edst")
    assert edst.phase_label("refinement", 2, 3) == "refinement 2/3"
    assert edst.phase_label("exploration", 1, 1) == "exploration"
    event = phase_start(PhaseStart("refinement", 2, 3, 10, 400), member=0)
    assert event["label"] == "refinement 2/3"
