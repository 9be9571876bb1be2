"""A kind one side holds and the other holds none of: the run says so once, naming the side and where it
read from, rather than leaving thousands of "missing" findings to say it."""

from __future__ import annotations

import contextlib
import io

from openpyxl import load_workbook

from tests.helpers.file_extracts import BUSINESS_CENTRAL, SALESFORCE, write_run
from tests.helpers.hostile import run_cli
from tests.workbench.sources.test_files import ACCOUNTS, BC_CUSTOMERS, BC_INVOICES, INVOICE_NUMBER, INVOICES
from workbench.cli import main

_HEADER_ONLY = BC_INVOICES.split("\n", 1)[0] + "\n"


def _files(erp_invoices: str) -> dict[str, str]:
    return {"crm/Account.csv": ACCOUNTS, "crm/blng__Invoice__c.csv": INVOICES,
            "erp/customers.csv": BC_CUSTOMERS, "erp/salesInvoices.csv": erp_invoices}


def test_an_invoice_file_with_a_header_and_no_rows_is_named_in_a_warning(tmp_path):
    config = write_run(tmp_path, _files(_HEADER_ONLY), crm=SALESFORCE + INVOICE_NUMBER, erp=BUSINESS_CENTRAL)
    out = run_cli(config, tmp_path)
    assert out.code == 0, out.error
    assert out.exceptions["invoice.missing_in_erp"] == 2  # the findings stand; the warning says why
    warnings = [line for line in out.stdout.splitlines() if line.startswith("Warning: ")]
    assert warnings == ["Warning: the ERP side read no invoices (file salesInvoices.csv) while the CRM side has 2: "
                        "the run can only report those missing in the ERP. Check that the ERP extract or filter for "
                        "invoices is the one meant"], out.stdout


def test_both_sides_holding_a_kind_or_neither_gives_no_warning(tmp_path):
    # neither side reads orders or prices; both read customers and invoices
    out = run_cli(write_run(tmp_path, _files(BC_INVOICES), crm=SALESFORCE + INVOICE_NUMBER, erp=BUSINESS_CENTRAL),
                  tmp_path)
    assert out.code == 0, out.error
    assert "Warning: " not in out.stdout, out.stdout


def test_the_audit_workbook_carries_the_warning_and_still_verifies(tmp_path):
    config = write_run(tmp_path, _files(_HEADER_ONLY), crm=SALESFORCE + INVOICE_NUMBER, erp=BUSINESS_CENTRAL)
    assert run_cli(config, tmp_path).code == 0
    db, book = f"sqlite:///{tmp_path / 'store.sqlite3'}", tmp_path / "audit.xlsx"
    with contextlib.redirect_stdout(io.StringIO()):
        assert main(["export", "--xlsx", str(book), "--db", db]) == 0
    sheet = load_workbook(book, read_only=True)["Summary"]
    cells = [str(row[0]) for row in sheet.iter_rows(values_only=True) if row and row[0] is not None]
    at = cells.index("Warnings")
    assert cells[at + 1].startswith("the ERP side read no invoices (file salesInvoices.csv) while the CRM side has 2")
    with contextlib.redirect_stdout(io.StringIO()) as said:
        assert main(["export", "--verify", str(book), "--db", db]) == 0, said.getvalue()


