"""A small stored run for the GUI tests, written through the store's schema, and an isolated window."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta, UTC
from decimal import Decimal

import pytest

from workbench.store.schema import CustomerLink, ExceptionRow, Run, RunSource, Snapshot
from tests.helpers.qt import WAIT_MS

NOW = datetime.now(UTC)

CRM_ACME = {"record_id": "001000000000001AAA", "name": "Acme GmbH", "number": "C-1001", "xref": "10001",
            "city": "Berlin", "country": "DE", "tax_id": "DE123456789", "currency": "EUR"}
ERP_ACME = {"record_id": "10001", "name": "Acme GmbH", "number": "10001", "xref": "001000000000001AAA",
            "city": "Berlin", "country": "DE", "tax_id": "DE123456780", "currency": "EUR"}
CRM_INV = {"record_id": "a0B000000000001AAA", "number": "INV-1", "customer_id": "001000000000001AAA",
           "status": "open", "total_amount": "1200.00", "open_balance": "1200.00", "currency": "EUR",
           "due_date": "2026-10-15"}
ERP_INV = {"record_id": "INV-1", "number": "INV-1", "customer_id": "10001", "status": "paid", "total_amount": "1200.0",
           "open_balance": "0.00", "currency": "EUR", "due_date": "2026-10-15"}
CRM_GLOBEX = {"record_id": "001000000000002AAA", "name": "Globex Ltd", "city": "London", "country": "GB",
              "currency": "GBP"}
ERP_GLOBEX = {"record_id": "10002", "name": "Globex Limited", "city": "London", "country": "GB", "currency": "GBP"}


def _exc(run_id: int, n: int, **kw) -> dict:
    base = {"run_id": run_id, "family": kw["type"].split(".")[0], "status": "open", "first_seen": NOW,
            "last_seen": NOW, "version": 1, "diffs": [], "proposal": None, "message": None,
            "customer_name": None, "crm_object": None, "crm_id": None, "erp_object": None, "erp_id": None,
            "crm_number": None, "erp_number": None,
            "field": None, "crm_value": None, "erp_value": None, "difference": None, "amount_at_risk": None,
            "currency": None, "assignee": None}
    base.update(kw)
    base["key"] = f"{base['type']}|{base['crm_id']}|{base['erp_id']}|{base['field']}|{n}"
    return base


def seed_run(store, *, run_name: str = "October close", extra_pricing: int = 0) -> int:
    """A completed run with five kinds of exception, their records and a suggested link."""
    with store.session() as s:
        run = Run(name=run_name, status="completed", started_at=NOW, finished_at=NOW, as_of=date(2026, 10, 31),
                  period="2026-10", user_name="alice", config={"crm": {"system": "salesforce"},
                                                                "erp": {"system": "business_central"}},
                  summary={"exceptions_total": 5 + extra_pricing}, software_version="test")
        s.add(run)
        s.flush()
        rid = run.id
        for side, system in (("crm", "salesforce"), ("erp", "business_central")):
            s.add(RunSource(run_id=rid, side=side, system=system, connector="files", extracted_at=NOW))
        for side, kind, rec in (("crm", "customers", CRM_ACME), ("erp", "customers", ERP_ACME),
                                ("crm", "invoices", CRM_INV), ("erp", "invoices", ERP_INV),
                                ("crm", "customers", CRM_GLOBEX), ("erp", "customers", ERP_GLOBEX)):
            s.add(Snapshot(run_id=rid, side=side, object=kind, kind=kind, record_id=rec["record_id"], query="q",
                           content_hash="h" * 64, payload=json.dumps(rec), canonical=json.dumps(rec)))
        s.add(CustomerLink(run_id=rid, crm_id=CRM_ACME["record_id"], erp_id="10001", method="xref_both",
                           confidence=1.0, status="auto", version=1))
        s.add(CustomerLink(run_id=rid, crm_id=CRM_GLOBEX["record_id"], erp_id="10002", method="fuzzy",
                           confidence=0.91, evidence={"name": 0.91}, status="suggested", version=1))
        rows = [
            _exc(rid, 1, type="invoice.status_mismatch", severity="high", crm_object="invoices",
                 crm_id=CRM_INV["record_id"], erp_object="invoices", erp_id="INV-1", crm_number="INV-1",
                 erp_number="INV-1", customer_name="Acme GmbH",
                 field="status", crm_value="open", erp_value="paid", amount_at_risk=Decimal("1200.00"),
                 currency="EUR", diffs=[{"field": "status", "crm": "open", "erp": "paid"},
                                        {"field": "open_balance", "crm": "1200.00", "erp": "0.00"}],
                 proposal={"target_side": "crm", "object": "invoices", "record_id": CRM_INV["record_id"],
                           "field": "status", "from": "open", "to": "paid", "needs_decision": False,
                           "reason": "the ERP owns invoice status"},
                 message="Invoice INV-1 is paid in the ERP but open in Salesforce."),
            _exc(rid, 2, type="customer.attribute_mismatch", severity="medium", crm_object="customers",
                 crm_id=CRM_ACME["record_id"], erp_object="customers", erp_id="10001", crm_number="C-1001",
                 erp_number="10001", customer_name="Acme GmbH",
                 field="tax_id", crm_value="DE123456789", erp_value="DE123456780",
                 diffs=[{"field": "tax_id", "crm": "DE123456789", "erp": "DE123456780"}],
                 proposal={"target_side": "erp", "object": "customers", "record_id": "10001", "field": "tax_id",
                           "from": "DE123456780", "to": "DE123456789", "needs_decision": True,
                           "reason": "which VAT id is right"},
                 message="The VAT id differs between the systems."),
            _exc(rid, 3, type="customer.missing_in_erp", severity="critical", crm_object="customers",
                 crm_id="001000000000009AAA", crm_number="C-1009", customer_name="Initech SA",
                 amount_at_risk=Decimal("98000.50"),
                 currency="EUR", message="Initech SA exists in Salesforce only.", first_seen=NOW - timedelta(days=40)),
            _exc(rid, 4, type="customer.attribute_mismatch", severity="low", crm_object="customers",
                 crm_id=CRM_GLOBEX["record_id"], erp_object="customers", erp_id="10002",
                 customer_name="Globex Ltd", field="name", crm_value="Globex Ltd", erp_value="Globex Limited",
                 diffs=[{"field": "name", "crm": "Globex Ltd", "erp": "Globex Limited"}],
                 message="Names differ.", assignee="bob"),
            _exc(rid, 5, type="pricing.price_mismatch", severity="high", crm_object="prices", crm_id="01u1",
                 erp_object="prices", erp_id="P-1", crm_number="P-1",
                 erp_number="P-1", customer_name=None, field="unit_price", crm_value="10.00",
                 erp_value="12.00", difference=Decimal("-2.00"), amount_at_risk=Decimal("2.00"), currency="JPY",
                 message="Widget costs 10.00 in Salesforce and 12.00 in the ERP."),
        ]
        for i in range(extra_pricing):
            rows.append(_exc(rid, 100 + i, type="pricing.price_mismatch", severity="medium", crm_object="prices",
                             crm_id=f"01u{100 + i}", erp_object="prices", erp_id=f"P-{100 + i}",
                             field="unit_price", crm_value=str(i), erp_value=str(i + 1),
                             amount_at_risk=Decimal(i), currency="EUR", message="price differs"))
        for r in rows:
            s.add(ExceptionRow(**r))
        return rid


@pytest.fixture
def seeded(store):
    return store, seed_run(store)


@pytest.fixture
def window(qtbot, seeded):
    """The main window on the seeded run, loaded; closed (threads stopped) after the test."""
    from app.main_window import build_window
    store, run_id = seeded
    win = build_window(store, user="alice", only=("review",))  # the other screens have their own tests
    qtbot.addWidget(win)
    win.resize(1440, 900)
    win.show()
    win.show_screen("review")
    review = win.review
    with qtbot.wait_signal(review.loaded, timeout=WAIT_MS):
        win.start()
    qtbot.waitUntil(lambda: review.side.detail is not None, timeout=WAIT_MS)
    yield win
    win.close()
    assert not win.ctx.db.busy and not win.ctx.jobs.busy


def pytest_collection_modifyitems(config, items):
    # The offscreen platform says it cannot pass size hints to a window manager it does not
    # have; that is the test platform talking, not the app. Every other warning still fails.
    for item in items:
        if "tests/app/" in str(item.fspath).replace("\\", "/"):
            item.add_marker(pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints"))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """No app worker thread may outlive its test (every window shuts its workers down on close)."""
    yield
    import threading
    left = [t.name for t in threading.enumerate()
            if t.name.startswith(("workbench-db", "workbench-job")) and t.is_alive()]
    if left:
        pytest.fail(f"worker threads still running after the test: {left}", pytrace=False)
