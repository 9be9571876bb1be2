"""A trail known to have been changed outside the workbench holds every push until an approver or
admin acknowledges it, in the trail. Once a writer has recorded the change (trail.anchor_mismatch),
the anchor moves on and the chain verifies again: without the hold, the next push went ahead as if
nothing had happened. Against a Business Central sandbox over real HTTP."""

from __future__ import annotations

import contextlib
import io

import pytest
from sqlalchemy import select

from tests.workbench.corrections.conftest import erp_city_corrections, erp_value
from tests.workbench.corrections.test_push_guards import _rechain, _team
from workbench.cli import main
from workbench.corrections import service
from workbench.corrections.outbox.guards import ACKNOWLEDGED, TrailBroken, acknowledge_tamper
from workbench.corrections.outbox.push import Backoff
from workbench.errors import PermissionDenied, WorkbenchError
from workbench.store import anchor
from workbench.store.schema import AuditEvent, Correction

FAST = Backoff(base=0.05, cap=0.2)


def _cli(*argv: str) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(argv))
    return code, out.getvalue() + err.getvalue()


def _tamper(store, name: str = "September close") -> None:
    """A store editor changes an old event (the run's name) and re-chains the trail with the published rule."""
    with store.session() as s:
        ev = s.execute(select(AuditEvent).where(AuditEvent.action == "run.completed")).scalars().first()
        ev.detail = {**ev.detail, "name": name}
        s.flush()
        _rechain(s, ev.id)


def _mismatches(store) -> list[int]:
    with store.session() as s:
        return list(s.execute(select(AuditEvent.id).where(AuditEvent.action == anchor.MISMATCH)).scalars())


@pytest.fixture
def tampered(store, bc):
    """An approved correction; then the trail edited by SQL, and a later write through the workbench (bob
    proposing another correction) that records the edit as a trail.anchor_mismatch and moves the anchor on."""
    _team(store)
    (cid,), _, (rec,) = erp_city_corrections(store, bc, 1)
    _tamper(store)
    erp_city_corrections(store, bc, 1, start=1, approve=False)
    assert len(_mismatches(store)) == 1
    return cid, rec


def test_a_recorded_tampering_holds_pushes_until_an_approver_acknowledges_it(store, bc, tampered):
    cid, rec = tampered
    [mismatch] = _mismatches(store)
    with pytest.raises(TrailBroken, match=f"event {mismatch} of the audit trail records that it was changed outside "
                                          f"the workbench, and no approver or admin has acknowledged it"):
        service.push(store, "ann", backoff=FAST)
    assert erp_value(bc, rec["id"], "city") == rec["city"]
    with store.session() as s:
        assert s.get(Correction, cid).state == "approved"

    code, out = _cli("audit", "verify", "--db", store.url)
    assert code == 1 and f"corrections are not pushed until an approver or admin acknowledges event(s) {mismatch}" \
        in out

    code, out = _cli("audit", "acknowledge", "--reason", "run name edit checked with IT: a test rename",
                     "--db", store.url, "--user", "bob")
    assert code != 0 and "may not approve" in out  # a preparer cannot lift the hold
    code, out = _cli("audit", "acknowledge", "--reason", "run name edit checked with IT: a test rename",
                     "--db", store.url, "--user", "ann")
    assert code == 0 and f"ann acknowledged the change(s) of the audit trail recorded in event(s) {mismatch}" in out
    with store.session() as s:
        ack = s.execute(select(AuditEvent).where(AuditEvent.action == ACKNOWLEDGED)).scalar_one()
    assert (ack.actor, ack.detail["acknowledges"], ack.detail["reason"]) == \
        ("ann", [mismatch], "run name edit checked with IT: a test rename")

    rep = service.push(store, "ann", backoff=FAST)
    assert rep.counts["applied"] == 1 and erp_value(bc, rec["id"], "city") == "Springfield 0"
    code, out = _cli("audit", "verify", "--db", store.url)
    assert "corrections are not pushed until" not in out  # the change itself is still listed, for the auditor
    assert f"event {mismatch} (" in out


def test_a_second_tampering_after_an_acknowledgement_holds_pushes_again(store, bc, tampered):
    cid, rec = tampered
    with store.session() as s:
        acknowledge_tamper(s, "ann", "checked")
    _tamper(store, "August close")
    erp_city_corrections(store, bc, 1, start=2, approve=False)  # the next write records the second change
    first, second = _mismatches(store)
    with pytest.raises(TrailBroken, match=f"event {second} of the audit trail records"):
        service.push(store, "ann", backoff=FAST)
    assert erp_value(bc, rec["id"], "city") == rec["city"]


def test_an_acknowledgement_covers_only_what_was_recorded_before_it(store, bc, tampered):
    """Acknowledging while the trail was changed again since the last write: that write records the new change
    first, and it is not covered by the acknowledgement made without having seen it."""
    cid, rec = tampered
    _tamper(store, "August close")
    code, out = _cli("audit", "acknowledge", "--reason", "checked", "--db", store.url, "--user", "ann")
    assert code == 1 and "still waiting for an acknowledgement" in out
    assert len(_mismatches(store)) == 2
    with pytest.raises(TrailBroken, match="no approver or admin has acknowledged it"):
        service.push(store, "ann", backoff=FAST)
    assert erp_value(bc, rec["id"], "city") == rec["city"]


def test_an_acknowledgement_needs_a_reason_and_something_to_acknowledge(store, bc, tampered):
    with store.session() as s, pytest.raises(WorkbenchError, match="needs a reason"):
        acknowledge_tamper(s, "ann", "  ")
    with store.session() as s, pytest.raises(PermissionDenied):
        acknowledge_tamper(s, "bob", "checked")
    with store.session() as s, pytest.raises(WorkbenchError, match="is not a recorded change"):
        acknowledge_tamper(s, "ann", "checked", [1])
    with store.session() as s:
        acknowledge_tamper(s, "ann", "checked")
    with store.session() as s, pytest.raises(WorkbenchError, match="nothing to acknowledge"):
        acknowledge_tamper(s, "ann", "checked")


def test_a_trail_changed_while_a_push_runs_stops_it_before_the_next_claim(store, bc):
    """The check at the start of a push is repeated as each batch is claimed: a trail edited meanwhile
    stops the push before it claims (and so before it writes) anything more."""
    from workbench.corrections.outbox.push import claim, enqueue
    _team(store)
    (cid,), _, (rec,) = erp_city_corrections(store, bc, 1)
    enqueue(store, "ann")
    _tamper(store)
    with store.session() as s:
        group = (s.get(Correction, cid).run_id, "erp", "business_central", "customers")
    with pytest.raises(TrailBroken, match="push stopped: the audit trail ends at event"):
        claim(store, "me", "ann", group, 10)
    with store.session() as s:
        assert s.get(Correction, cid).state == "queued"  # not claimed, so never sent
