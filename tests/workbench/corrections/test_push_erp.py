"""Pushing corrections to a Business Central sandbox over real HTTP: exactly once, never over
someone else's change, retried when the system is having a bad moment, recovered after a crash."""

from __future__ import annotations

import subprocess
import sys
import threading
from datetime import datetime, timedelta, UTC

import pytest
from sqlalchemy import select

from tests.workbench.corrections.conftest import (add_exception, add_run, any_store as any_store,
                                                  bc_config, erp_city_corrections, erp_value, erp_version,
                                                  set_erp_value)
from workbench.store.trail import verify
from workbench.corrections import service
from workbench.corrections.outbox.push import Backoff, claim, claim_is_stale, enqueue
from workbench.errors import Cancelled
from workbench.progress import RecordingProgress
from workbench.store.schema import AuditEvent, Correction, ExceptionRow

FAST = Backoff(base=0.05, cap=0.2)


def _corr(store, cid):
    with store.session() as s:
        return s.get(Correction, cid)


def _exc(store, eid):
    with store.session() as s:
        return s.get(ExceptionRow, eid)


def _actions(store, cid):
    with store.session() as s:
        return [e.action.split(".", 1)[1] for e in s.execute(
            select(AuditEvent).where(AuditEvent.entity_type == "correction", AuditEvent.entity_id == str(cid))
            .order_by(AuditEvent.id)).scalars()]


def test_push_writes_each_correction_once_and_resolves_its_exception(any_store, bc):
    store = any_store
    cids, eids, recs = erp_city_corrections(store, bc, 3)
    before = {r["id"]: erp_version(bc, r["id"]) for r in recs}
    rep = service.push(store, "ann", backoff=FAST)
    assert rep.counts["applied"] == 3 and rep.counts["conflict"] == rep.counts["dead_letter"] == 0
    assert rep.verified == {"agreed": 3, "still_differs": 0, "not_checked": 0}
    for i, (cid, eid, r) in enumerate(zip(cids, eids, recs)):
        c = _corr(store, cid)
        assert c.state == "applied" and c.verification == "agreed" and c.attempts == 1
        assert c.response_id and c.response_id.startswith('W/"')  # the ETag Business Central answered with
        assert erp_value(bc, r["id"], "city") == f"Springfield {i}"
        assert erp_version(bc, r["id"]) == before[r["id"]] + 1  # written exactly once
        e = _exc(store, eid)
        assert e.status == "resolved" and f"Springfield {i}" in e.resolution
        assert _actions(store, cid) == ["proposed", "approved", "queued", "pushing", "applied", "verified"]
    again = service.push(store, "ann", backoff=FAST)
    assert again.requests == 0 and again.counts["applied"] == 0
    assert [erp_version(bc, r["id"]) for r in recs] == [before[r["id"]] + 1 for r in recs]
    with store.session() as s:
        assert verify(s).ok


def test_a_value_already_there_is_not_written_and_a_changed_record_is_a_conflict(store, bc):
    cids, eids, recs = erp_city_corrections(store, bc, 3)
    set_erp_value(bc, recs[0]["id"], "city", "Springfield 0")  # someone already fixed it
    set_erp_value(bc, recs[1]["id"], "city", "Reading")  # someone changed it to something else
    v = {r["id"]: erp_version(bc, r["id"]) for r in recs}
    rep = service.push(store, "ann", backoff=FAST)
    assert rep.counts["already_applied"] == 1 and rep.counts["conflict"] == 1 and rep.counts["applied"] == 1
    assert _corr(store, cids[0]).state == "applied" and erp_version(bc, recs[0]["id"]) == v[recs[0]["id"]]
    c = _corr(store, cids[1])
    assert c.state == "conflict"
    assert f"approved over {recs[1]['city']}, it now holds Reading" in c.last_error
    assert erp_value(bc, recs[1]["id"], "city") == "Reading"  # never overwritten
    assert erp_version(bc, recs[1]["id"]) == v[recs[1]["id"]]
    e = _exc(store, eids[1])
    assert e.status == "reopened" and "Reading" in e.resolution
    with store.session() as s:
        ev = s.execute(select(AuditEvent).where(AuditEvent.action == "correction.conflict")).scalar_one()
    assert ev.detail["seen"] == recs[1]["city"] and ev.detail["current"] == "Reading"
    row = next(r for r in rep.results if r["correction_id"] == cids[1])
    assert row["state"] == "conflict" and row["current_value"] == "Reading"


