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
    pushed = service.propose(store, add_exception(store, live_run), "bob")
    notes = route_notes(store, [by_csv, pushed])
    assert list(notes) == [by_csv]
    assert "Not pushed: the CRM side of run 1 is CSV files" in notes[by_csv]
    assert "workbench corrections export-csv" in notes[by_csv] and "Salesforce Data Loader" in notes[by_csv]
