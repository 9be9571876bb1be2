"""Corrections to a files-based run: refused for a push with what to do instead, proposed for export,
approved by a second person, written as Data Loader-style update files, and marked applied or failed
from the loader's success and error files, each step in the audit trail."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.workbench.cli.scenario_run import scenario_store
from workbench.cli import main
from workbench.store.db import open_store
from workbench.store.schema import AuditEvent


@pytest.fixture
def db(tmp_path):
    return scenario_store(tmp_path)


def _run(capsys, *argv):
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def _exceptions(capsys, db) -> dict[str, list[dict]]:
    _, out, _ = _run(capsys, "exceptions", "--format", "json", "--db", db)
    by_type: dict[str, list[dict]] = {}
    for e in json.loads(out)["exceptions"]:
        by_type.setdefault(e["type"], []).append(e)
    return by_type


def _corrections(capsys, db) -> dict[int, dict]:
    _, out, _ = _run(capsys, "corrections", "list", "--format", "json", "--db", db)
    return {c["id"]: c for c in json.loads(out)}


def _events(db, cid: int) -> list[tuple[str, dict]]:
    store = open_store(db)
    try:
        with store.session() as s:
            return [(a, d) for a, d in s.execute(select(AuditEvent.action, AuditEvent.detail).where(
                AuditEvent.entity_type == "correction", AuditEvent.entity_id == str(cid)).order_by(AuditEvent.id))]
    finally:
        store.dispose()


def _read(path: Path) -> list[list[str]]:
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.reader(fh))


def _write(path: Path, rows: list[list[str]]) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        csv.writer(fh, quoting=csv.QUOTE_ALL).writerows(rows)
    return path


def _propose_and_approve(capsys, db, exception_ids: list[int]) -> list[int]:
    for e in exception_ids:
        code, out, err = _run(capsys, "corrections", "propose", str(e), "--deliver", "csv", "--user", "bob",
                              "--db", db)
        assert code == 0, err
    code, _, err = _run(capsys, "corrections", "approve", "--all-matching", "--user", "ann", "--db", db)
    assert code == 0, err
    return sorted(_corrections(capsys, db))


def test_proposing_a_push_to_files_is_refused_up_front_with_what_to_do_instead(db, capsys):
    status = _exceptions(capsys, db)["invoice.status_mismatch"][0]
    code, out, err = _run(capsys, "corrections", "propose", str(status["id"]), "--user", "bob", "--db", db)
    assert code == 2 and out == "" and err.count("\n") == 1
    assert "the CRM side of run 1 is CSV files, which Recon Workbench cannot write" in err
    assert f"propose {status['id']} --deliver csv" in err and "export-csv" in err and "Data Loader" in err
    assert _corrections(capsys, db) == {}  # nothing half-proposed


def test_approved_csv_corrections_are_never_pushed_into_a_dead_letter(db, capsys, tmp_path):
    exc = _exceptions(capsys, db)
    cid = _propose_and_approve(capsys, db, [exc["customer.attribute_mismatch"][0]["id"]])[0]
    code, out, err = _run(capsys, "corrections", "push", "--user", "ann", "--db", db)
    assert code == 0 and "0 dead letter(s)" in out and "export them with `workbench corrections export-csv`" in out
    assert _corrections(capsys, db)[cid]["state"] == "approved"
    code, _, err = _run(capsys, "corrections", "propose", str(exc["invoice.due_date_mismatch"][0]["id"]),
                        "--deliver", "csv", "--user", "bob", "--db", db)
    assert code == 0, err
    code, _, err = _run(capsys, "corrections", "export-csv", "--out", str(tmp_path / "out"), "--ids", "2",
                        "--user", "ann", "--db", db)
    assert code == 2 and "correction 2 is not approved" in err  # maker-checker before export
    assert not (tmp_path / "out").exists()


def test_export_writes_one_update_file_per_object_with_id_and_source_columns(db, capsys, tmp_path):
    exc = _exceptions(capsys, db)
    city = next(e for e in exc["customer.attribute_mismatch"] if e["field"] == "city")
    paid = next(e for e in exc["invoice.status_mismatch"] if e["proposal"]["to"] == "paid")
    balance = exc["invoice.balance_mismatch"][0]
    ids = _propose_and_approve(capsys, db, [city["id"], paid["id"], balance["id"]])
    code, out, err = _run(capsys, "corrections", "export-csv", "--out", str(tmp_path / "out"), "--user", "ann",
                          "--db", db)
    assert code == 0, err
    files = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert files == ["run1-crm-Account-update.csv", "run1-crm-blng__Invoice__c-update.csv"]
    accounts = _read(tmp_path / "out" / "run1-crm-Account-update.csv")
    assert accounts == [["Id", "BillingCity"], [city["crm_id"], city["proposal"]["to"]]]
    invoices = _read(tmp_path / "out" / "run1-crm-blng__Invoice__c-update.csv")
    assert invoices[0] == ["Id", "blng__InvoiceStatus__c", "blng__PaymentStatus__c", "blng__Balance__c"]
    # the canonical status goes back as the extract's own two picklists, with the open balance the
    # engine's compound fix sets with it; the other row leaves the picklists alone
    assert [paid["crm_id"], "Posted", "Paid", "0.00"] in invoices
    assert [balance["crm_id"], "", "", balance["proposal"]["to"]] in invoices
    states = {c["state"] for c in _corrections(capsys, db).values()}
    assert states == {"approved"}  # still waiting for the loader's result
    action, detail = _events(db, ids[0])[-1]
    assert action == "correction.exported" and detail["file"].endswith("-update.csv") and detail["row"] == 2
    code, out, err = _run(capsys, "audit", "verify", "--db", db)
    assert code == 0 and "audit trail intact" in out, out + err


def _city_and_paid_exported(capsys, db, tmp_path):
    """A city correction and an invoice marked paid, approved and exported as Data Loader files: the corrections'
    ids, the paid invoice's exception id and the files' folder."""
    exc = _exceptions(capsys, db)
    city = next(e for e in exc["customer.attribute_mismatch"] if e["field"] == "city")
    paid = next(e for e in exc["invoice.status_mismatch"] if e["proposal"]["to"] == "paid")
    city_id, paid_id = _propose_and_approve(capsys, db, [city["id"], paid["id"]])
    out_dir = tmp_path / "out"
    assert _run(capsys, "corrections", "export-csv", "--out", str(out_dir), "--user", "ann", "--db", db)[0] == 0
    return city_id, paid_id, paid["id"], out_dir


def test_success_and_error_files_mark_corrections_applied_or_failed_with_file_and_row(db, capsys, tmp_path):
    city_id, paid_id, paid_exception, out_dir = _city_and_paid_exported(capsys, db, tmp_path)
    # what Data Loader writes back: the success file adds ID and STATUS, the error file adds ERROR
    acc = _read(out_dir / "run1-crm-Account-update.csv")
    success = _write(tmp_path / "success.csv", [["ID", *acc[0], "STATUS"], [acc[1][0], *acc[1], "Item Updated"]])
    inv = _read(out_dir / "run1-crm-blng__Invoice__c-update.csv")
    error = _write(tmp_path / "error.csv", [[*inv[0], "ERROR"],
                                            [*inv[1], "FIELD_CUSTOM_VALIDATION_EXCEPTION:Invoice is locked:--"]])

    stray = _write(tmp_path / "stray.csv", [["ID", "Id", "BillingCity", "STATUS"],
                                            [acc[1][0], acc[1][0], acc[1][1], "Item Updated"],
                                            ["0015g00000nYOzzAAA", "0015g00000nYOzzAAA", "Paris", "Item Updated"]])
    code, out, err = _run(capsys, "corrections", "import-results", "--success", str(stray), "--user", "ann",
                          "--db", db)
    assert code == 2 and f"{stray}, row 3" in err and "matches no exported correction" in err
    assert {c["state"] for c in _corrections(capsys, db).values()} == {"approved"}  # all or nothing

    code, out, err = _run(capsys, "corrections", "import-results", "--success", str(success), "--error", str(error),
                          "--user", "ann", "--db", db)
    assert code == 0, err
    assert "1 correction(s) applied, 1 failed" in out
    now = _corrections(capsys, db)
    assert now[city_id]["state"] == "applied" and now[paid_id]["state"] == "dead_letter"
    assert "Invoice is locked" in now[paid_id]["last_error"]
    action, detail = _events(db, city_id)[-1]
    assert action == "correction.applied" and (detail["file"], detail["row"]) == ("success.csv", 2)
    assert "loaded by Salesforce Data Loader: success.csv row 2" == detail["reason"]
    action, detail = _events(db, paid_id)[-1]
    assert action == "correction.dead_letter" and (detail["file"], detail["row"]) == ("error.csv", 2)
    status = {e["id"]: e["status"] for es in _exceptions(capsys, db).values() for e in es}
    assert status[paid_exception] == "reopened"

    code, _, err = _run(capsys, "corrections", "import-results", "--success", str(success), "--user", "ann",
                        "--db", db)
    assert code == 2 and f"{success}, row 2" in err  # read once; a second read matches nothing waiting
    code, _, err = _run(capsys, "corrections", "replay", str(paid_id), "--user", "ann", "--db", db)
    assert code == 2 and "cannot write" in err and "export-csv" in err
    code, _, err = _run(capsys, "corrections", "import-results", "--error", str(error), "--user", "ann", "--db", db)
    assert code == 2 and f"{error}, row 2" in err  # the dead letter waits for a new export, not this file

    # the lock lifted in the org: the dead letter goes out again and loads
    assert _run(capsys, "corrections", "export-csv", "--out", str(tmp_path / "again"), "--user", "ann",
                "--db", db)[0] == 0
    assert [p.name for p in (tmp_path / "again").iterdir()] == ["run1-crm-blng__Invoice__c-update.csv"]
    inv = _read(tmp_path / "again" / "run1-crm-blng__Invoice__c-update.csv")
    again = _write(tmp_path / "again.csv", [["ID", *inv[0], "STATUS"], [inv[1][0], *inv[1], "Item Updated"]])
    assert _run(capsys, "corrections", "import-results", "--success", str(again), "--user", "ann",
                "--db", db)[0] == 0
    assert _corrections(capsys, db)[paid_id]["state"] == "applied"
    code, out, _ = _run(capsys, "audit", "verify", "--db", db)
    assert code == 0 and "audit trail intact" in out


def _write_under_sep_line(path: Path, rows: list[list[str]], line: str = "sep=;", bom: str = "") -> Path:
    """The rows delimited by ";" under Excel's delimiter line, as a tool that writes one for Excel saves them."""
    with open(path, "w", newline="", encoding="utf-8") as fh:
        fh.write(bom + line + "\r\n")
        csv.writer(fh, delimiter=";").writerows(rows)
    return path