def test_a_refused_write_goes_to_dead_letter_with_the_systems_words_and_replay_requeues(store, bc):
    # the customer number is read-only in Business Central: a permanent refusal
    cids, eids, recs = erp_city_corrections(store, bc, 1, field="number", prop="number", to=lambda i: f"C9{i:04d}")
    rep = service.push(store, "ann", backoff=FAST)
    assert rep.counts["dead_letter"] == 1 and rep.counts["retried"] == 0
    c = _corr(store, cids[0])
    assert c.state == "dead_letter" and c.attempts == 1
    assert "read-only" in c.last_error and "number" in c.last_error
    assert _exc(store, eids[0]).status == "reopened"
    assert erp_value(bc, recs[0]["id"], "number") == recs[0]["number"]
    df = service.list_corrections(store, state="dead_letter")
    assert list(df["id"]) == cids and "read-only" in df.loc[0, "state_reason"]
    assert service.replay(store, cids, "ann", "checked with the ERP admin") == cids
    c = _corr(store, cids[0])
    assert (c.state, c.attempts, c.next_attempt_at) == ("queued", 0, None)


def test_transient_failures_are_retried_with_backoff_until_they_land(store, bc):
    cfg = bc_config(bc, retries=1)  # let the outbox, not the HTTP client, do the retrying
    cids, eids, recs = erp_city_corrections(store, bc, 1, run_config=cfg)
    bc.faults.server_error(503, times=4)  # the client tries each call twice (once more after a sign-in)
    rep = service.push(store, "ann", backoff=FAST, max_attempts=5)
    c = _corr(store, cids[0])
    assert c.state == "applied" and c.attempts == 3 and rep.counts["retried"] == 2
    assert erp_version(bc, recs[0]["id"]) == 2  # two refusals, one write
    assert _actions(store, cids[0]) == ["proposed", "approved", "queued", "pushing", "failed", "queued", "pushing",
                                        "failed", "queued", "pushing", "applied", "verified"]
    with store.session() as s:
        fails = [e.detail for e in s.execute(select(AuditEvent).where(AuditEvent.action == "correction.failed"))
                 .scalars()]
        retries = [e.detail for e in s.execute(select(AuditEvent).where(
            AuditEvent.action == "correction.queued", AuditEvent.entity_id == str(cids[0]))).scalars()][1:]
    assert all("503" in f["message"] for f in fails)
    assert [r["attempts"] for r in retries] == [1, 2] and all(r["retry_at"] for r in retries)


def test_transient_failures_beyond_the_limit_become_dead_letters_and_replay_finishes_them(store, bc):
    cfg = bc_config(bc, retries=1)
    cids, eids, recs = erp_city_corrections(store, bc, 1, run_config=cfg)
    bc.faults.server_error(500, times=4)
    rep = service.push(store, "ann", backoff=FAST, max_attempts=2)
    c = _corr(store, cids[0])
    assert c.state == "dead_letter" and rep.counts["dead_letter"] == 1
    assert "gave up after 2 attempts" in service.list_corrections(store).loc[0, "state_reason"]
    assert erp_version(bc, recs[0]["id"]) == 1
    service.replay(store, cids, "ann")
    rep = service.push(store, "ann", backoff=FAST)
    assert rep.counts["applied"] == 1 and _corr(store, cids[0]).state == "applied"
    assert erp_version(bc, recs[0]["id"]) == 2 and _exc(store, eids[0]).status == "resolved"


def test_retry_waits_at_least_what_retry_after_asks():
    b = Backoff(base=0.5, factor=2, cap=60)
    assert all(0.25 <= b.delay(1) <= 0.5 for _ in range(50))
    assert all(2 <= b.delay(4) <= 4 for _ in range(50))
    assert b.delay(1, retry_after=30) == 30
    assert all(b.delay(20) <= 60 for _ in range(50))


