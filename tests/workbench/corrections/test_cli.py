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
    assert code == 0 and "Adatum" not in out and "open_balance" in out and "1 correction(s)" in out


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
