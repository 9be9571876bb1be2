"""From a real run over both sandboxes to corrected systems: propose, approve, push through the
Salesforce connector, re-read both sides, and see the exceptions gone on the next run."""

from __future__ import annotations

from sqlalchemy import select

from workbench.corrections import service
from workbench.corrections.outbox.push import Backoff
from workbench.sources.salesforce_mapping import DEFAULT_FIELDS
from workbench.store.schema import AuditEvent, Correction, ExceptionRow

ACCOUNT = DEFAULT_FIELDS["customers"]  # canonical field -> Account API field
FAST = Backoff(base=0.05, cap=0.2)
TEXT_FIELDS = {"xref", "name", "street", "city", "postcode", "country", "tax_id", "currency"}


def _sf(demo):
    return next(h for h in demo.handles if hasattr(h, "org"))


def _customer_proposals(store, run_id):
    from workbench.store import repo
    ex = repo.load_exceptions(store, run_id)
    rows = []
    for r in ex.to_dict("records"):
        p = r["proposal"]
        if (isinstance(p, dict) and p.get("target_side") == "crm" and p.get("object") == "customers"
                and p.get("field") in TEXT_FIELDS and not p.get("needs_decision")):
            rows.append(r)
    return rows


def _all_proposals(store, run_id):
    from workbench.store import repo
    ex = repo.load_exceptions(store, run_id)
    return [r for r in ex.to_dict("records")
            if isinstance(r["proposal"], dict) and not r["proposal"].get("needs_decision")]


def test_approved_fixes_land_in_salesforce_and_the_next_run_no_longer_finds_them(demo_run):
    from workbench.pipeline import execute_run
    demo, store, run_id = demo_run
    sf = _sf(demo)
    todo = _all_proposals(store, run_id)  # names, addresses, prices, balances, statuses, due dates...
    assert len(todo) >= 10 and len({r["proposal"]["object"] for r in todo}) >= 2
    cids = [service.propose(store, int(r["id"]), "bob") for r in todo]
    assert service.approve_matching(store, "ann", run_id=run_id) == sorted(cids)
    rep = service.push(store, "ann", backoff=FAST)
    assert rep.counts["applied"] == len(cids) and rep.counts["dead_letter"] == rep.counts["conflict"] == 0
    assert rep.verified["agreed"] == len(cids)
    for r in todo:
        p = r["proposal"]
        if p["object"] == "customers":
            rec = sf.record("Account", p["record_id"])
            assert str(rec[ACCOUNT[p["field"]]]) == str(p["to"])
    with store.session() as s:
        statuses = {e.status for e in s.execute(select(ExceptionRow).where(
            ExceptionRow.id.in_([int(r["id"]) for r in todo]))).scalars()}
    assert statuses == {"resolved"}
    # the proof a controller wants: the next run no longer reports them
    again = execute_run(demo.config, store, user="bob")
    from workbench.store import repo
    keys = set(repo.load_exceptions(store, again.run_id)["key"])
    assert not keys & {r["key"] for r in todo}


def test_a_value_someone_changed_in_salesforce_is_a_conflict_and_a_fix_that_still_differs_reopens(demo_run):
    demo, store, run_id = demo_run
    sf = _sf(demo)
    todo = [r for r in _customer_proposals(store, run_id) if r["proposal"]["field"] in ("city", "name", "street",
                                                                                       "postcode", "tax_id", "xref")]
    assert len(todo) >= 2
    first, second = todo[0], todo[1]
    c1 = service.propose(store, int(first["id"]), "bob")
    # the preparer types a value that is not what the ERP holds
    c2 = service.propose(store, int(second["id"]), "bob", to_value="Not what the ERP says")
    service.approve(store, [c1, c2], "ann")
    api = ACCOUNT[first["proposal"]["field"]]
    sf.edit("Account", first["proposal"]["record_id"], {api: "Edited by a rep"})
    rep = service.push(store, "ann", backoff=FAST)
    assert rep.counts["conflict"] == 1 and rep.counts["applied"] == 1
    with store.session() as s:
        a, b = s.get(Correction, c1), s.get(Correction, c2)
        assert a.state == "conflict" and "Edited by a rep" in a.last_error
        assert b.state == "applied" and b.verification == "still_differs"
        e2 = s.get(ExceptionRow, int(second["id"]))
        assert e2.status == "reopened" and "Not what the ERP says" in e2.resolution
        e1 = s.get(ExceptionRow, int(first["id"]))
        assert e1.status == "reopened" and "Edited by a rep" in e1.resolution
        ev = s.execute(select(AuditEvent).where(AuditEvent.action == "correction.conflict")).scalar_one()
        assert ev.detail["current"] == "Edited by a rep"
    assert sf.record("Account", first["proposal"]["record_id"])[api] == "Edited by a rep"


def test_a_correction_naming_its_salesforce_record_by_the_15_character_id_is_written_and_verified(demo_run):
    """An exception may name the CRM record as a report's CSV export does (15 characters); Salesforce reads back
    18. The push took it for a deleted record (a dead letter), and verification for one it could not read."""
    demo, store, run_id = demo_run
    sf = _sf(demo)
    r = _customer_proposals(store, run_id)[0]
    long = r["proposal"]["record_id"]
    with store.session() as s:
        row = s.get(ExceptionRow, int(r["id"]))
        row.crm_id = long[:15]
        row.proposal = {**row.proposal, "record_id": long[:15]}
    cid = service.propose(store, int(r["id"]), "bob")
    service.approve(store, [cid], "ann")
    rep = service.push(store, "ann", backoff=FAST)
    assert rep.counts["applied"] == 1 and rep.verified["agreed"] == 1, rep.results
    assert str(sf.record("Account", long)[ACCOUNT[r["proposal"]["field"]]]) == str(r["proposal"]["to"])