def test_an_interrupted_push_is_resolved_by_reading_the_target_never_by_resending(store, bc):
    cids, eids, recs = erp_city_corrections(store, bc, 3)
    enqueue(store, "ann")
    group = (_corr(store, cids[0]).run_id, "erp", "business_central", "customers")
    ghost = "other-host:4242:deadbeef"  # a worker on another machine that died mid-push
    assert sorted(claim(store, ghost, "ann", group, 10)) == sorted(cids)
    set_erp_value(bc, recs[0]["id"], "city", "Springfield 0")  # its write had landed before it died
    set_erp_value(bc, recs[2]["id"], "city", "Leeds")  # and this one was edited by someone meanwhile
    v = {r["id"]: erp_version(bc, r["id"]) for r in recs}
    # a live claim younger than the lease is left alone
    rep = service.push(store, "ann", backoff=FAST, lease_seconds=3600)
    assert rep.requests == 0 and {_corr(store, c).state for c in cids} == {"pushing"}
    rep = service.push(store, "ann", backoff=FAST, lease_seconds=0, recovery_grace=0.2)
    assert (rep.counts["recovered_applied"], rep.counts["recovered_requeued"], rep.counts["recovered_conflict"]) == (
        1, 1, 1)
    assert [_corr(store, c).state for c in cids] == ["applied", "applied", "conflict"]
    assert erp_version(bc, recs[0]["id"]) == v[recs[0]["id"]]  # not written a second time
    assert erp_version(bc, recs[1]["id"]) == v[recs[1]["id"]] + 1  # written once, after recovery
    assert erp_value(bc, recs[2]["id"], "city") == "Leeds"
    assert _actions(store, cids[1]) == ["proposed", "approved", "queued", "pushing", "queued", "pushing", "applied",
                                        "verified"]
    with store.session() as s:
        ev = s.execute(select(AuditEvent).where(AuditEvent.entity_id == str(cids[0]),
                                                AuditEvent.action == "correction.applied")).scalar_one()
    assert ev.detail["recovered_from_claim"] == ghost and "interrupted push" in ev.detail["reason"]
    # the recovered write is verified like any other, and its exception closes
    assert _corr(store, cids[0]).verification == "agreed" and _exc(store, eids[0]).status == "resolved"


def test_a_claim_is_stale_only_when_its_process_is_gone_or_its_lease_ran_out():
    import socket
    host = socket.gethostname()
    now = datetime.now(UTC)
    done = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead_pid = int(done.stdout)
    alive = subprocess.Popen([sys.executable, "-c", "import sys; sys.stdin.read()"], stdin=subprocess.PIPE)
    try:
        assert claim_is_stale(f"{host}:{dead_pid}:x", now, me="me", lease_seconds=3600)
        assert not claim_is_stale(f"{host}:{alive.pid}:x", now, me="me", lease_seconds=3600)
        assert claim_is_stale(f"{host}:{alive.pid}:x", now - timedelta(hours=2), me="me", lease_seconds=3600)
        assert not claim_is_stale("elsewhere:1:x", now, me="me", lease_seconds=3600)
        assert not claim_is_stale("me", now - timedelta(days=1), me="me", lease_seconds=1)
        # the pid now belongs to another process (pids are reused): the worker is gone
        assert claim_is_stale(f"{host}:{alive.pid}:1:x", now, me="me", lease_seconds=3600)
        from workbench.corrections.outbox.push import _start_time
        assert not claim_is_stale(f"{host}:{alive.pid}:{_start_time(alive.pid)}:x", now, me="me",
                                  lease_seconds=3600)
    finally:
        alive.communicate(b"")


def test_two_workers_never_claim_the_same_correction(any_store):
    run = add_run(any_store)
    eids = [add_exception(any_store, run, crm_id=f"a0B0000000{i:05d}AAA", erp_id=f"INV-{i}") for i in range(30)]
    cids = [service.propose(any_store, e, "bob") for e in eids]
    service.approve(any_store, cids, "ann")
    enqueue(any_store, "ann")
    group = (run, "crm", "salesforce", "invoices")
    got: dict[str, list[int]] = {"w1": [], "w2": []}
    start = threading.Barrier(2)

    def work(name: str) -> None:
        start.wait()
        while True:
            ids = claim(any_store, name, "ann", group, 4)
            if not ids:
                return
            got[name].extend(ids)

    threads = [threading.Thread(target=work, args=(n,)) for n in got]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not set(got["w1"]) & set(got["w2"])
    assert sorted(got["w1"] + got["w2"]) == sorted(cids)
    with any_store.session() as s:
        rows = list(s.execute(select(Correction.id, Correction.claimed_by, Correction.attempts)))
    assert all(r.attempts == 1 and r.claimed_by in got and r.id in got[r.claimed_by] for r in rows)


