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
