"""Invoice matching and the invoice exception types, with tolerances and FX."""

from datetime import date, datetime, UTC
from decimal import Decimal

from workbench.model.ids import to_18
from workbench.reconcile.engine import reconcile

from .helpers import D, by_type, config, cust, extract, inv

C = to_18("001000000000001")


def run(crm_inv, erp_inv, rules=None, payments=()):
    crm = extract("crm", customers=[cust(C, "Acme Inc", xref="C1", tax_id="12-3456789")], invoices=crm_inv)
    erp = extract("erp", customers=[cust("e1", "Acme Inc", number="C1", tax_id="123456789")], invoices=erp_inv,
                  payments=list(payments))
    return reconcile(crm, erp, config(rules or {"tolerances": {"amount_minor_units": 1}}))


def types(res):
    return sorted(res.exceptions["type"])


def test_equal_invoices_matched_by_number_despite_case_and_spaces():
    res = run([inv("a1", " psi-1001", C, "100.00", "100.00", "open")],
              [inv("b1", "PSI-1001", "e1", "100.00", "100.00", "open")])
    assert types(res) == []
    assert res.stats["invoices_matched"] == {"number": 1}


def test_one_minor_unit_is_within_tolerance_but_two_are_not():
    res = run([inv("a1", "N1", C, "100.00", "100.00", "open"), inv("a2", "N2", C, "100.00", "100.00", "open")],
              [inv("b1", "N1", "e1", "100.01", "100.01", "open"), inv("b2", "N2", "e1", "100.02", "100.02", "open")])
    (exc,) = by_type(res, "invoice.amount_mismatch")
    assert exc["erp_id"] == "b2" and exc["difference"] == Decimal("-0.02") and exc["amount_at_risk"] == Decimal("0.02")
    assert types(res) == ["invoice.amount_mismatch"]  # one exception per pair, balance listed in its diffs
    assert {d["field"] for d in exc["diffs"]} == {"total_amount", "open_balance"}


def test_jpy_has_no_decimals():
    res = run([inv("a1", "N1", C, "5000", "5000", "open", ccy="JPY")],
              [inv("b1", "N1", "e1", "5002", "5002", "open", ccy="JPY")])
    (exc,) = by_type(res, "invoice.amount_mismatch")
    assert exc["crm_value"] == "5,000 JPY" and exc["erp_value"] == "5,002 JPY"


def test_partial_payment_not_reflected():
    res = run([inv("a1", "N1", C, "1000.00", "1000.00", "open")],
              [inv("b1", "N1", "e1", "1000.00", "400.00", "open")])  # BC: open with part of it paid
    (exc,) = by_type(res, "invoice.partial_payment_not_reflected")
    assert exc["field"] == "open_balance" and exc["amount_at_risk"] == Decimal("600.00")
    assert exc["proposal"]["target_side"] == "crm" and exc["proposal"]["to"] == "400.00"
    assert types(res) == ["invoice.partial_payment_not_reflected"]


def test_part_paid_status_spelled_differently_is_not_a_difference():
    res = run([inv("a1", "N1", C, "1000.00", "400.00", "partially_paid")],
              [inv("b1", "N1", "e1", "1000.00", "400.00", "open")])
    assert types(res) == []


def test_status_mismatch_with_the_erp_event_date():
    res = run([inv("a1", "N1", C, "500.00", "500.00", "open", status_raw="Posted|Unpaid")],
              [inv("b1", "N1", "e1", "500.00", "0.00", "paid", status_raw="Paid")],
              payments=[{"record_id": "p1", "customer_id": "e1", "amount": D("500.00"), "currency": "USD",
                         "invoice_number": "N1", "payment_date": date(2026, 9, 1)}])
    (exc,) = by_type(res, "invoice.status_mismatch")
    assert exc["crm_value"] == "Posted|Unpaid" and exc["erp_value"] == "Paid"
    assert "2026-09-01" in exc["message"] and exc["severity"] == "critical"  # 60 days late
    assert exc["proposal"]["field"] == "status" and exc["proposal"]["to"] == "paid"


