"""Mapping screen: the fields the source really has, suggestions, status value maps, saved into
the run config so the next run uses them — no TOML edited by hand."""

from __future__ import annotations

import tomllib

import pytest

from app.main_window import build_window
from app.models.run_config_model import run_config_doc
from workbench import config as cfg
from workbench import demo as demo_mod
from workbench.errors import WorkbenchError
from tests.helpers.qt import WAIT_MS


@pytest.fixture
def win(qtbot, store):
    w = build_window(store, user="alice")
    qtbot.addWidget(w)
    w.show_screen("mapping")
    yield w
    w.close()
    assert not w.ctx.jobs.busy and not w.ctx.db.busy


@pytest.fixture
def new_org(tmp_path):
    """A scenario whose CRM export names its cross-reference field differently from the config."""
    from workbench.sandbox import scenario
    d = tmp_path / "scen"
    scenario.generate(7, 12, d)
    acc = d / "crm" / "Account.csv"
    acc.write_text(acc.read_text(encoding="utf-8").replace("ERP_Customer_Number__c", "ERP_Customer_No__c", 1),
                   encoding="utf-8")
    return d / "run.toml"


def _read(qtbot, screen, side, kind):
    screen.side_box.setCurrentIndex(screen.side_box.findData(side))
    screen.kind_box.setCurrentIndex(screen.kind_box.findData(kind))
    with qtbot.wait_signal(screen.fields_read, timeout=WAIT_MS):
        screen.read_button.click()


def _row(screen, canonical):
    return next(r for r in screen.model.rows if r["canonical"] == canonical)


def test_a_renamed_cross_reference_column_is_suggested_saved_and_the_next_run_links_by_it(qtbot, win, new_org, store):
    from workbench.pipeline import execute_run
    run_config_doc(win.ctx).open(new_org)
    with pytest.raises(WorkbenchError, match="ERP_Customer_Number__c"):
        execute_run(cfg.load(new_org), store, user="alice")  # the old mapping names a column that is gone
    screen = win.screens["mapping"]
    _read(qtbot, screen, "crm", "customers")
    xref = _row(screen, "xref")
    assert xref["current"] == "ERP_Customer_Number__c" and xref["source"] is None
    assert xref["suggested"] == "ERP_Customer_No__c"
    assert "ERP_Customer_No__c" in [f["name"] for f in screen.source_fields]
    assert "xref" in screen.status.text()  # the unmapped field with a suggestion is named
    assert screen.accept_suggestions() >= 1
    assert _row(screen, "xref")["source"] == "ERP_Customer_No__c"
    with qtbot.wait_signal(screen.saved, timeout=WAIT_MS) as blocker:
        screen.save_button.click()
    assert blocker.args[0] == str(new_org)
    raw = tomllib.loads(new_org.read_text(encoding="utf-8"))
    assert raw["crm"]["objects"]["customers"]["fields"]["xref"] == "ERP_Customer_No__c"
    assert raw["crm"]["objects"]["customers"]["fields"]["tax_id"] == "Tax_ID__c"  # the rest kept
    outcome = execute_run(cfg.load(new_org), store, user="alice")
    links = outcome.summary["links"]
    assert links.get("xref_both", 0) + links.get("xref_crm", 0) > 0  # the CRM's cross-reference is read again


def test_saving_without_a_required_field_is_refused_and_the_file_is_untouched(qtbot, win, new_org):
    run_config_doc(win.ctx).open(new_org)
    screen = win.screens["mapping"]
    _read(qtbot, screen, "crm", "customers")
    before = new_org.read_bytes()
    screen.set_source("name", None)
    with qtbot.wait_signal(screen.saved, timeout=WAIT_MS) as blocker:
        screen.save_button.click()
    assert blocker.args[0] == ""
    assert "map the required field(s) name" in screen.status.text()
    assert new_org.read_bytes() == before


def test_salesforce_invoice_fields_and_status_map_from_the_sandbox(qtbot, win, tmp_path, qtmodeltester):
    with demo_mod.prepare_demo(tmp_path / "demo", customers=8) as demo:
        path = tmp_path / "run.toml"
        path.write_bytes(demo.config_path.read_bytes())
        run_config_doc(win.ctx).open(path)
        screen = win.screens["mapping"]
        _read(qtbot, screen, "crm", "invoices")
    names = [f["name"] for f in screen.source_fields]
    assert "blng__InvoiceStatus__c" in names and "blng__Balance__c" in names  # what describe says the org has
    assert _row(screen, "open_balance")["source"] == "blng__Balance__c"
    assert screen.status_box.isVisibleTo(screen)
    assert screen.status_fields.text() == "blng__InvoiceStatus__c, blng__PaymentStatus__c"
    table = {r["value"]: r["status"] for r in screen.status_model.rows}
    assert table["Posted|Paid"] == "paid" and table["Posted|Partially Paid"] == "partially_paid"
    qtmodeltester.check(screen.model)
    qtmodeltester.check(screen.status_model)
    screen.new_value.setText("Posted|Written Off")
    screen.new_status.setCurrentText("void")
    screen.add_value.click()
    assert screen.save()
    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    inv = raw["crm"]["objects"]["invoices"]
    assert inv["status_map"] == {"Posted|Written Off": "void"}  # only what differs from the default table
    assert "status_fields" not in inv
    from workbench.sources.salesforce_mapping import object_maps
    m = next(m for m in object_maps(raw["crm"]) if m.kind == "invoices")
    assert m.status_map.map("Posted", "Written Off") == "void" and m.status_map.map("Posted", "Paid") == "paid"


def test_the_mapping_screen_shows_an_odoo_export_its_label_status_table(tmp_path):
    from app.views.mapping import read_fields
    from tests.workbench.sources import odoo_exports

    odoo_exports.write(tmp_path / "odoo")
    raw = {"crm": {"connector": "files"}, "erp": {"connector": "files", "system": "odoo", "files": {"dir": "odoo"}}}
    got = read_fields(raw, tmp_path / "run.toml", "erp", "invoices")
    from workbench.sources.mapping_suggest import status_table
    assert got["status_fields"] == ["Type", "Status", "Payment Status"]
    assert status_table(got["status_system"])["Customer Invoice|Posted|Not Paid"] == "open"
    assert {f["name"]: f["canonical"] for f in got["fields"]}["Partner"] == "customer_id"