def test_cancel_stops_between_batches_with_every_sent_batch_recorded(store, bc):
    cids, eids, recs = erp_city_corrections(store, bc, 6)
    progress = RecordingProgress()
    original = progress.set_progress

    def cancel_after_first_batch(done, total=None, message=""):
        original(done, total, message)
        if done >= 2:
            progress.cancel()

    progress.set_progress = cancel_after_first_batch
    with pytest.raises(Cancelled):
        service.push(store, "ann", state=progress, batch_size=2, backoff=FAST)
    states = [_corr(store, c).state for c in cids]
    assert states == ["applied", "applied", "queued", "queued", "queued", "queued"]
    assert [erp_version(bc, r["id"]) for r in recs] == [2, 2, 1, 1, 1, 1]
    rep = service.push(store, "ann", backoff=FAST)
    assert rep.counts["applied"] == 4 and [erp_version(bc, r["id"]) for r in recs] == [2] * 6


def _compound_city_and_postcode(store, bc):
    """One ERP customer whose city and postcode change together (one correction), proposed by
    bob over the ETag he saw, approved by ann. Returns (correction id, exception id, record)."""
    from workbench.config import from_dict
    from workbench.sources import open_source
    cfg = bc_config(bc)
    run = add_run(store, config=cfg)
    d = next(x for _, x, _ in bc.store.scan("customers"))
    src = open_source("erp", from_dict(cfg))
    try:
        seen = src.read_current("customers", [d["id"]], ["city"])[d["id"]]["version"]
    finally:
        src.close()
    eid = add_exception(
        store, run, type="customer.attribute_mismatch", crm_id=None, crm_object=None, erp_id=d["id"],
        erp_object="customers", field="city", crm_value="Springfield", erp_value=d["city"],
        customer_name=d["displayName"],
        proposal={"target_side": "erp", "target_system": "business_central", "object": "customers",
                  "record_id": d["id"], "field": "city", "from": d["city"], "to": "Springfield",
                  "version": seen, "needs_decision": False, "text": "The CRM owns the billing address",
                  "also": [{"field": "postcode", "from": d["postalCode"], "to": "62701"}]})
    cid = service.propose(store, eid, "bob")
    service.approve(store, [cid], "ann")
    return cid, eid, d


def test_a_compound_correction_writes_both_fields_of_a_business_central_record_with_one_approval(store, bc):
    """The version the approver saw is checked once: the correction's own first write (a new
    ETag) is not taken for someone else's change when its second field is written."""
    cid, eid, d = _compound_city_and_postcode(store, bc)
    rep = service.push(store, "ann", backoff=FAST)
    assert rep.counts["applied"] == 1 and rep.counts["conflict"] == rep.counts["dead_letter"] == 0
    assert rep.verified == {"agreed": 1, "still_differs": 0, "not_checked": 0}
    assert (erp_value(bc, d["id"], "city"), erp_value(bc, d["id"], "postalCode")) == ("Springfield", "62701")
    c = _corr(store, cid)
    assert c.state == "applied" and c.verification == "agreed"
    assert _exc(store, eid).status == "resolved"
    assert _actions(store, cid) == ["proposed", "approved", "queued", "pushing", "applied", "verified"]
    with store.session() as s:
        assert verify(s).ok


def test_a_compound_push_interrupted_after_its_first_field_finishes_the_second_without_rewriting_the_first(
        store, bc):
    cid, eid, d = _compound_city_and_postcode(store, bc)
    enqueue(store, "ann")
    group = (_corr(store, cid).run_id, "erp", "business_central", "customers")
    assert claim(store, "other-host:4242:deadbeef", "ann", group, 10) == [cid]
    set_erp_value(bc, d["id"], "city", "Springfield")  # the dead worker's first field had landed
    v = erp_version(bc, d["id"])
    rep = service.push(store, "ann", backoff=FAST, lease_seconds=0, recovery_grace=0.2)
    assert rep.counts["recovered_requeued"] == 1 and rep.counts["applied"] == 1
    assert erp_value(bc, d["id"], "postalCode") == "62701"
    assert erp_version(bc, d["id"]) == v + 1  # only the postcode was written
    assert _corr(store, cid).verification == "agreed" and _exc(store, eid).status == "resolved"