def test_timing_mode_reports_late_events_and_skips_those_within_the_lag():
    recent = datetime(2026, 10, 30, tzinfo=UTC)
    old = datetime(2026, 10, 20, tzinfo=UTC)
    rules = {"timing": {"erp_events_as": "timing", "lag_days": 3}}
    res = run([inv("a1", "N1", C, "10.00", "10.00", "open"), inv("a2", "N2", C, "10.00", "10.00", "open")],
              [inv("b1", "N1", "e1", "10.00", "0.00", "paid", last_modified=recent),
               inv("b2", "N2", "e1", "10.00", "0.00", "void", last_modified=old)], rules=rules)
    (exc,) = by_type(res, "timing.event_not_reflected")
    assert exc["erp_id"] == "b2" and "cancelled" in exc["message"] and exc["severity"] == "medium"
    assert types(res) == ["timing.event_not_reflected"]


def test_balance_and_due_date_mismatch():
    res = run([inv("a1", "N1", C, "900.00", "300.00", "partially_paid"),
               inv("a2", "N2", C, "900.00", "900.00", "open", due_date=date(2026, 11, 15))],
              [inv("b1", "N1", "e1", "900.00", "200.00", "partially_paid"),
               inv("b2", "N2", "e1", "900.00", "900.00", "open", due_date=date(2026, 11, 30))])
    (bal,) = by_type(res, "invoice.balance_mismatch")
    assert bal["difference"] == Decimal("100.00")
    (due,) = by_type(res, "invoice.due_date_mismatch")
    assert (due["crm_value"], due["erp_value"]) == ("2026-11-15", "2026-11-30")


def test_missing_on_either_side_and_fallback_match():
    res = run([inv("a1", "N1", C, "10.00", "10.00", "open"),
               inv("a2", None, C, "77.00", "77.00", "open", invoice_date=date(2026, 9, 2))],  # no reference
              [inv("b2", "X-9", "e1", "77.00", "77.00", "open", invoice_date=date(2026, 9, 1)),
               inv("b3", "X-10", "e1", "55.00", "55.00", "open")])
    assert [e["crm_id"] for e in by_type(res, "invoice.missing_in_erp")] == ["a1"]
    assert [e["erp_id"] for e in by_type(res, "invoice.missing_in_crm")] == ["b3"]
    assert res.stats["invoices_matched"] == {"customer+amount+date": 1}


def test_fx_rate_used_is_recorded():
    rules = {"fx": {"rates": [{"date": "2026-08-01", "from": "EUR", "to": "USD", "rate": "1.10"}]},
             "tolerances": {"amount_minor_units": 1}}
    res = run([inv("a1", "N1", C, "110.00", "110.00", "open", ccy="USD")],
              [inv("b1", "N1", "e1", "100.00", "100.00", "open", ccy="EUR"),
               ], rules=rules)
    assert types(res) == []
    res = run([inv("a1", "N1", C, "120.00", "120.00", "open", ccy="USD")],
              [inv("b1", "N1", "e1", "100.00", "100.00", "open", ccy="EUR")], rules=rules)
    (exc,) = by_type(res, "invoice.amount_mismatch")
    fx = [d for d in exc["diffs"] if d["field"] == "fx_rate"][0]
    assert fx["rate"] == "1.10" and fx["rate_date"] == "2026-08-01" and exc["difference"] == Decimal("10.0000")


def test_control_totals_and_reconciling_difference_explained():
    res = run([inv("a1", "N1", C, "100.00", "100.00", "open"), inv("a2", "N2", C, "50.00", "50.00", "open"),
               inv("a3", "N3", C, "30.00", "30.00", "open")],
              [inv("b1", "N1", "e1", "100.00", "40.00", "open"), inv("b2", "N2", "e1", "50.00", "50.00", "open"),
               inv("b4", "N4", "e1", "20.00", "20.00", "open")])
    totals = {(r["side"], r["currency"]): r for r in res.control_totals.to_dict("records")}
    assert totals[("crm", "USD")]["open_balance"] == Decimal("180.00") and totals[("crm", "USD")]["invoices"] == 3
    assert totals[("erp", "USD")]["open_balance"] == Decimal("110.00")
    rec = res.stats["reconciling"]["USD"]
    assert rec["difference"] == "70.00" and rec["explained"] == "70.00" and rec["unexplained"] == "0.00"