def test_results_files_under_excels_delimiter_line_are_read_with_its_delimiter_and_rows(db, capsys, tmp_path):
    """The line is read as the files connector reads it: its delimiter, and rows named as the file's lines."""
    city_id, paid_id, paid_exception, out_dir = _city_and_paid_exported(capsys, db, tmp_path)
    acc = _read(out_dir / "run1-crm-Account-update.csv")
    inv = _read(out_dir / "run1-crm-blng__Invoice__c-update.csv")
    stray = _write_under_sep_line(tmp_path / "stray.csv", [["ID", "Id", "BillingCity", "STATUS"],
                                                            [acc[1][0], acc[1][0], acc[1][1], "Item Updated"],
                                                            ["0015g00000nYOzzAAA", "0015g00000nYOzzAAA", "Paris",
                                                             "Item Updated"]])
    code, _, err = _run(capsys, "corrections", "import-results", "--success", str(stray), "--user", "ann",
                        "--db", db)
    assert code == 2 and f"{stray}, row 4" in err and "matches no exported correction" in err
    bad = _write_under_sep_line(tmp_path / "bad.csv", [["ID", *acc[0], "STATUS"]], line="sep=;;x")
    code, _, err = _run(capsys, "corrections", "import-results", "--success", str(bad), "--user", "ann", "--db", db)
    assert code == 2 and f"{bad}, row 1: Excel's delimiter line 'sep=;;x' holds more" in err
    assert {c["state"] for c in _corrections(capsys, db).values()} == {"approved"}  # all or nothing

    success = _write_under_sep_line(tmp_path / "success.csv",
                                    [["ID", *acc[0], "STATUS"], [acc[1][0], *acc[1], "Item Updated"]])
    error = _write_under_sep_line(tmp_path / "error.csv", [[*inv[0], "ERROR"], [*inv[1], "Invoice is locked"]],
                                  line='"SEP=;";;', bom="\ufeff")
    code, out, err = _run(capsys, "corrections", "import-results", "--success", str(success), "--error", str(error),
                          "--user", "ann", "--db", db)
    assert code == 0, err
    now = _corrections(capsys, db)
    assert now[city_id]["state"] == "applied" and now[paid_id]["state"] == "dead_letter"
    assert (_events(db, city_id)[-1][1]["file"], _events(db, city_id)[-1][1]["row"]) == ("success.csv", 3)
    assert (_events(db, paid_id)[-1][1]["file"], _events(db, paid_id)[-1][1]["row"]) == ("error.csv", 3)


