"""The engine's status fix on an invoice whose balance differs too, end to end over the real
sandboxes: one correction changes status and open balance, one approval by a second user, one
write to Salesforce, verification of the whole record, and the next run is clean on it (the
issue-18 regression: status alone left a new invoice.balance_mismatch on the same invoice)."""

from __future__ import annotations

from sqlalchemy import select

from workbench.corrections import service
from workbench.corrections.outbox.push import Backoff
from workbench.corrections.proof import approval_refusals
from workbench.store import repo
from workbench.store.schema import AuditEvent, Correction, ExceptionRow

FAST = Backoff(base=0.05, cap=0.2)


def _status_fix_with_balance(store, run_id):
    ex = repo.load_exceptions(store, run_id)
    rows = [r for r in ex.to_dict("records") if r["type"] == "invoice.status_mismatch"
            and isinstance(r["proposal"], dict) and r["proposal"].get("also")]
    assert rows, "the demo has an invoice whose status and open balance both differ"
    return rows[0]


def _invoice_findings(store, run_id, crm_id):
    ex = repo.load_exceptions(store, run_id)
    return ex[(ex["crm_id"] == crm_id) & ex["type"].str.startswith(("invoice.", "timing."))]


def test_approving_the_engines_status_fix_leaves_the_next_run_clean_on_that_invoice(demo_run):
    from workbench.pipeline import execute_run
    demo, store, run_id = demo_run
    exc = _status_fix_with_balance(store, run_id)
    prop = exc["proposal"]
    assert prop["field"] == "status" and [a["field"] for a in prop["also"]] == ["open_balance"]

    cid = service.propose(store, int(exc["id"]), "bob")
    with store.session() as s:
        c = s.get(Correction, cid)
        assert (c.field, c.to_value) == ("status", prop["to"])
        assert [(a["field"], a["to"]) for a in c.also] == [("open_balance", prop["also"][0]["to"])]
        assert c.reason == prop["text"]  # the sentence, not the rule, is the reason a person reads
    assert service.approve(store, [cid], "ann") == [cid]
    rep = service.push(store, "ann", backoff=FAST)
    assert rep.counts["applied"] == 1 and rep.counts["conflict"] == rep.counts["dead_letter"] == 0
    assert rep.verified == {"agreed": 1, "still_differs": 0, "not_checked": 0}

    with store.session() as s:
        c = s.get(Correction, cid)
        assert c.state == "applied" and c.verification == "agreed"
        assert s.get(ExceptionRow, int(exc["id"])).status == "resolved"
        events = list(s.execute(select(AuditEvent).where(AuditEvent.entity_type == "correction",
                                                         AuditEvent.entity_id == str(cid))
                                .order_by(AuditEvent.id)).scalars())
        # every step carries each field's before and after
        proposed = events[0].detail
        assert (proposed["before"], proposed["after"]) == (prop["from"], prop["to"])
        assert proposed["also"] == [{"field": "open_balance", "from": prop["also"][0]["from"],
                                     "to": prop["also"][0]["to"]}]
        assert all(e.detail.get("also") == proposed["also"] for e in events if e.action != "correction.verified")
        applied = next(e for e in events if e.action == "correction.applied")
        assert [f["field"] for f in applied.detail["fields"]] == ["status", "open_balance"]
        verified = events[-1].detail
        assert verified["verification"] == "agreed"
        assert {"status", "open_balance", "total_amount"} <= set(verified["compared"])
        assert rep.requests == 1  # one push call for the record's two fields

    again = execute_run(demo.config, store, user="bob")
    left = _invoice_findings(store, again.run_id, exc["crm_id"])
    assert left.empty, list(zip(left["type"], left["message"]))

    # the auditor's workbook names the further field the one approval also changed
    import openpyxl

    from workbench.export.workbook import write_workbook
    from workbench.model.labels import value_text
    path = demo.workdir / "compound.xlsx"
    write_workbook(store, run_id, path)
    rows = list(openpyxl.load_workbook(path, read_only=True)["Corrections"].iter_rows(values_only=True))
    row = dict(zip(rows[0], next(r for r in rows[1:] if r[0] == cid), strict=True))
    also = prop["also"][0]
    assert row["Field code"] == "status" and row["Further changes"] == (
        f"Open balance: {value_text(also['from'], 'open_balance', exc['currency'])} → "
        f"{value_text(also['to'], 'open_balance', exc['currency'])}")


def test_a_tampered_second_field_is_refused_by_the_trail(demo_run):
    demo, store, run_id = demo_run
    exc = _status_fix_with_balance(store, run_id)
    cid = service.propose(store, int(exc["id"]), "bob")
    service.approve(store, [cid], "ann")
    with store.session() as s:
        c = s.get(Correction, cid)
        c.also = [{**c.also[0], "to": "1.00"}]  # changed in the table, behind the trail's back
    with store.session() as s:
        refused = approval_refusals(s, [s.get(Correction, cid)])
    assert "also changes" in refused[cid]


def test_the_engines_value_typed_in_by_hand_takes_its_whole_fix(demo_run):
    """The app fills the engine's value into the value box: proposing with it is taking the fix."""
    demo, store, run_id = demo_run
    exc = _status_fix_with_balance(store, run_id)
    cid = service.propose(store, int(exc["id"]), "bob", field="status", to_value=exc["proposal"]["to"].upper())
    with store.session() as s:
        assert [a["field"] for a in s.get(Correction, cid).also] == ["open_balance"]


def test_a_single_field_correction_verifies_the_rest_of_the_record_too(demo_run):
    """A status fix proposed by an older version (no further fields): the balance still differs,
    so verification says so (and the exception reopens) instead of calling the invoice resolved."""
    demo, store, run_id = demo_run
    exc = _status_fix_with_balance(store, run_id)
    with store.session() as s:
        row = s.get(ExceptionRow, int(exc["id"]))
        row.proposal = {k: v for k, v in row.proposal.items() if k not in ("also", "text", "rule")}
    cid = service.propose(store, int(exc["id"]), "bob")
    with store.session() as s:
        c = s.get(Correction, cid)
        assert c.also is None and c.reason == exc["proposal"]["reason"]  # an older proposal's reason
    service.approve(store, [cid], "ann")
    rep = service.push(store, "ann", backoff=FAST)
    assert rep.counts["applied"] == 1 and rep.verified["still_differs"] == 1
    with store.session() as s:
        row = s.get(ExceptionRow, int(exc["id"]))
        assert row.status == "reopened" and "(open_balance)" in row.resolution
