"""What stops a push before it writes: an approver who left, a store edited behind the trail's
back, two corrections of one field. Against a Business Central sandbox over real HTTP."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update

from tests.workbench.corrections.conftest import add_exception, add_run, any_store as any_store, \
    erp_city_corrections, erp_value, erp_version
from workbench.corrections import service
from workbench.corrections.outbox.guards import TrailBroken
from workbench.corrections.outbox.push import Backoff
from workbench.errors import IllegalTransition
from workbench.store import trail
from workbench.store.schema import AuditEvent, Correction
from workbench.team.users import register_user, remove_user

FAST = Backoff(base=0.05, cap=0.2)


def _corr(store, cid):
    with store.session() as s:
        return s.get(Correction, cid)


def _actions(store, cid):
    with store.session() as s:
        return [e.action.split(".", 1)[1] for e in s.execute(
            select(AuditEvent).where(AuditEvent.entity_type == "correction", AuditEvent.entity_id == str(cid))
            .order_by(AuditEvent.id)).scalars()]


def _team(store):
    with store.session() as s:
        register_user(s, "root", "root", ["admin"])
        register_user(s, "root", "bob", ["preparer"])
        register_user(s, "root", "ann", ["approver"])
        register_user(s, "root", "carl", ["approver"])


# ---------------------------------------------------------------- the approver's standing


def test_a_correction_approved_by_a_user_deactivated_since_is_held_until_approved_again(any_store, bc):
    store = any_store
    _team(store)
    (cid,), _, (rec,) = erp_city_corrections(store, bc, 1)
    written = erp_version(bc, rec["id"])
    with store.session() as s:
        remove_user(s, "root", "ann")

    rep = service.push(store, "carl", backoff=FAST)
    assert rep.refused == [f"correction {cid} not pushed: its approver ann has since been deactivated; an active "
                           f"approver must approve it again (workbench corrections approve {cid})"]
    assert rep.counts["applied"] == 0 and erp_version(bc, rec["id"]) == written  # nothing sent
    assert _corr(store, cid).state == "approved"
    row = service.list_corrections(store, ids=[cid]).iloc[0]
    assert "ann has since been deactivated" in row["state_reason"]
    service.push(store, "carl", backoff=FAST)  # said once in the trail, not at every push
    assert _actions(store, cid) == ["proposed", "approved", "held"]

    service.approve(store, [cid], "carl", reason="ann left; checked again")
    rep = service.push(store, "carl", backoff=FAST)
    assert rep.counts["applied"] == 1 and erp_value(bc, rec["id"], "city") == "Springfield 0"
    assert _corr(store, cid).approver == "carl"
    with store.session() as s:  # the hold and the second approval replay as the table holds them
        from workbench.corrections.proof import check_store
        assert check_store(s).problems == [] and trail.verify(s).ok


def test_an_approver_who_lost_the_approver_role_no_longer_stands_behind_a_queued_correction(store, bc):
    _team(store)
    (cid,), _, (rec,) = erp_city_corrections(store, bc, 1)
    with store.session() as s:  # queued by a push that could not reach the ERP, then ann became a preparer
        s.execute(update(Correction).where(Correction.id == cid).values(state="queued", version=3))
        trail.append(s, actor="carl", action="correction.queued", entity_type="correction", entity_id=cid,
                     run_id=_corr(store, cid).run_id,
                     detail={**_last_detail(s, cid), "state_before": "approved", "state_after": "queued"})
        register_user(s, "root", "ann", ["preparer"])
    rep = service.push(store, "carl", backoff=FAST)
    assert rep.refused and "its approver ann may no longer approve (roles now: preparer)" in rep.refused[0]
    assert _corr(store, cid).state == "queued" and erp_value(bc, rec["id"], "city") == rec["city"]


def _last_detail(s, cid):
    return s.execute(select(AuditEvent.detail).where(AuditEvent.entity_id == str(cid))
                     .order_by(AuditEvent.id.desc()).limit(1)).scalar()


def test_a_correction_approved_by_a_current_approver_cannot_be_approved_twice(store, bc):
    _team(store)
    (cid,), _, _ = erp_city_corrections(store, bc, 1)
    with pytest.raises(Exception, match="already approved by ann"):
        service.approve(store, [cid], "carl")


# ---------------------------------------------------------------- the trail behind the approval


def _rechain(s, first_id: int) -> None:
    """What a store editor who knows the published rule does after editing event ``first_id``."""
    prev = s.execute(select(AuditEvent.hash).where(AuditEvent.id == first_id - 1)).scalar()
    for ev in s.execute(select(AuditEvent).where(AuditEvent.id >= first_id).order_by(AuditEvent.id)).scalars():
        ev.prev_hash = prev
        ev.hash = prev = trail.event_hash(prev, ev.id, ev.at, ev.actor, ev.action, ev.entity_type, ev.entity_id,
                                          ev.run_id, ev.detail)


def _rewrite_value(store, cid, value: str, *, rechain: bool) -> None:
    """The approved new value changed by SQL, in the row and in every event that carries it."""
    with store.session() as s:
        s.execute(update(Correction).where(Correction.id == cid).values(to_value=value))
        evs = list(s.execute(select(AuditEvent).where(AuditEvent.entity_type == "correction",
                                                      AuditEvent.entity_id == str(cid))).scalars())
        for ev in evs:
            ev.detail = {**ev.detail, "after": value}
        s.flush()
        if rechain:
            _rechain(s, evs[0].id)


@pytest.mark.parametrize("rechain", [False, True], ids=["edited", "edited-and-rechained"])
def test_a_new_value_changed_by_sql_after_approval_is_not_pushed_even_with_its_events(store, bc, rechain):
    # SQLite: PostgreSQL stores refuse the UPDATE of an event outright (append-only trigger)
    (cid,), _, (rec,) = erp_city_corrections(store, bc, 1)
    _rewrite_value(store, cid, "Gotham", rechain=rechain)
    with store.session() as s:  # the row and its events agree: only the chain and its anchor tell
        from workbench.corrections.proof import approval_refusals
        assert approval_refusals(s, [s.get(Correction, cid)]) == {}
    events = _event_count(store)
    with pytest.raises(TrailBroken, match="nothing pushed: the audit trail that proves the approvals does not "
                                          "hold: " + ("the trail's last event .* does not have the hash its anchor"
                                                      if rechain else r"event \d+ \(.*\) was altered after")):
        service.push(store, "ann", backoff=FAST)
    assert erp_value(bc, rec["id"], "city") == rec["city"] and _corr(store, cid).state == "approved"
    assert _event_count(store) == events  # nothing chained onto the altered trail


def _event_count(store):
    with store.session() as s:
        return trail.head(s)[0]


# ---------------------------------------------------------------- one field, one correction


def test_a_second_correction_of_the_same_field_from_another_exception_is_refused_naming_the_first(store, bc):
    (cid,), (eid,), (rec,) = erp_city_corrections(store, bc, 1)
    later = add_run(store)  # the next run finds the same difference again
    again = add_exception(store, later, type="customer.attribute_mismatch", crm_id=None, crm_object=None,
                          erp_id=rec["id"], erp_object="customers", field="city", crm_value="Springfield 0",
                          erp_value=rec["city"], proposal={
                              "target_side": "erp", "target_system": "business_central", "object": "customers",
                              "record_id": rec["id"], "field": "city", "from": rec["city"], "to": "Shelbyville",
                              "needs_decision": False})
    with pytest.raises(IllegalTransition, match=f"correction {cid} \\(approved, exception {eid}\\) already changes "
                                                f"ERP customers {rec['id']} field 'city' to Springfield 0; reject "
                                                "or waive that one first"):
        service.propose(store, again, "bob")


def _duplicate(store, cid: int, to: str, approver: str = "ann") -> int:
    """A second approved correction of ``cid``'s field, with its proposal and approval in the trail,
    as stores from before the proposal refused it hold them."""
    with store.session() as s:
        c = s.get(Correction, cid)
        d = Correction(exception_id=c.exception_id, run_id=c.run_id, target_side=c.target_side,
                       target_system=c.target_system, target_object=c.target_object, target_record=c.target_record,
                       field=c.field, from_value=c.from_value, to_value=to, state="approved", preparer="bob",
                       prepared_at=c.prepared_at, approver=approver, approved_at=c.approved_at,
                       idempotency_key=f"{c.idempotency_key}-2", attempts=0, version=2)
        s.add(d)
        s.flush()
        shown = {"exception_id": d.exception_id, "target": {"side": d.target_side, "system": d.target_system,
                 "object": d.target_object, "record": d.target_record, "field": d.field},
                 "before": d.from_value, "after": to, "seen_version": None, "idempotency_key": d.idempotency_key}
        trail.append(s, actor="bob", action="correction.proposed", entity_type="correction", entity_id=d.id,
                     run_id=d.run_id, detail={**shown, "state_before": None, "state_after": "proposed", "version": 1})
        trail.append(s, actor=approver, action="correction.approved", entity_type="correction", entity_id=d.id,
                     run_id=d.run_id, detail={**shown, "state_before": "proposed", "state_after": "approved",
                                              "approver": approver, "version": 2})
        return d.id


def test_of_two_active_corrections_of_one_field_a_push_writes_only_the_older(store, bc):
    (first,), (eid,), (rec,) = erp_city_corrections(store, bc, 1)
    second = _duplicate(store, first, "Shelbyville")
    before = erp_version(bc, rec["id"])
    rep = service.push(store, "ann", backoff=FAST)
    assert rep.counts["applied"] == 1 and erp_version(bc, rec["id"]) == before + 1
    assert erp_value(bc, rec["id"], "city") == "Springfield 0"
    assert rep.refused == [f"correction {second} not pushed: correction {first} (approved) already changes ERP "
                           f"customers {rec['id']} field 'city'; waive the exception of one of them "
                           f"({eid})"]
    assert _corr(store, second).state == "approved"
    # the older one written, the later one finds the record no longer as its approver saw it
    rep = service.push(store, "ann", backoff=FAST)
    assert rep.counts["conflict"] == 1 and _corr(store, second).state == "conflict"
    assert erp_version(bc, rec["id"]) == before + 1 and erp_value(bc, rec["id"], "city") == "Springfield 0"


# ---------------------------------------------------------------- the exception it corrects


def test_a_correction_whose_exception_was_resolved_by_hand_meanwhile_is_waived_not_written(any_store, bc):
    from workbench.team.concurrency import get_exception, resolve
    store = any_store
    (cid,), (eid,), (rec,) = erp_city_corrections(store, bc, 1)
    resolve(store, eid, "carl", get_exception(store, eid)["version"], "customer moved back; fixed at the source")
    before = erp_version(bc, rec["id"])
    rep = service.push(store, "ann", backoff=FAST)
    assert rep.refused == [f"correction {cid} not pushed: its exception {eid} was resolved meanwhile (customer "
                           "moved back; fixed at the source); the correction is waived"]
    assert erp_version(bc, rec["id"]) == before and erp_value(bc, rec["id"], "city") == rec["city"]
    c = _corr(store, cid)
    assert c.state == "waived" and _actions(store, cid)[-1] == "waived"
    assert "exception" in service.list_corrections(store, ids=[cid]).iloc[0]["state_reason"]


def test_a_correction_whose_difference_was_waived_in_a_later_run_is_waived_not_written(store, bc):
    """October's approved correction, the same difference found again in November and waived there."""
    (cid,), (eid,), (rec,) = erp_city_corrections(store, bc, 1)
    november = add_run(store)
    again = add_exception(store, november, type="customer.attribute_mismatch", crm_id=None, crm_object=None,
                          erp_id=rec["id"], erp_object="customers", field="city", crm_value="Springfield 0",
                          erp_value=rec["city"], proposal=None)
    service.waive(store, [again], "carl", "the customer keeps its old city")
    rep = service.push(store, "ann", backoff=FAST)
    assert rep.refused == [f"correction {cid} not pushed: exception {again} (the same difference in run {november}) "
                           "was waived meanwhile (the customer keeps its old city); the correction is waived"]
    assert erp_value(bc, rec["id"], "city") == rec["city"] and _corr(store, cid).state == "waived"


# ---------------------------------------------------------------- where the write goes


def test_a_run_config_edited_in_the_store_after_the_run_is_not_pushed_with(store, bc):
    """Pointing the stored ERP config at another company (or mapping a field elsewhere) would send
    the approved value somewhere no one approved."""
    from workbench.store.schema import Run
    (cid,), _, (rec,) = erp_city_corrections(store, bc, 1)
    run_id = _corr(store, cid).run_id
    with store.session() as s:
        run = s.get(Run, run_id)
        erp = dict(run.config["erp"])
        erp["business_central"] = {**erp["business_central"], "company": "CRONUS elsewhere"}
        run.config = {**run.config, "erp": erp}
    rep = service.push(store, "ann", backoff=FAST)
    assert rep.requests == 0 and erp_value(bc, rec["id"], "city") == rec["city"]  # nothing sent anywhere
    assert len(rep.errors) == 1 and (f"run {run_id}'s stored config is not the one the audit trail proves"
                                     in rep.errors[0])
    assert _corr(store, cid).state == "queued"
