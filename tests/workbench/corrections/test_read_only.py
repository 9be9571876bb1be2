"""Which sides cannot be written, and what the core says about their corrections."""

from __future__ import annotations

import pytest

from tests.workbench.corrections.conftest import add_exception, add_run
from workbench.corrections import service
from workbench.corrections.read_only import route_notes
from workbench.errors import InputError

FILES = {"crm": {"connector": "files", "system": "salesforce"}, "erp": {"connector": "business_central"}}


def test_a_push_to_a_files_side_is_refused_and_an_export_of_a_writable_one_too(store):
    files_run, live_run = add_run(store, config=FILES), add_run(store)
    on_files, live = add_exception(store, files_run), add_exception(store, live_run)
    with pytest.raises(InputError, match="CSV files, which Recon Workbench cannot write.*--deliver csv"):
        service.propose(store, on_files, "bob")
    with pytest.raises(InputError, match="written through its connector.*without --deliver csv"):
        service.propose(store, live, "bob", deliver="csv")
    with pytest.raises(InputError, match="'fax' is not a route"):
        service.propose(store, on_files, "bob", deliver="fax")
    assert service.list_corrections(store).empty


def test_the_approvals_screen_can_explain_the_csv_route(store):
    files_run, live_run = add_run(store, config=FILES), add_run(store)
    by_csv = service.propose(store, add_exception(store, files_run), "bob", deliver="csv")
    pushed = service.propose(store, add_exception(store, live_run, crm_id="a0B000000000002AAA"), "bob")
    notes = route_notes(store, [by_csv, pushed])
    assert list(notes) == [by_csv]
    assert "Not pushed: the CRM side of run 1 is CSV files" in notes[by_csv]
    assert "workbench corrections export-csv" in notes[by_csv] and "Salesforce Data Loader" in notes[by_csv]


def test_export_and_results_on_either_database(any_store, tmp_path):
    """The CSV route's core on SQLite and PostgreSQL: export locks and records, the results file decides."""
    import csv

    from workbench.corrections.dataloader import export_csv, import_results
    from workbench.corrections.proof import check_store
    files = {"crm": {"connector": "files", "system": "salesforce", "files": {"dir": str(tmp_path)},
                     "objects": {"invoices": {"file": "blng__Invoice__c.csv"}}},
             "erp": {"connector": "business_central"}}
    run = add_run(any_store, config=files)
    cid = service.propose(any_store, add_exception(any_store, run), "bob", deliver="csv")
    service.approve(any_store, [cid], "ann")
    done = export_csv(any_store, "ann", tmp_path / "out")
    path = tmp_path / "out" / f"run{run}-crm-blng__Invoice__c-update.csv"
    assert [f.path for f in done.files] == [path] and done.corrections == [cid]
    with open(path, newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    assert rows == [["Id", "blng__Balance__c"], ["a0B000000000001AAA", "90.00"]]
    success = tmp_path / "success.csv"
    with open(success, "w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows([["ID", *rows[0], "STATUS"], [rows[1][0], *rows[1], "Item Updated"]])
    res = import_results(any_store, "ann", success=success)
    assert res.applied == [cid] and res.failed == []
    listed = service.list_corrections(any_store, ids=[cid]).to_dict("records")[0]
    assert listed["state"] == "applied" and "success.csv row 2" in listed["state_reason"]
    with any_store.session() as s:
        assert check_store(s).problems == []


def test_the_csv_route_exports_nothing_its_approver_no_longer_stands_behind(store, tmp_path):
    """The push's checks hold for the update file too: a deactivated approver, an altered trail."""
    from sqlalchemy import select

    from workbench.corrections.dataloader import export_csv
    from workbench.corrections.outbox.guards import TrailBroken
    from workbench.store.schema import AuditEvent
    from workbench.team.users import register_user, remove_user
    with store.session() as s:
        register_user(s, "root", "root", ["admin"])
        register_user(s, "root", "bob", ["preparer"])
        register_user(s, "root", "ann", ["approver"])
    files = {"crm": {"connector": "files", "system": "salesforce", "files": {"dir": str(tmp_path)},
                     "objects": {"invoices": {"file": "blng__Invoice__c.csv"}}},
             "erp": {"connector": "business_central"}}
    cid = service.propose(store, add_exception(store, add_run(store, config=files)), "bob", deliver="csv")
    service.approve(store, [cid], "ann")
    with store.session() as s:
        remove_user(s, "root", "ann")
    done = export_csv(store, "root", tmp_path / "out")
    assert done.files == [] and done.refused == [
        f"correction {cid} not exported: its approver ann has since been deactivated; an active approver must "
        f"approve it again (workbench corrections approve {cid})"]
    assert not (tmp_path / "out").exists()
    with store.session() as s:  # the approved value edited in its approval event
        ev = s.execute(select(AuditEvent).where(AuditEvent.action == "correction.approved")).scalar_one()
        ev.detail = {**ev.detail, "after": "0.00"}
    with pytest.raises(TrailBroken, match=r"nothing exported: .* event \d+ \(correction.approved by ann\) was "
                                          r"altered"):
        export_csv(store, "root", tmp_path / "out")