def test_a_workbook_exported_before_the_summary_showed_warnings_still_verifies(tmp_path, monkeypatch):
    """Exports before 2026-12-07 had no Warnings block: verifying one rebuilds its Summary as it was written, and an
    edit of its Summary is still caught."""
    from openpyxl import load_workbook as load

    from workbench.export import workbook_content

    config = write_run(tmp_path, _files(_HEADER_ONLY), crm=SALESFORCE + INVOICE_NUMBER, erp=BUSINESS_CENTRAL)
    assert run_cli(config, tmp_path).code == 0
    db, book = f"sqlite:///{tmp_path / 'store.sqlite3'}", tmp_path / "before.xlsx"
    real_summary = workbook_content.Content.summary

    def as_before(self, sheets, *, warnings=True):  # the layout exports had before the Warnings block
        return real_summary(self, sheets, warnings=False)

    with monkeypatch.context() as m:
        m.setattr(workbook_content.Content, "summary", as_before)
        with contextlib.redirect_stdout(io.StringIO()):
            assert main(["export", "--xlsx", str(book), "--db", db]) == 0
    summary = load(book, read_only=True)["Summary"]
    assert "Warnings" not in [row[0] if row else None for row in summary.iter_rows(values_only=True)]
    with contextlib.redirect_stdout(io.StringIO()) as said:
        assert main(["export", "--verify", str(book), "--db", db]) == 0, said.getvalue()
    assert ": OK" in said.getvalue()
    edited = load(book)
    edited["Summary"]["A1"] = "Summary — run 1: tidied"
    edited.save(tmp_path / "edited.xlsx")
    with contextlib.redirect_stdout(io.StringIO()) as said:
        assert main(["export", "--verify", str(tmp_path / "edited.xlsx"), "--db", db]) != 0
    assert "NOT VERIFIED" in said.getvalue() and "'Summary'" in said.getvalue()


def _engine_run(crm: dict, erp: dict):
    from tests.workbench.reconcile.helpers import config, cust, extract
    from workbench.reconcile.engine import reconcile

    crm.setdefault("customers", [cust("001000000000001AAA", "Acme Inc", xref="C1")])
    erp.setdefault("customers", [cust("e1", "Acme Inc", number="C1")])
    return reconcile(extract("crm", **crm), extract("erp", **erp), config())


def _order(rid: str, number: str) -> dict:
    from decimal import Decimal

    return {"record_id": rid, "number": number, "customer_id": "001000000000001AAA", "currency": "EUR",
            "total_amount": Decimal("100.00"), "booked": True}


def test_an_erp_that_maps_no_orders_has_no_order_reported_missing_and_the_run_says_why():
    """An ERP kept for invoices only (no object mapped to orders): each booked CRM order reported "missing in the
    ERP" would only say nothing was asked for. They are not compared, and the run says so once, naming the key
    that would compare them."""
    from tests.workbench.reconcile.helpers import inv

    crm = {"orders": [_order("o1", "00000101"), _order("o2", "00000102")],
           "invoices": [inv("i1", "INV-1", "001000000000001AAA", "100.00", "100.00", "open")]}
    erp = {"invoices": [inv("x1", "INV-1", "e1", "100.00", "100.00", "open")]}
    res = _engine_run(crm, erp)
    assert not [t for t in res.exceptions["type"] if t.startswith("order.")]
    assert res.stats["warnings"] == ["the ERP side reads no orders (no object is mapped to orders): the CRM side's 2 "
                                     "orders are not compared. Map [erp.objects.orders] to compare them"]
    # an ERP that maps orders and read none still has them reported missing, with the other warning
    res = _engine_run(crm, {**erp, "orders": []})
    assert len([t for t in res.exceptions["type"] if t == "order.missing_in_erp"]) == 2
    assert res.stats["warnings"][0].startswith("the ERP side read no orders ([erp.objects.orders]) while the CRM side "
                                               "has 2")


def test_a_crm_that_maps_no_invoices_leaves_the_erps_invoices_uncompared_and_no_unexplained_difference():
    from tests.workbench.reconcile.helpers import inv

    erp = {"invoices": [inv("x1", "INV-1", "e1", "100.00", "40.00", "open"),
                        inv("x2", "INV-2", "e1", "50.00", "50.00", "open")]}
    res = _engine_run({}, erp)
    assert not [t for t in res.exceptions["type"] if t.startswith("invoice.")]
    one = _engine_run({}, {"invoices": erp["invoices"][:1]})
    assert one.stats["warnings"][0].startswith("the CRM side reads no invoices (no object is mapped to invoices): "
                                               "the ERP side's one invoice is not compared.")
    assert res.stats["warnings"] == ["the CRM side reads no invoices (no object is mapped to invoices): the ERP "
                                     "side's 2 invoices are not compared. Map [crm.objects.invoices] to compare them"]
    # the ERP's control totals still stand; its open balance is not called an unexplained difference
    assert list(res.control_totals["side"]) == ["erp"]
    assert res.stats["reconciling"] == {}