def test_a_fresh_extract_holding_the_loaded_value_verifies_the_correction(db, capsys, tmp_path):
    exc = _exceptions(capsys, db)
    city = next(e for e in exc["customer.attribute_mismatch"] if e["field"] == "city")
    cid = _propose_and_approve(capsys, db, [city["id"]])[0]
    out_dir = tmp_path / "out"
    assert _run(capsys, "corrections", "export-csv", "--out", str(out_dir), "--user", "ann", "--db", db)[0] == 0
    acc = _read(out_dir / "run1-crm-Account-update.csv")
    success = _write(tmp_path / "success.csv", [["ID", *acc[0], "STATUS"], [acc[1][0], *acc[1], "Item Updated"]])
    assert _run(capsys, "corrections", "import-results", "--success", str(success), "--user", "ann",
                "--db", db)[0] == 0
    # the org now holds the value: a fresh Data Loader export of Account replaces the run's file
    extract = tmp_path / "sc" / "crm" / "Account.csv"
    rows = _read(extract)
    col = rows[0].index("BillingCity")
    for r in rows[1:]:
        if r[0] == city["crm_id"]:
            r[col] = city["proposal"]["to"]
    _write(extract, rows)
    code, out, err = _run(capsys, "corrections", "push", "--user", "ann", "--db", db)
    assert code == 0 and "1 agreed" in out, out + err
    assert _corrections(capsys, db)[cid]["verification"] == "agreed"
    status = {e["id"]: e["status"] for es in _exceptions(capsys, db).values() for e in es}
    assert status[city["id"]] == "resolved"
