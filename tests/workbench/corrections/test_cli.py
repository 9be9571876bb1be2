"""`workbench corrections ...` as a script would use it."""

from __future__ import annotations

import json

from tests.workbench.corrections.conftest import add_exception, add_run
from workbench.cli import main


def _run(capsys, *argv):
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_propose_approve_all_matching_and_list_as_json(store, capsys):
    run = add_run(store)
    db = ("--db", store.url)
    e1 = add_exception(store, run, customer_name="Adatum Corporation")
    e2 = add_exception(store, run, crm_id="a0B000000000002AAA", erp_id="INV-2", customer_name="Fabrikam",
                       type="invoice.due_date_mismatch", field="due_date", crm_value="2026-10-01",
                       erp_value="2026-10-15")
    code, out, _ = _run(capsys, "corrections", "propose", str(e1), "--user", "bob", *db)
    assert code == 0 and "correction 1 proposed by bob" in out
    code, out, _ = _run(capsys, "corrections", "propose", str(e2), "--value", "2026-10-20", "--reason",
                        "agreed with customer", "--user", "bob", *db)
    assert code == 0

    code, out, _ = _run(capsys, "corrections", "approve", "--all-matching", "--type", "invoice.due_date_mismatch",
                        "--user", "ann", *db)
    assert code == 0 and "1 correction(s) approved by ann: 2" in out

    code, out, _ = _run(capsys, "corrections", "list", "--format", "json", *db)
    rows = {r["id"]: r for r in json.loads(out)}
    assert rows[2]["state"] == "approved" and rows[2]["to_value"] == "2026-10-20"
    assert rows[2]["reason"] == "agreed with customer" and rows[2]["approver"] == "ann"
    assert rows[1]["state"] == "proposed" and rows[1]["to_value"] == "90.00"
    assert rows[1]["customer_name"] == "Adatum Corporation"

    code, out, _ = _run(capsys, "corrections", "list", "--state", "proposed", *db)
    assert code == 0 and "Adatum" not in out and "Open balance" in out and "1 correction(s)" in out


def test_refusals_are_one_line_with_exit_code_2(store, capsys):
    run = add_run(store)
    db = ("--db", store.url)
    e1 = add_exception(store, run)
    _run(capsys, "corrections", "propose", str(e1), "--user", "bob", *db)
    code, out, err = _run(capsys, "corrections", "approve", "1", "--user", "bob", *db)
    assert code == 2 and err.count("\n") == 1
    assert "workbench: error: correction 1 was prepared by bob" in err and "Traceback" not in err
    code, _, err = _run(capsys, "corrections", "propose", str(e1), "--field", "open_balance", "--value", "ten",
                        "--user", "cara", *db)
    assert code == 2 and "not an amount" in err
    code, _, err = _run(capsys, "corrections", "approve", "--user", "ann", *db)
    assert code == 2 and "give their ids, or --all-matching" in err
    code, _, err = _run(capsys, "corrections", "replay", "1", "--user", "ann", *db)
    assert code == 2 and "only dead letters can be replayed" in err


def test_reject_and_waive_need_a_reason_and_record_it(store, capsys):
    run = add_run(store)
    db = ("--db", store.url)
    e1 = add_exception(store, run)
    e2 = add_exception(store, run, crm_id="a0B000000000002AAA", erp_id="INV-2")
    _run(capsys, "corrections", "propose", str(e1), "--user", "bob", *db)
    code, out, _ = _run(capsys, "corrections", "reject", "1", "--reason", "CRM is right", "--user", "ann", *db)
    assert code == 0 and "1 correction(s) rejected by ann" in out
    code, out, _ = _run(capsys, "corrections", "waive", str(e2), "--reason", "immaterial", "--user", "ann", *db)
    assert code == 0 and "1 exception(s) waived" in out
    code, out, _ = _run(capsys, "corrections", "list", "--format", "json", "--state", "rejected", *db)
    rows = json.loads(out)
    assert [(r["reason"], r["state_reason"]) for r in rows] == [
        ("the ERP is the system of record for balances", "CRM is right")]


def test_push_from_the_command_line_reports_counts_and_dead_letters(store, bc, capsys):
    from tests.workbench.corrections.conftest import erp_city_corrections, erp_value
    cids, eids, recs = erp_city_corrections(store, bc, 2)
    code, out, _ = _run(capsys, "corrections", "push", "--user", "ann", "--format", "json", "--db", store.url)
    rep = json.loads(out)
    assert code == 0 and rep["counts"]["applied"] == 2 and rep["verified"]["agreed"] == 2
    assert {r["correction_id"] for r in rep["results"]} == set(cids)
    assert erp_value(bc, recs[0]["id"], "city") == "Springfield 0"
    code, out, _ = _run(capsys, "corrections", "push", "--user", "ann", "--db", store.url)
    assert code == 0 and "0 applied" in out and "0 still queued" in out


def test_a_push_whose_connector_cannot_open_says_why_and_leaves_the_queue_intact(store, capsys):
    from tests.workbench.corrections.conftest import add_exception, add_run
    run = add_run(store, config={"crm": {"connector": "odoo", "system": "salesforce"},
                                 "erp": {"connector": "business_central", "system": "business_central"}})
    e = add_exception(store, run)
    _run(capsys, "corrections", "propose", str(e), "--user", "bob", "--db", store.url)
    _run(capsys, "corrections", "approve", "1", "--user", "ann", "--db", store.url)
    code, out, err = _run(capsys, "corrections", "push", "--user", "ann", "--db", store.url)
    assert code == 1 and "1 still queued" in out
    assert "not pushed: CRM salesforce invoices:" in err and "[crm.odoo] needs 'url'" in err
    code, out, _ = _run(capsys, "corrections", "list", "--format", "json", "--db", store.url)
    assert [r["state"] for r in json.loads(out)] == ["queued"]


def test_a_compound_correction_lists_its_further_fields(store, capsys):
    run = add_run(store)
    db = ("--db", store.url)
    e1 = add_exception(store, run, type="invoice.status_mismatch", field="status", crm_value="void",
                       erp_value="open", proposal={
                           "target_side": "crm", "target_system": "salesforce", "object": "invoices",
                           "record_id": "a0B000000000001AAA", "field": "status", "from": "void", "to": "open",
                           "needs_decision": False, "reason": "the ERP is authoritative for invoice status",
                           "text": "The ERP owns invoice status, so set Salesforce to Open",
                           "rule": '[rules.ownership] invoices.status = "erp"',
                           "also": [{"field": "open_balance", "from": "0.00", "to": "50621.58"}]})
    code, out, _ = _run(capsys, "corrections", "propose", str(e1), "--user", "bob", *db)
    assert code == 0
    code, out, _ = _run(capsys, "corrections", "list", *db)
    assert "Status +1" in out and "The ERP owns invoice status" in out
    code, out, _ = _run(capsys, "corrections", "list", "--format", "json", *db)
    (row,) = json.loads(out)
    assert (row["field"], row["to_value"]) == ("status", "open")
    assert row["also"] == [{"field": "open_balance", "from": "0.00", "to": "50621.58"}]