def test_a_compound_correction_over_a_record_someone_changed_writes_nothing_and_says_which_field(store, bc):
    cid, eid, d = _compound_city_and_postcode(store, bc)
    set_erp_value(bc, d["id"], "postalCode", "10001")  # a clerk changed the postcode after approval
    v = erp_version(bc, d["id"])
    rep = service.push(store, "ann", backoff=FAST)
    assert rep.counts["conflict"] == 1 and rep.counts["applied"] == 0
    assert erp_version(bc, d["id"]) == v and erp_value(bc, d["id"], "city") == d["city"]  # nothing written
    c = _corr(store, cid)
    assert c.state == "conflict" and "postcode" in c.last_error and "10001" in c.last_error
    # the field someone changed is the one named, with what the approver saw of it (not the city held back)
    assert c.last_error.startswith(f"changed in business_central since approval: postcode approved over "
                                   f"{d['postalCode']}, it now holds 10001")
    with store.session() as s:
        ev = s.execute(select(AuditEvent).where(AuditEvent.entity_id == str(cid),
                                                AuditEvent.action == "correction.conflict")).scalar_one()
    assert {f["field"]: f["outcome"] for f in ev.detail["fields"]} == {"city": "conflict", "postcode": "conflict"}
    assert _exc(store, eid).status == "reopened"


def test_a_compound_correction_with_one_refused_field_writes_none_of_the_record(store, bc):
    """Business Central takes a record's properties in one PATCH: a postcode too long for postalCode
    (20 characters in $metadata) keeps the city from being written too; the dead letter says nothing
    was written (field by field, the city landed and the address was left half-changed)."""
    run = add_run(store, config=bc_config(bc))
    d = next(x for _, x, _ in bc.store.scan("customers"))
    v = erp_version(bc, d["id"])
    eid = add_exception(
        store, run, type="customer.attribute_mismatch", crm_id=None, crm_object=None, erp_id=d["id"],
        erp_object="customers", field="city", crm_value="Springfield", erp_value=d["city"],
        proposal={"target_side": "erp", "target_system": "business_central", "object": "customers",
                  "record_id": d["id"], "field": "city", "from": d["city"], "to": "Springfield",
                  "needs_decision": False, "also": [{"field": "postcode", "from": d["postalCode"], "to": "62701" * 6}]})
    cid = service.propose(store, eid, "bob")
    service.approve(store, [cid], "ann")
    service.push(store, "ann", backoff=FAST)
    assert (erp_value(bc, d["id"], "city"), erp_value(bc, d["id"], "postalCode")) == (d["city"], d["postalCode"])
    assert erp_version(bc, d["id"]) == v  # no write reached the record
    c = _corr(store, cid)
    assert c.state == "dead_letter" and c.last_error.startswith("nothing written: ")
    assert "postalCode: holds at most 20 characters, the new value has 30" in c.last_error
    assert "city: not written: postcode cannot be" in c.last_error
    with store.session() as s:
        ev = s.execute(select(AuditEvent).where(AuditEvent.entity_id == str(cid),
                                                AuditEvent.action == "correction.failed")).scalar_one()
    assert {f["field"]: f["outcome"] for f in ev.detail["fields"]} == {"city": "permanent", "postcode": "permanent"}


def test_a_compound_write_refused_by_business_central_leaves_the_whole_record_as_it_was(store, bc):
    """Someone saves the customer between the push's read and its write: Business Central refuses the
    PATCH (412, stale etag). Field by field, the city was refused and the postcode then written with the
    new etag: half an address. Whole, nothing is written and the conflict names the record."""
    cid, eid, d = _compound_city_and_postcode(store, bc)
    bc.faults.change_before_write(times=1)
    rep = service.push(store, "ann", backoff=FAST)
    assert rep.counts["conflict"] == 1 and rep.counts["applied"] == 0
    assert (erp_value(bc, d["id"], "city"), erp_value(bc, d["id"], "postalCode")) == (d["city"], d["postalCode"])
    c = _corr(store, cid)
    assert c.state == "conflict" and "nothing written" in c.last_error and d["id"] in c.last_error
    with store.session() as s:
        ev = s.execute(select(AuditEvent).where(AuditEvent.entity_id == str(cid),
                                                AuditEvent.action == "correction.conflict")).scalar_one()
    assert {f["field"]: f["outcome"] for f in ev.detail["fields"]} == {"city": "conflict", "postcode": "conflict"}


def test_a_compound_correction_is_one_patch_of_the_record(store, bc):
    cid, eid, d = _compound_city_and_postcode(store, bc)
    v = erp_version(bc, d["id"])
    rep = service.push(store, "ann", backoff=FAST)
    assert rep.counts["applied"] == 1
    assert erp_version(bc, d["id"]) == v + 1  # one write for the two fields


