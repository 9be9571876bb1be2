"""Proposing, approving, rejecting and waiving corrections: rules a controller relies on."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from tests.workbench.corrections.conftest import add_exception, add_run
from workbench.store.trail import verify
from workbench.corrections import service
from workbench.errors import IllegalTransition, InputError, PermissionDenied, StaleState
from workbench.store.schema import AuditEvent, Correction, ExceptionRow
from workbench.team.users import add_user


def _events(store, action=None):
    with store.session() as s:
        q = select(AuditEvent).order_by(AuditEvent.id)
        if action:
            q = q.where(AuditEvent.action == action)
        return list(s.execute(q).scalars())


def _exc(store, eid):
    with store.session() as s:
        return s.get(ExceptionRow, eid)


def _corr(store, cid):
    with store.session() as s:
        return s.get(Correction, cid)


def test_propose_takes_the_exceptions_proposal_and_puts_it_in_review(any_store):
    run = add_run(any_store)
    eid = add_exception(any_store, run)
    cid = service.propose(any_store, eid, "bob")
    c = _corr(any_store, cid)
    assert (c.state, c.target_side, c.target_system, c.target_object, c.field) == (
        "proposed", "crm", "salesforce", "invoices", "open_balance")
    assert Decimal(c.from_value) == Decimal("100.00") and Decimal(c.to_value) == Decimal("90.00")
    assert c.seen_version == "2026-10-30T10:00:00.000+0000"
    assert c.preparer == "bob" and c.idempotency_key
    assert _exc(any_store, eid).status == "in_review"
    ev = _events(any_store, "correction.proposed")[-1]
    assert ev.actor == "bob" and ev.entity_id == str(cid)
    assert ev.detail["before"] == "100.00" and ev.detail["after"] == "90.00"
    assert ev.detail["seen_version"] == "2026-10-30T10:00:00.000+0000"


def test_a_manual_value_is_checked_against_the_fields_type(store):
    run = add_run(store)
    eid = add_exception(store, run)
    with pytest.raises(InputError, match=r"exception \d+, field 'open_balance'.*not an amount"):
        service.propose(store, eid, "bob", to_value="12,3x")
    with pytest.raises(InputError, match="not a date.*YYYY-MM-DD"):
        service.propose(store, eid, "bob", field="due_date", to_value="31/10/2026")
    with pytest.raises(InputError, match="not a currency code.*ISO 4217"):
        service.propose(store, eid, "bob", field="currency", to_value="EURO")
    with pytest.raises(InputError, match="not an invoice status"):
        service.propose(store, eid, "bob", field="status", to_value="settled")
    assert service.list_corrections(store).empty  # nothing half-written
    cid = service.propose(store, eid, "bob", field="due_date", to_value="2026-11-30", reason="per contract")
    c = _corr(store, cid)
    assert c.to_value == "2026-11-30" and c.reason == "per contract"
    df = service.list_corrections(store, ids=[cid])
    assert df.loc[0, "to_value"] == date(2026, 11, 30)


def test_a_proposal_that_needs_a_decision_wants_a_value(store):
    run = add_run(store)
    eid = add_exception(store, run, type="customer.attribute_mismatch", crm_object="customers",
                        erp_object="customers", field="name", crm_value="Adatum Corp", erp_value="Adatum Corporation",
                        proposal={"target_side": "erp", "object": "customers", "record_id": "INV-1",
                                  "field": "name", "from": "Adatum Corporation", "to": "Adatum Corp",
                                  "needs_decision": True, "reason": "which name is the legal one?"})
    with pytest.raises(InputError, match="needs a decision.*legal one"):
        service.propose(store, eid, "bob")
    cid = service.propose(store, eid, "bob", to_value="Adatum Corporation Ltd")
    assert _corr(store, cid).to_value == "Adatum Corporation Ltd"
    assert _corr(store, cid).target_system == "business_central"  # from the run's config


def test_nothing_to_propose_when_the_value_is_already_there_or_already_proposed(store):
    run = add_run(store)
    eid = add_exception(store, run)
    with pytest.raises(InputError, match="already holds 100.00"):
        service.propose(store, eid, "bob", to_value="100.0")
    cid = service.propose(store, eid, "bob")
    with pytest.raises(IllegalTransition, match=f"already has correction {cid} \\(proposed\\)"):
        service.propose(store, eid, "cara")


def test_maker_checker_the_preparer_cannot_approve(any_store):
    run = add_run(any_store)
    cid = service.propose(any_store, add_exception(any_store, run), "bob")
    with pytest.raises(PermissionDenied, match=f"correction {cid} was prepared by bob.*maker-checker"):
        service.approve(any_store, [cid], "bob")
    assert _corr(any_store, cid).state == "proposed"
    assert service.approve(any_store, [cid], "ann", reason="checked the remittance") == [cid]
    c = _corr(any_store, cid)
    assert (c.state, c.approver) == ("approved", "ann") and c.approved_at is not None
    ev = _events(any_store, "correction.approved")[-1]
    assert ev.actor == "ann" and ev.detail["reason"] == "checked the remittance"
    assert ev.detail["state_before"] == "proposed" and ev.detail["preparer"] == "bob"


def test_roles_are_enforced_once_users_are_registered(store):
    with store.session() as s:
        add_user(s, "ann", ["approver"])
        add_user(s, "bob", ["preparer"])
        add_user(s, "dora", ["auditor"])
    run = add_run(store)
    eid = add_exception(store, run)
    with pytest.raises(PermissionDenied, match="'dora' \\(auditor\\) may not prepare"):
        service.propose(store, eid, "dora")
    with pytest.raises(PermissionDenied, match="'zed' is not a registered workbench user"):
        service.propose(store, eid, "zed")
    cid = service.propose(store, eid, "bob")
    with pytest.raises(PermissionDenied, match="'bob' \\(preparer\\) may not approve"):
        service.approve(store, [cid], "bob")
    with pytest.raises(PermissionDenied, match="may not push"):
        service.push(store, "dora")
    with pytest.raises(PermissionDenied, match="may not waive"):
        service.waive(store, [eid], "bob", "immaterial")
    service.approve(store, [cid], "ann")


def test_bulk_approval_is_all_or_nothing_with_one_event_per_correction(store):
    run = add_run(store)
    ids = [service.propose(store, add_exception(store, run, crm_id=f"a0B00000000000{i}AAA", erp_id=f"INV-{i}"), "bob")
           for i in range(3)]
    own = service.propose(store, add_exception(store, run, crm_id="a0B000000000009AAA", erp_id="INV-9"), "ann")
    before = len(_events(store, "correction.approved"))
    with pytest.raises(PermissionDenied):
        service.approve(store, ids + [own], "ann")
    assert len(_events(store, "correction.approved")) == before
    assert set(service.list_corrections(store)["state"]) == {"proposed"}
    service.approve(store, ids, "ann")
    evs = _events(store, "correction.approved")
    assert sorted(int(e.entity_id) for e in evs) == sorted(ids)


def test_illegal_and_stale_steps_are_refused_with_one_line(store):
    run = add_run(store)
    cid = service.propose(store, add_exception(store, run), "bob")
    v1 = _corr(store, cid).version
    service.approve(store, [cid], "ann")
    with pytest.raises(StaleState, match=f"correction {cid} is already approved by ann"):
        service.approve(store, [cid], "cara")
    with pytest.raises(StaleState, match="changed since you loaded it"):
        service.reject(store, [cid], "cara", "wrong", versions={cid: v1})
    with pytest.raises(IllegalTransition, match=f"correction {cid} is approved; it cannot become rejected"):
        service.reject(store, [cid], "cara", "wrong")
    with pytest.raises(IllegalTransition, match="only dead letters can be replayed"):
        service.replay(store, [cid], "ann")
    with pytest.raises(InputError, match="correction 999 does not exist"):
        service.approve(store, [999], "ann")
    with pytest.raises(InputError, match="a reason is required"):
        service.reject(store, [cid], "ann", " ")


def test_reject_sends_the_exception_back_to_open(store):
    run = add_run(store)
    eid = add_exception(store, run)
    cid = service.propose(store, eid, "bob")
    service.reject(store, [cid], "ann", "the CRM balance is right; payment posted late in ERP")
    assert _corr(store, cid).state == "rejected"
    assert _exc(store, eid).status == "open"
    ev = _events(store, "correction.rejected")[-1]
    assert ev.detail["reason"].startswith("the CRM balance is right")
    service.propose(store, eid, "bob")  # can be proposed again


def test_waive_closes_the_exception_and_its_open_corrections(store):
    run = add_run(store)
    eid = add_exception(store, run)
    cid = service.propose(store, eid, "bob")
    service.approve(store, [cid], "ann")
    service.waive(store, [eid], "ann", "under the materiality threshold")
    e = _exc(store, eid)
    assert (e.status, e.resolution) == ("waived", "under the materiality threshold")
    assert _corr(store, cid).state == "waived"
    with pytest.raises(IllegalTransition, match="already waived"):
        service.waive(store, [eid], "ann", "again")
    with pytest.raises(IllegalTransition, match="exception .* is waived; corrections can only be proposed"):
        service.propose(store, eid, "bob")


def test_list_filters_and_approve_all_matching(store):
    run = add_run(store)
    a = service.propose(store, add_exception(store, run, customer_name="Adatum Corporation"), "bob")
    b = service.propose(store, add_exception(store, run, type="invoice.due_date_mismatch", field="due_date",
                                             crm_value="2026-10-01", erp_value="2026-10-15",
                                             crm_id="a0B000000000002AAA", erp_id="INV-2",
                                             customer_name="Fabrikam"), "bob")
    c = service.propose(store, add_exception(store, run, crm_id="a0B000000000003AAA", erp_id="INV-3",
                                             customer_name="Contoso"), "ann")
    assert list(service.list_corrections(store, customer="adatum")["id"]) == [a]
    assert set(service.list_corrections(store, exception_type="invoice.balance_mismatch")["id"]) == {a, c}
    with pytest.raises(InputError, match="unknown state 'done'"):
        service.list_corrections(store, state="done")
    # ann's own proposal c matches too but is left for someone else
    assert service.approve_matching(store, "ann", exception_type="invoice.balance_mismatch") == [a]
    assert service.counts(store) == {"approved": 1, "proposed": 2}
    df = service.list_corrections(store, state="proposed")
    assert set(df["id"]) == {b, c}
    assert df.set_index("id").loc[b, "to_value"] == date(2026, 10, 15)


def test_every_step_is_on_an_intact_hash_chain(store):
    run = add_run(store)
    eid = add_exception(store, run)
    cid = service.propose(store, eid, "bob")
    service.approve(store, [cid], "ann")
    res = _verify(store)
    assert res.ok and res.checked == len(_events(store)) >= 3


def _verify(store):
    with store.session() as s:
        return verify(s)


def test_corrections_of_both_sides_of_one_exception_must_bring_the_field_to_one_value(store):
    """CRM := the ERP's 90.00 beside ERP := the CRM's 100.00 would swap the balances, not settle them."""
    eid = add_exception(store, add_run(store))
    first = service.propose(store, eid, "bob")  # the engine's: CRM open_balance 100.00 -> 90.00
    with pytest.raises(IllegalTransition, match=rf"exception {eid}: correction {first} \(proposed\) already sets the "
                                                r"CRM field 'open_balance' to 90\.00; setting the ERP one to 100\.00 "
                                                r"would leave the two differing; propose 90\.00 or reject that one"):
        service.propose(store, eid, "bob", target_side="erp", to_value="100.00")
    both_wrong = add_exception(store, add_run(store), crm_id="a0B000000000002AAA", erp_id="INV-2")
    service.propose(store, both_wrong, "bob", to_value="95.00")
    service.propose(store, both_wrong, "bob", target_side="erp", to_value="95.00")  # both to one value: fine


@pytest.mark.parametrize("typed, shown", [("\u202edleifgnirpS", "U+202E RIGHT-TO-LEFT OVERRIDE (character 1)"),
                                          ("Spring\x00field", "U+0000 a control character (character 7)")])
def test_a_typed_value_that_shows_other_than_it_is_written_is_refused(store, typed, shown):
    eid = add_exception(store, add_run(store), type="customer.attribute_mismatch", crm_object="customers",
                        erp_object="customers", field="city", crm_value="Springfield", erp_value="Shelbyville",
                        proposal=None)
    with pytest.raises(InputError, match=rf"exception {eid}, field 'city': the new value holds {re.escape(shown)}, "
                                         "which makes it show other than it is written; type the value without it"):
        service.propose(store, eid, "bob", target_side="erp", to_value=typed)
    assert service.list_corrections(store).empty
    # a name written with a joiner, as several scripts write names, is a value like any other
    service.propose(store, eid, "bob", target_side="erp", to_value="\u0d15\u0d4d\u200d")


@pytest.mark.parametrize("typed, why", [
    ("90.001", "open_balance 90.001 has 3 decimals; EUR amounts have 2, expected an amount in whole EUR minor "
               "units, such as 0.01"),
    ("1e400", "open_balance 1E+400 is too large for an amount, expected at most 15 digits before the decimal point")])
def test_a_typed_amount_no_ledger_can_hold_is_refused(store, typed, why):
    eid = add_exception(store, add_run(store))  # an EUR invoice's open balance
    with pytest.raises(InputError, match=re.escape(f"exception {eid}, field 'open_balance': {why}")):
        service.propose(store, eid, "bob", to_value=typed)
    assert service.list_corrections(store).empty
    assert service.propose(store, eid, "bob", to_value="90.100")  # trailing zeros are the same cents


def test_a_salesforce_record_named_by_its_15_character_id_is_the_record_of_its_18_character_id(store):
    """A report's CSV export names records by 15 characters, the API by 18: one record, one correction."""
    first = service.propose(store, add_exception(store, add_run(store), crm_id="a0B000000000001EAA"), "bob")
    again = add_exception(store, add_run(store), crm_id="a0B000000000001")
    with pytest.raises(IllegalTransition, match=f"correction {first} \\(proposed, exception 1\\) already changes CRM "
                                                "invoices a0B000000000001 field 'open_balance'"):
        service.propose(store, again, "bob")


def test_who_won_a_race_to_approve_and_reject_is_named_to_the_one_who_lost(store):
    """Approve and reject at the same moment: the loser read 'correction 1 is rejected; only a proposed
    correction can be approved', without who did it or when."""
    cid = service.propose(store, add_exception(store, add_run(store)), "ann")
    service.reject(store, [cid], "bob", "not this way")
    with pytest.raises(IllegalTransition, match=rf"correction {cid} is rejected by bob at \d{{4}}-\d\d-\d\d \d\d:\d\d "
                                                rf"UTC; only a proposed correction can be approved"):
        service.approve(store, [cid], "carol")