def test_reconciling_items_no_exception_reports_leave_nothing_unexplained():
    """A controller reads the open-balance difference as exceptions plus reconciling items: a balance
    apart within the tolerance, an ERP payment the CRM may still catch up on within the sync lag, a draft
    on one side. Each has its own figure, so the unexplained remainder is zero, not the sum of them."""
    recent = datetime(2026, 10, 30, tzinfo=UTC)
    rules = {"tolerances": {"amount_minor_units": 1}, "timing": {"erp_events_as": "timing", "lag_days": 3}}
    res = run([inv("a1", "N1", C, "100.00", "100.00", "open"),          # 0.01 more than the ERP: tolerated
               inv("a2", "N2", C, "10.00", "10.00", "open"),            # paid in the ERP two days ago
               inv("a3", "N3", C, "50.00", "50.00", "draft"),           # a draft the ERP does not hold
               inv("a4", "N4", C, "70.00", "70.00", "open")],           # reported: missing in the ERP
              [inv("b1", "N1", "e1", "99.99", "99.99", "open"),
               inv("b2", "N2", "e1", "10.00", "0.00", "paid", last_modified=recent),
               inv("b5", "N5", "e1", "8.00", "8.00", "draft")], rules=rules)
    assert types(res) == ["invoice.missing_in_erp"]
    rec = res.stats["reconciling"]["USD"]
    assert rec["difference"] == "122.01"  # 230.00 open in the CRM, 107.99 in the ERP
    assert (rec["explained"], rec["within_tolerance"], rec["in_flight"], rec["drafts"]) == \
        ("70.00", "0.01", "10.00", "42.00")
    assert rec["unexplained"] == "0.00"


def test_a_pair_in_two_currencies_is_a_reconciling_item_of_both():
    """Matched across currencies, each balance counts under its own currency's control totals: the
    whole of it is "matched in another currency" in both rows, even where an exception reports the
    difference in the CRM's currency, so neither row is left unexplained."""
    rules = {"fx": {"rates": [{"date": "2026-08-01", "from": "EUR", "to": "USD", "rate": "1.10"}]},
             "tolerances": {"amount_minor_units": 1}}
    res = run([inv("a1", "N1", C, "120.00", "120.00", "open", ccy="USD")],
              [inv("b1", "N1", "e1", "100.00", "100.00", "open", ccy="EUR")], rules=rules)
    assert types(res) == ["invoice.amount_mismatch"]
    usd, eur = res.stats["reconciling"]["USD"], res.stats["reconciling"]["EUR"]
    assert (usd["difference"], usd["explained"], usd["other_currency"], usd["unexplained"]) == \
        ("120.00", "0", "120.00", "0.00")
    assert (eur["difference"], eur["explained"], eur["other_currency"], eur["unexplained"]) == \
        ("-100.00", "0", "-100.00", "0.00")


def test_a_difference_beyond_tolerance_is_explained_not_tolerated():
    res = run([inv("a1", "N1", C, "100.00", "100.00", "open")], [inv("b1", "N1", "e1", "100.00", "99.98", "open")])
    rec = res.stats["reconciling"]["USD"]
    assert (rec["explained"], rec["within_tolerance"], rec["unexplained"]) == ("0.02", "0", "0.00")


def test_aging_buckets_relative_to_as_of():
    res = run([inv("a1", "N1", C, "10.00", "10.00", "open", due_date=date(2026, 10, 20)),
               inv("a2", "N2", C, "20.00", "20.00", "open", due_date=date(2026, 7, 1))],
              [inv("b1", "N1", "e1", "10.00", "10.00", "open", due_date=date(2026, 10, 20)),
               inv("b2", "N2", "e1", "20.00", "20.00", "open", due_date=date(2026, 7, 1))])
    assert res.stats["aging"]["erp"]["USD"] == {"1-30": "10.00", "90+": "20.00"}


def test_one_credit_written_with_two_sign_conventions_is_the_same_credit():
    """A CRM file exports a credit note as -100.00; Odoo (amount_total, amount_residual) and Business Central
    write credit memos positive. The same credit is no difference, and the unapplied credit lowers both sides'
    open receivable in the control totals instead of adding to the ERP's."""
    res = run([inv("a1", "N1", C, "500.00", "500.00", "open"),
               inv("a2", "CM-1", C, "-100.00", "-100.00", "credit_note", is_credit_note=True)],
              [inv("b1", "N1", "e1", "500.00", "500.00", "open"),
               inv("b2", "CM-1", "e1", "100.00", "100.00", "credit_note", is_credit_note=True)])
    assert types(res) == []
    totals = {r["side"]: r for r in res.control_totals.to_dict("records")}
    assert totals["crm"]["open_balance"] == totals["erp"]["open_balance"] == Decimal("400.00")
    assert totals["erp"]["total_amount"] == Decimal("400.00")
    assert res.stats["reconciling"]["USD"]["difference"] == "0.00"


