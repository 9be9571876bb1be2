"""A run's summary is read the same way whether this version or an older one stored it."""

from __future__ import annotations

from workbench.pipeline import format_summary
from workbench.reconcile.summary import RunSummary, read_summary


def test_a_stored_summary_reads_back_as_it_was_built() -> None:
    built = RunSummary(records={"crm": {"customers": 3}, "erp": {"customers": 2}}, links={"exact": 2},
                       links_total=2, suggested_links=1, exceptions={"customer.missing_in_erp": 1},
                       exceptions_total=1, stats={"warnings": ["tolerance wider than a cent"]})
    assert read_summary(built.to_json()) == built


def test_an_older_summary_counts_its_exceptions_from_the_engine_figures() -> None:
    # Runs stored before the summary was built in one place kept per-type counts among the stats.
    old = {"records": {"crm": {"customers": 4}}, "stats": {"exceptions_by_type": {"invoice.amount": 2,
                                                                                  "customer.name": 3}}}
    summary = read_summary(old)
    assert summary is not None and summary.exceptions_total == 5
    assert "Invoice: amount                                      2  invoice.amount" in format_summary(old)
    assert format_summary(old).splitlines()[-1].endswith("5")


def test_a_run_without_a_summary_has_none() -> None:
    assert read_summary(None) is None and read_summary({}) is None


def _reconciling_table(summary: dict[str, object]) -> list[list[str]]:
    lines = format_summary(summary).splitlines()
    start = next(n for n, line in enumerate(lines) if line.startswith("Open balance difference"))
    table = []
    for line in lines[start:]:
        if not line.strip():
            break
        table.append(line.replace("Open balance difference", "").replace("CRM - ERP", "CRM-ERP").split("  "))
    return [[cell.strip() for cell in row if cell.strip()] for row in table]


def test_the_terminal_shows_the_reconciling_items_a_run_has_and_leaves_nothing_unexplained() -> None:
    control = [{"side": "crm", "currency": "USD", "invoices": 2, "total_amount": "110.00", "open_balance": "110.00"},
               {"side": "erp", "currency": "USD", "invoices": 2, "total_amount": "109.99", "open_balance": "99.99"}]
    rec = {"USD": {"difference": "10.01", "explained": "0", "within_tolerance": "0.01", "in_flight": "10.00",
                   "drafts": "0", "unexplained": "0.00"}}
    table = _reconciling_table({"control_totals": control, "stats": {"reconciling": rec}})
    # drafts have no column: no currency has any
    assert table == [["Currency", "CRM-ERP", "Explained", "Within tolerance", "In flight (sync lag)", "Unexplained"],
                     ["USD", "10.01", "0.00", "0.01", "10.00", "0.00"]]


def test_an_older_run_shows_its_difference_as_it_was_stored() -> None:
    control = [{"side": "crm", "currency": "EUR", "invoices": 1, "total_amount": "5.00", "open_balance": "5.00"}]
    rec = {"EUR": {"difference": "5.00", "explained": "4.99", "unexplained": "0.01"}}
    table = _reconciling_table({"control_totals": control, "stats": {"reconciling": rec}})
    assert table == [["Currency", "CRM-ERP", "Explained", "Unexplained"], ["EUR", "5.00", "4.99", "0.01"]]


def test_a_long_item_label_keeps_its_column_apart_from_the_next() -> None:
    control = [{"side": "crm", "currency": "USD", "invoices": 1, "total_amount": "120.00", "open_balance": "120.00"}]
    rec = {"USD": {"difference": "120.00", "explained": "0", "other_currency": "120.00", "unexplained": "0.00"}}
    table = _reconciling_table({"control_totals": control, "stats": {"reconciling": rec}})
    assert table == [["Currency", "CRM-ERP", "Explained", "Matched in another currency", "Unexplained"],
                     ["USD", "120.00", "0.00", "120.00", "0.00"]]


def test_the_summary_shows_the_receivable_net_of_credit_notes_and_without_cancelled_invoices() -> None:
    """An Odoo extract writes a customer credit note positive (amount_residual) and keeps the residual of a
    cancelled invoice: the stored control totals and the terminal's table show what the customer owes, and the
    two sides tie."""
    from decimal import Decimal

    from workbench.reconcile.engine import reconcile

    from .helpers import config, cust, extract, inv
    c = "001000000000001AAA"
    crm = extract("crm", customers=[cust(c, "Acme Inc", xref="C1", tax_id="12-3456789")],
                  invoices=[inv("a1", "N1", c, "500.00", "500.00", "open"),
                            inv("a2", "RINV-1", c, "-100.00", "-100.00", "credit_note"),
                            inv("a3", "N3", c, "70.00", "0.00", "void")])
    erp = extract("erp", customers=[cust("e1", "Acme Inc", number="C1", tax_id="123456789")],
                  invoices=[inv("b1", "N1", "e1", "500.00", "500.00", "open", status_raw="out_invoice|posted|not_paid"),
                            inv("b2", "RINV-1", "e1", "100.00", "100.00", "credit_note",
                                status_raw="out_refund|posted|not_paid", is_credit_note=True),
                            inv("b3", "N3", "e1", "70.00", "70.00", "void", status_raw="out_invoice|cancel|not_paid")])
    result = reconcile(crm, erp, config())
    stored = RunSummary.build(crm, erp, result).to_json()
    assert stored["exceptions_total"] == 0
    assert [(t["side"], t["open_balance"]) for t in stored["control_totals"]] == [("crm", "400.00"), ("erp", "400.00")]
    assert Decimal(stored["stats"]["reconciling"]["USD"]["difference"]) == 0
    assert _reconciling_table(stored)[1] == ["USD", "0.00", "0.00", "0.00"]
