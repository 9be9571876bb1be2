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