def test_a_credit_partly_applied_in_the_erp_is_fixed_in_the_crms_own_sign():
    res = run([inv("a1", "CM-6", C, "-100.00", "-100.00", "credit_note", is_credit_note=True)],
              [inv("b1", "CM-6", "e1", "100.00", "40.00", "credit_note", is_credit_note=True)])
    (exc,) = by_type(res, "invoice.balance_mismatch")
    assert exc["amount_at_risk"] == Decimal("60.00") and exc["erp_value"] == "-40.00 USD"
    assert exc["proposal"]["to"] == "-40.00"  # writing +40.00 would turn the CRM's credit into a receivable
    assert res.stats["reconciling"]["USD"]["unexplained"] == "0.00"


def test_an_invoice_the_erp_holds_as_a_credit_note_explains_both_sides_of_the_receivable():
    res = run([inv("a1", "CM-4", C, "50.00", "50.00", "open")],
              [inv("b1", "CM-4", "e1", "50.00", "50.00", "credit_note", is_credit_note=True)])
    (exc,) = by_type(res, "invoice.status_mismatch")
    assert exc["amount_at_risk"] == Decimal("50.00")
    rec = res.stats["reconciling"]["USD"]
    # 50 owed in the CRM, 50 of credit in the ERP: 100 apart, all of it carried by the exception
    assert (rec["difference"], rec["explained"], rec["within_tolerance"], rec["unexplained"]) == \
        ("100.00", "100.00", "0", "0.00")


def test_a_cancelled_invoice_leaves_nothing_open_whatever_residual_its_source_keeps():
    """Odoo keeps amount_residual on a cancelled move ("Amount Due" of a cancelled invoice is its total): void on
    both sides is no balance difference, and it is not part of the ERP's open receivable."""
    odoo_cancel = "out_invoice|cancel|not_paid"
    res = run([inv("a1", "N1", C, "100.00", "0.00", "void"), inv("a2", "N2", C, "80.00", "80.00", "open")],
              [inv("b1", "N1", "e1", "100.00", "100.00", "void", status_raw=odoo_cancel),
               inv("b2", "N2", "e1", "80.00", "80.00", "void", status_raw=odoo_cancel)])
    (exc,) = res.exceptions.to_dict("records")
    assert exc["type"] == "invoice.status_mismatch" and exc["crm_id"] == "a2"
    assert exc["proposal"]["also"] == [{"field": "open_balance", "from": "80.00", "to": "0"}]
    erp = [r for r in res.control_totals.to_dict("records") if r["side"] == "erp"][0]
    assert erp["open_balance"] == Decimal("0")
    rec = res.stats["reconciling"]["USD"]
    assert (rec["difference"], rec["explained"], rec["unexplained"]) == ("80.00", "80.00", "0.00")


def test_a_cancelled_invoice_on_one_side_only_puts_nothing_at_risk():
    res = run([], [inv("b1", "N9", "e1", "100.00", "0.00", "void"), inv("b2", "CM-7", "e1", "-80.00", "-80.00",
                                                                        "credit_note", is_credit_note=True)])
    risk = {e["erp_id"]: e["amount_at_risk"] for e in by_type(res, "invoice.missing_in_crm")}
    assert risk == {"b1": Decimal("0"), "b2": Decimal("80.00")}
    assert res.stats["reconciling"]["USD"]["unexplained"] == "0.00"