def test_a_correction_to_a_record_deleted_in_business_central_is_a_dead_letter_that_says_so(store, bc):
    (gone, kept), (eid, _), recs = erp_city_corrections(store, bc, 2)
    assert bc.store.delete("customers", recs[0]["id"])  # someone deleted the customer after approval
    rep = service.push(store, "ann", backoff=FAST)
    assert rep.counts["applied"] == 1 and rep.counts["dead_letter"] == 1
    assert erp_value(bc, recs[1]["id"], "city") == "Springfield 1"
    c = _corr(store, gone)
    assert c.state == "dead_letter" and c.attempts == 1  # a deleted record is not retried
    assert c.last_error == f"Business Central: customers({recs[0]['id']}) no longer exists"
    e = _exc(store, eid)
    assert e.status == "reopened" and "no longer exists" in e.resolution


def test_the_sandbox_takes_a_patch_of_several_properties_whole_or_not_at_all(bc):
    """As Business Central does (one PATCH, one write transaction): a valid city beside a postcode too
    long for postalCode is refused with it; the same city beside a valid postcode lands with it, one write."""
    from tests.workbench.sandbox.erp.bc_http import first, patch
    cust = first(bc, "customers")
    refused = patch(bc, "customers", cust, {"city": "Springfield", "postalCode": "62701" * 6})
    assert refused.status_code == 400 and refused.json()["error"]["code"] == "Application_StringExceededLength"
    assert (erp_value(bc, cust["id"], "city"), erp_version(bc, cust["id"])) == (cust["city"], 1)
    done = patch(bc, "customers", cust, {"city": "Springfield", "postalCode": "62701"})
    assert done.status_code == 200 and (done.json()["city"], done.json()["postalCode"]) == ("Springfield", "62701")
    assert erp_version(bc, cust["id"]) == 2


def test_two_corrections_of_other_fields_of_one_record_are_both_written(store, bc):
    """Two exceptions of one customer (its city, its phone), each approved with the etag the run read: the
    first write moves the etag, and the second was a conflict every time ("approved over X, it now holds X").
    The connector follows the etag its own write gave; someone else's change is still a conflict
    (tests/workbench/sources/test_business_central.py, stale etag)."""
    from workbench.config import from_dict
    from workbench.sources import open_source
    cfg = bc_config(bc)
    run = add_run(store, config=cfg)
    d = next(x for _, x, _ in bc.store.scan("customers"))
    src = open_source("erp", from_dict(cfg))
    try:
        seen = src.read_current("customers", [d["id"]], ["city"])[d["id"]]["version"]
    finally:
        src.close()
    cids = []
    for n, (field, prop, to) in enumerate((("city", "city", "Springfield"), ("phone", "phoneNumber", "+1 555 0100"))):
        eid = add_exception(
            store, run, type="customer.attribute_mismatch", crm_id=f"0010000000000{n}0AAA", crm_object=None,
            erp_id=d["id"], erp_object="customers", field=field, crm_value=to, erp_value=d[prop],
            proposal={"target_side": "erp", "target_system": "business_central", "object": "customers",
                      "record_id": d["id"], "field": field, "from": d[prop], "to": to, "version": seen,
                      "needs_decision": False})
        cids.append(service.propose(store, eid, "bob"))
    service.approve(store, cids, "ann")
    rep = service.push(store, "ann", backoff=FAST)
    assert rep.counts["applied"] == 2 and rep.counts["conflict"] == 0
    assert (erp_value(bc, d["id"], "city"), erp_value(bc, d["id"], "phoneNumber")) == ("Springfield", "+1 555 0100")


def test_a_record_changed_elsewhere_since_approval_is_a_conflict_that_says_so(store, bc):
    """Someone else changed the customer's phone after the city correction was approved on its etag: a
    conflict, as before, but it said 'approved over Osaka, it now holds Osaka'."""
    cid, eid, d = _compound_city_and_postcode(store, bc)
    set_erp_value(bc, d["id"], "phoneNumber", "+1 555 0199")
    service.push(store, "ann", backoff=FAST)
    c = _corr(store, cid)
    assert c.state == "conflict" and "approved over" not in c.last_error
    assert c.last_error.startswith(f"changed in business_central since approval: city, postcode: Business Central "
                                   f"customers({d['id']}) changed since it was approved (etag ")
    assert c.last_error.endswith("city, postalCode still hold(s) what the approver saw: someone changed another "
                                 "field of it; nothing written")
    assert erp_value(bc, d["id"], "city") == d["city"]