def test_an_erp_amount_in_another_currency_is_rounded_shown_and_proposed_as_each_currency_writes_it():
    rules = {"fx": {"rates": [{"date": "2026-08-01", "from": "EUR", "to": "USD", "rate": "1.08321234"}]}}
    res = run([inv("a1", "N1", C, "108.32", "108.32", "open")],
              [inv("b1", "N1", "e1", "100.00", "100.00", "open", ccy="EUR")], rules=rules)
    assert types(res) == []  # 100.00 EUR is 108.32 USD at the rate
    res = run([inv("a1", "N1", C, "113.32", "113.32", "open")],
              [inv("b1", "N1", "e1", "100.00", "100.00", "open", ccy="EUR")], rules=rules)
    (exc,) = by_type(res, "invoice.amount_mismatch")
    assert exc["amount_at_risk"] == Decimal("5.00") and str(exc["amount_at_risk"]) == "5.00"
    assert (exc["crm_value"], exc["erp_value"]) == ("113.32 USD", "100.00 EUR")
    assert [d["erp"] for d in exc["diffs"] if d["field"] == "total_amount"] == ["100.00 EUR"]
    assert exc["proposal"]["to"] == "108.32"  # the CRM's USD invoice set to the ERP's amount in USD


def test_a_year_segmented_number_padded_by_one_system_matches_its_invoice():
    """Business Central pads the running part of "SI-2026-000123"; the CRM stores "SI-2026-123". Leading zeros
    are dropped per segment, so the pair is found and its difference reported, not two missing invoices."""
    res = run([inv("a1", "SI-2026-123", C, "100.00", "100.00", "open")],
              [inv("b1", "SI-2026-000123", "e1", "100.05", "100.05", "open")])
    assert types(res) == ["invoice.amount_mismatch"]
    assert res.stats["invoices_matched"] == {"number": 1}


def test_a_number_one_system_writes_with_separators_and_the_other_run_together_is_one_invoice():
    """"INV-2026-0042" in the CRM, "INV20260042" in the ERP: dropping leading zeros per segment first reads the
    one as "INV202642", so the pair came out as two missing invoices; the run-together form is tried next."""
    res = run([inv("a1", "INV-2026-0042", C, "100.00", "100.00", "open")],
              [inv("b1", "INV20260042", "e1", "100.05", "100.05", "open")])
    assert types(res) == ["invoice.amount_mismatch"]
    assert res.stats["invoices_matched"] == {"number": 1}


def test_an_erp_payment_after_the_as_of_date_is_said_to_be_after_it():
    """Paid on 1 November, reconciled as of 31 October: the message counts the day after, never "-1 days
    before"; one day is a day."""
    res = run([inv("a1", "N1", C, "100.00", "100.00", "open"), inv("a2", "N2", C, "50.00", "50.00", "open")],
              [inv("b1", "N1", "e1", "100.00", "0.00", "paid"), inv("b2", "N2", "e1", "50.00", "0.00", "paid")],
              payments=[{"record_id": "p1", "customer_id": "e1", "amount": D("100.00"), "currency": "USD",
                         "invoice_number": "N1", "payment_date": date(2026, 11, 1)},
                        {"record_id": "p2", "customer_id": "e1", "amount": D("50.00"), "currency": "USD",
                         "invoice_number": "N2", "payment_date": date(2026, 10, 30)}])
    msgs = {e["crm_id"]: e["message"] for e in by_type(res, "invoice.status_mismatch")}
    assert "paid on 2026-11-01, 1 day after 2026-10-31 (within the sync lag)." in msgs["a1"]
    assert "paid on 2026-10-30, 1 day before 2026-10-31 (within the sync lag)." in msgs["a2"]


def test_a_credit_note_without_a_reference_is_found_by_its_size_not_its_sign():
    """The CRM holds a credit note without the ERP's number, written negative; Odoo writes it positive. The
    fallback match (customer, currency, amount, date) finds it by its size, and never pairs it with an invoice."""
    res = run([inv("a1", None, C, "-100.00", "-100.00", "credit_note", invoice_date=date(2026, 9, 2)),
               inv("a2", None, C, "250.00", "250.00", "open")],
              [inv("b1", "RINV/2026/0001", "e1", "100.00", "100.00", "credit_note", is_credit_note=True),
               inv("b2", "RINV/2026/0002", "e1", "-250.00", "-250.00", "credit_note", is_credit_note=True)])
    assert res.stats["invoices_matched"] == {"customer+amount+date": 1}
    assert sorted((e["type"], e["crm_id"] or e["erp_id"]) for e in res.exceptions.to_dict("records")) == \
        [("invoice.missing_in_crm", "b2"), ("invoice.missing_in_erp", "a2")]
