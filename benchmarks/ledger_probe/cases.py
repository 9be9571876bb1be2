"""The cases: records as Salesforce, Business Central, Odoo and file extracts carry them, and what a
controller at month-end expects the run to say about each (which exception, amount at risk, currency)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from .harness import CRM_CUST as C
from .harness import D, Case, inv, price

C2 = "001000000000002AAA"
TOL1 = {"tolerances": {"amount_minor_units": 1}}
ODOO_CANCEL = "out_invoice|cancel|not_paid"


def _line(rid: str, order: str, code: str, qty: str, unit: str, ccy: str = "EUR", **kw: object) -> dict[str, object]:
    return {"record_id": rid, "order_id": order, "product_code": code, "quantity": D(qty), "unit_price": D(unit),
            "currency": ccy, **kw}


def _order(rid: str, number: str, total: str, ccy: str = "EUR", customer: str = C, **kw: object) -> dict[str, object]:
    return {"record_id": rid, "number": number, "customer_id": customer, "currency": ccy, "total_amount": D(total),
            "booked": True, **kw}


def numbers() -> list[Case]:
    k = "invoice numbers"
    return [
        Case(k, "leading zeros 00123 vs 123, amounts 0.05 apart",
             {"invoices": [inv("a1", "INV-00123", C, "100.00", "100.00", "open")]},
             {"invoices": [inv("b1", "INV-123", "e1", "100.05", "100.05", "open")]},
             [("invoice.amount_mismatch", "0.05", "USD")]),
        Case(k, "case and spaces", {"invoices": [inv("a1", "si 2026 000123", C, "100.00", "100.00", "open")]},
             {"invoices": [inv("b1", "SI-2026-000123", "e1", "100.05", "100.05", "open")]},
             [("invoice.amount_mismatch", "0.05", "USD")]),
        Case(k, "same number reused next year, other customer/company", {"invoices": [
                inv("a1", "1001", C, "100.00", "100.00", "open", invoice_date=date(2025, 9, 1)),
                inv("a2", "1001", C2, "250.00", "250.00", "open", ccy="EUR")]},
             {"invoices": [inv("b1", "1001", "e1", "100.00", "100.00", "open", invoice_date=date(2025, 9, 1)),
                           inv("b2", "1001", "e2", "250.00", "250.00", "open", ccy="EUR")]},
             [], why="one number in two companies' ledgers is two invoices; each pairs within its customer"),
        Case(k, "same number reused, one differs", {"invoices": [
                inv("a1", "1001", C, "100.00", "100.00", "open"),
                inv("a2", "1001", C2, "250.00", "250.00", "open", ccy="EUR")]},
             {"invoices": [inv("b2", "1001", "e2", "250.00", "200.00", "open", ccy="EUR"),
                           inv("b1", "1001", "e1", "100.00", "100.00", "open")]},
             [("invoice.partial_payment_not_reflected", "50.00", "EUR")]),
        Case(k, "invoice split in the ERP (two invoices for one CRM invoice)",
             {"invoices": [inv("a1", "5001", C, "1000.00", "1000.00", "open")]},
             {"invoices": [inv("b1", "5001", "e1", "600.00", "600.00", "open"),
                           inv("b2", "5002", "e1", "400.00", "400.00", "open")]},
             [("invoice.amount_mismatch", "400.00", "USD"), ("invoice.missing_in_crm", "400.00", "USD")],
             why="the ERP holds 1000 as well; the pair differs by 400 and 400 is on an invoice the CRM lacks"),
    ]


def credits() -> list[Case]:
    k = "credit notes & payments"
    return [
        Case(k, "credit note negative in CRM, positive in ERP (BC/Odoo post credit memos positive)",
             {"invoices": [inv("a1", "CM-1", C, "-100.00", "-100.00", "credit_note")]},
             {"invoices": [inv("b1", "CM-1", "e1", "100.00", "100.00", "credit_note")]},
             [], why="the same credit of 100 written with two sign conventions"),
        Case(k, "credit note both positive, balance applied in ERP only",
             {"invoices": [inv("a1", "CM-1", C, "100.00", "100.00", "credit_note")]},
             {"invoices": [inv("b1", "CM-1", "e1", "100.00", "0.00", "credit_note")]},
             [("invoice.balance_mismatch", "100.00", "USD")],
             why="the CRM still shows 100 of credit the ERP has applied"),
        Case(k, "control totals: Odoo credit note positive, CRM file negative, both unapplied",
             {"invoices": [inv("a1", "N1", C, "500.00", "500.00", "open"),
                           inv("a2", "CM-1", C, "-100.00", "-100.00", "credit_note")]},
             {"invoices": [inv("b1", "N1", "e1", "500.00", "500.00", "open"),
                           inv("b2", "CM-1", "e1", "100.00", "100.00", "credit_note")]}, [],
             checks=[("total", "erp", "USD", "open_balance", "400.00"),
                     ("total", "crm", "USD", "open_balance", "400.00")],
             why="an unapplied credit lowers what the customer owes, whichever sign the system writes"),
        Case(k, "credit note positive missing in ERP",
             {"invoices": [inv("a1", "CM-9", C, "80.00", "80.00", "credit_note")]}, {"invoices": []},
             [("invoice.missing_in_erp", "80.00", "USD")]),
        Case(k, "credit note negative, balance differs",
             {"invoices": [inv("a1", "CM-5", C, "-100.00", "-100.00", "credit_note")]},
             {"invoices": [inv("b1", "CM-5", "e1", "-100.00", "-30.00", "credit_note")]},
             [("invoice.balance_mismatch", "70.00", "USD")]),
        Case(k, "CRM balance blank (not extracted)",
             {"invoices": [inv("a1", "N1", C, "100.00", "0", "open") | {"open_balance": None}]},
             {"invoices": [inv("b1", "N1", "e1", "100.00", "100.00", "open")]},
             [("invoice.balance_mismatch", "100.00", "USD")],
             why="a balance one side does not hold is a difference to look at, not a match"),
        Case(k, "credit note missing in CRM, stored negative",
             {"invoices": []},
             {"invoices": [inv("b1", "CM-7", "e1", "-80.00", "-80.00", "credit_note")]},
             [("invoice.missing_in_crm", "80.00", "USD")]),
        Case(k, "credit note both negative, equal",
             {"invoices": [inv("a1", "CM-2", C, "-80.00", "-80.00", "credit_note")]},
             {"invoices": [inv("b1", "CM-2", "e1", "-80.00", "-80.00", "credit_note")]}, []),
        Case(k, "credit note negative both, 0.05 apart with rel tolerance 0.001",
             {"invoices": [inv("a1", "CM-3", C, "-100.00", "-100.00", "credit_note")]},
             {"invoices": [inv("b1", "CM-3", "e1", "-100.05", "-100.05", "credit_note")]}, [],
             rules={"tolerances": {"invoice_amount": {"rel": "0.001"}, "invoice_balance": {"rel": "0.001"}}},
             why="0.05 is within 0.1 % of 100 whichever sign the credit is written with"),
        Case(k, "overpayment: ERP balance -50 (credit on account), CRM paid 0",
             {"invoices": [inv("a1", "N1", C, "500.00", "0.00", "paid")]},
             {"invoices": [inv("b1", "N1", "e1", "500.00", "-50.00", "paid")]},
             [("invoice.balance_mismatch", "50.00", "USD")]),
        Case(k, "one payment applied across two invoices, CRM shows both open",
             {"invoices": [inv("a1", "N1", C, "1000.00", "1000.00", "open"),
                           inv("a2", "N2", C, "500.00", "500.00", "open")]},
             {"invoices": [inv("b1", "N1", "e1", "1000.00", "0.00", "paid"),
                           inv("b2", "N2", "e1", "500.00", "0.00", "paid")],
              "payments": [{"record_id": "p1", "customer_id": "e1", "amount": D("1500.00"), "currency": "USD",
                            "invoice_number": "N1", "payment_date": date(2026, 10, 5)}]},
             [("invoice.status_mismatch", "1000.00", "USD"), ("invoice.status_mismatch", "500.00", "USD")]),
        Case(k, "credit note signs differ and the ERP applied part: fix in the CRM's sign",
             {"invoices": [inv("a1", "CM-6", C, "-100.00", "-100.00", "credit_note")]},
             {"invoices": [inv("b1", "CM-6", "e1", "100.00", "40.00", "credit_note")]},
             [("invoice.balance_mismatch", "60.00", "USD")],
             checks=[("proposal_to", "invoice.balance_mismatch", "-40.00")]),
        Case(k, "cancelled in ERP (Odoo residual kept): the CRM is set to void with nothing open",
             {"invoices": [inv("a1", "N5", C, "100.00", "100.00", "open")]},
             {"invoices": [inv("b1", "N5", "e1", "100.00", "100.00", "void", status_raw=ODOO_CANCEL)]},
             [("invoice.status_mismatch", "100.00", "USD")],
             checks=[("recon", "USD", "explained", "100.00")]),
        Case(k, "write-off of 0.50 in ERP, CRM still shows 0.50 open",
             {"invoices": [inv("a1", "N1", C, "100.50", "0.50", "partially_paid")]},
             {"invoices": [inv("b1", "N1", "e1", "100.50", "0.00", "paid")]},
             [("invoice.status_mismatch", "0.50", "USD")]),
        Case(k, "partial payment both sides, balances 0.01 apart, tolerance 1 minor unit",
             {"invoices": [inv("a1", "N1", C, "300.00", "100.01", "partially_paid")]},
             {"invoices": [inv("b1", "N1", "e1", "300.00", "100.00", "open")]}, [], rules=TOL1,
             checks=[("recon", "USD", "within_tolerance", "0.01")]),
    ]


def rounding() -> list[Case]:
    k = "rounding & tolerance"
    return [
        Case(k, "line vs document rounding 0.01, tolerance 1 minor unit",
             {"invoices": [inv("a1", "N1", C, "119.01", "119.01", "open")]},
             {"invoices": [inv("b1", "N1", "e1", "119.00", "119.00", "open")]}, [], rules=TOL1),
        Case(k, "0.01 apart, default tolerance (under one minor unit)",
             {"invoices": [inv("a1", "N1", C, "119.01", "119.01", "open")]},
             {"invoices": [inv("b1", "N1", "e1", "119.00", "119.00", "open")]},
             [("invoice.amount_mismatch", "0.01", "USD")]),
        Case(k, "ERP total with sub-cent residue 100.004 vs 100.00",
             {"invoices": [inv("a1", "N1", C, "100.00", "100.00", "open")]},
             {"invoices": [inv("b1", "N1", "e1", "100.004", "100.004", "open")]}, []),
        Case(k, "tax-inclusive CRM vs net ERP",
             {"invoices": [inv("a1", "N1", C, "119.00", "119.00", "open")]},
             {"invoices": [inv("b1", "N1", "e1", "100.00", "100.00", "open")]},
             [("invoice.amount_mismatch", "19.00", "USD")]),
        Case(k, "JPY 1 yen apart with 1 minor unit tolerance",
             {"invoices": [inv("a1", "N1", C, "5001", "5001", "open", ccy="JPY")]},
             {"invoices": [inv("b1", "N1", "e1", "5000", "5000", "open", ccy="JPY")]}, [], rules=TOL1),
        Case(k, "JPY 2 yen apart",
             {"invoices": [inv("a1", "N1", C, "5002", "5002", "open", ccy="JPY")]},
             {"invoices": [inv("b1", "N1", "e1", "5000", "5000", "open", ccy="JPY")]},
             [("invoice.amount_mismatch", "2", "JPY")], rules=TOL1),
        Case(k, "KWD 0.001 apart at tolerance 1 minor unit",
             {"invoices": [inv("a1", "N1", C, "100.126", "100.126", "open", ccy="KWD")]},
             {"invoices": [inv("b1", "N1", "e1", "100.125", "100.125", "open", ccy="KWD")]}, [], rules=TOL1),
        Case(k, "BHD 0.002 apart at tolerance 1 minor unit",
             {"invoices": [inv("a1", "N1", C, "100.127", "100.127", "open", ccy="BHD")]},
             {"invoices": [inv("b1", "N1", "e1", "100.125", "100.125", "open", ccy="BHD")]},
             [("invoice.amount_mismatch", "0.002", "BHD")], rules=TOL1),
        Case(k, "KWD in a 2-decimal CRM field (100.13 vs 100.125), tolerance 5 minor units",
             {"invoices": [inv("a1", "N1", C, "100.13", "100.13", "open", ccy="KWD")]},
             {"invoices": [inv("b1", "N1", "e1", "100.125", "100.125", "open", ccy="KWD")]}, [],
             rules={"tolerances": {"amount_minor_units": 5}}),
        Case(k, "exactly at a per-currency tolerance (CHF 0.05)",
             {"invoices": [inv("a1", "N1", C, "100.05", "100.05", "open", ccy="CHF")]},
             {"invoices": [inv("b1", "N1", "e1", "100.00", "100.00", "open", ccy="CHF")]}, [],
             rules={"tolerances": {"invoice_amount": {"CHF": "0.05"}, "invoice_balance": {"CHF": "0.05"}}}),
        Case(k, "one minor unit over a per-currency tolerance (CHF 0.06)",
             {"invoices": [inv("a1", "N1", C, "100.06", "100.06", "open", ccy="CHF")]},
             {"invoices": [inv("b1", "N1", "e1", "100.00", "100.00", "open", ccy="CHF")]},
             [("invoice.amount_mismatch", "0.06", "CHF")],
             rules={"tolerances": {"invoice_amount": {"CHF": "0.05"}, "invoice_balance": {"CHF": "0.05"}}}),
        Case(k, "negative difference amount at risk positive",
             {"invoices": [inv("a1", "N1", C, "100.00", "100.00", "open")]},
             {"invoices": [inv("b1", "N1", "e1", "130.00", "130.00", "open")]},
             [("invoice.amount_mismatch", "30.00", "USD")]),
    ]


def fx() -> list[Case]:
    k = "fx"
    r1 = {"fx": {"rates": [{"date": "2026-08-01", "from": "EUR", "to": "USD", "rate": "1.08321234"}]}}
    return [
        Case(k, "EUR invoice held in USD in CRM, rate with 8 decimals, rounds equal",
             {"invoices": [inv("a1", "N1", C, "108.32", "108.32", "open")]},
             {"invoices": [inv("b1", "N1", "e1", "100.00", "100.00", "open", ccy="EUR")]}, [], rules=r1),
        Case(k, "EUR invoice, CRM USD 5.00 off: at risk in USD",
             {"invoices": [inv("a1", "N1", C, "113.32", "113.32", "open")]},
             {"invoices": [inv("b1", "N1", "e1", "100.00", "100.00", "open", ccy="EUR")]},
             [("invoice.amount_mismatch", "5.00", "USD")], rules=r1),
        Case(k, "only the inverse rate USD->EUR given",
             {"invoices": [inv("a1", "N1", C, "110.00", "110.00", "open")]},
             {"invoices": [inv("b1", "N1", "e1", "100.00", "100.00", "open", ccy="EUR")]}, [],
             rules={"fx": {"rates": [{"date": "2026-08-01", "from": "USD", "to": "EUR", "rate": "0.909090909"}]}}),
        Case(k, "rate of the invoice date, not the latest",
             {"invoices": [inv("a1", "N1", C, "110.00", "110.00", "open")]},
             {"invoices": [inv("b1", "N1", "e1", "100.00", "100.00", "open", ccy="EUR")]}, [],
             rules={"fx": {"rates": [{"date": "2026-08-01", "from": "EUR", "to": "USD", "rate": "1.10"},
                                     {"date": "2026-10-01", "from": "EUR", "to": "USD", "rate": "1.20"}]}}),
        Case(k, "JPY vs USD: yen amount at 0 decimals",
             {"invoices": [inv("a1", "N1", C, "15000", "15000", "open", ccy="JPY")]},
             {"invoices": [inv("b1", "N1", "e1", "100.00", "100.00", "open")]}, [],
             rules={"fx": {"rates": [{"date": "2026-08-01", "from": "USD", "to": "JPY", "rate": "150.004"}]}}),
        Case(k, "EUR invoice, CRM USD: the ERP value shown in EUR, the fix in USD",
             {"invoices": [inv("a1", "N1", C, "113.32", "113.32", "open")]},
             {"invoices": [inv("b1", "N1", "e1", "100.00", "100.00", "open", ccy="EUR")]},
             [("invoice.amount_mismatch", "5.00", "USD")], rules=r1,
             checks=[("field", "invoice.amount_mismatch", "erp_value", "100.00 EUR"),
                     ("proposal_to", "invoice.amount_mismatch", "108.32")],
             why="the ERP holds 100.00 EUR (not 100.00 USD); the CRM's USD invoice would be set to 108.32 USD"),
        Case(k, "order in USD in the ERP, EUR in the CRM, rate with many decimals",
             {"orders": [{"record_id": "o1", "number": "101", "customer_id": C, "currency": "EUR",
                          "total_amount": D("105.00"), "booked": True, "xref": "SO-1"}]},
             {"orders": [{"record_id": "s1", "number": "SO-1", "customer_id": "e1", "currency": "USD",
                          "total_amount": D("108.32")}]},
             [("order.amount_mismatch", "5.00", "EUR")], rules=r1),
        Case(k, "partial payment in EUR, CRM in USD: balance at risk in USD",
             {"invoices": [inv("a1", "N1", C, "110.00", "110.00", "open")]},
             {"invoices": [inv("b1", "N1", "e1", "100.00", "40.00", "open", ccy="EUR")]},
             [("invoice.partial_payment_not_reflected", "66.00", "USD")],
             rules={"fx": {"rates": [{"date": "2026-08-01", "from": "EUR", "to": "USD", "rate": "1.10"}]}}),
    ]


def statuses() -> list[Case]:
    k = "statuses & timing"
    late = datetime(2026, 11, 1, 0, 30, tzinfo=UTC)
    return [
        Case(k, "cancelled in ERP only (BC Canceled, balance 0)",
             {"invoices": [inv("a1", "N1", C, "100.00", "100.00", "open")]},
             {"invoices": [inv("b1", "N1", "e1", "100.00", "0.00", "void", status_raw="Canceled")]},
             [("invoice.status_mismatch", "100.00", "USD")]),
        Case(k, "cancelled in ERP only (Odoo cancel keeps its residual)",
             {"invoices": [inv("a1", "N1", C, "100.00", "100.00", "open")]},
             {"invoices": [inv("b1", "N1", "e1", "100.00", "100.00", "void", status_raw=ODOO_CANCEL)]},
             [("invoice.status_mismatch", "100.00", "USD")], checks=[("total", "erp", "USD", "open_balance", "0")],
             why="a cancelled invoice is owed by no one: nothing of it is open in the control totals"),
        Case(k, "void on both sides, Odoo residual kept",
             {"invoices": [inv("a1", "N1", C, "100.00", "0.00", "void")]},
             {"invoices": [inv("b1", "N1", "e1", "100.00", "100.00", "void", status_raw=ODOO_CANCEL)]},
             [], checks=[("total", "erp", "USD", "open_balance", "0")]),
        Case(k, "void in ERP, absent in CRM",
             {"invoices": []},
             {"invoices": [inv("b1", "N9", "e1", "100.00", "0.00", "void")]}, [("invoice.missing_in_crm", "0", "USD")],
             why="reported for the audit trail of the cancellation, but nothing of a cancelled invoice is at risk"),
        Case(k, "draft in CRM only", {"invoices": [inv("a1", "N1", C, "100.00", "100.00", "draft")]},
             {"invoices": []}, []),
        Case(k, "draft in ERP only (BC Draft)", {"invoices": []},
             {"invoices": [inv("b1", "N1", "e1", "100.00", "100.00", "draft", status_raw="Draft")]}, []),
        Case(k, "paid on the last day, timing mode, ERP stamp after midnight UTC",
             {"invoices": [inv("a1", "N1", C, "100.00", "100.00", "open")]},
             {"invoices": [inv("b1", "N1", "e1", "100.00", "0.00", "paid", last_modified=late)],
              "payments": [{"record_id": "p1", "customer_id": "e1", "amount": D("100.00"), "currency": "USD",
                            "invoice_number": "N1", "payment_date": date(2026, 10, 31)}]},
             [], rules={"timing": {"erp_events_as": "timing", "lag_days": 2}},
             checks=[("recon", "USD", "in_flight", "100.00")]),
        Case(k, "invoice dated a day apart by timezone, fallback match without number",
             {"invoices": [inv("a1", None, C, "77.00", "77.00", "open", invoice_date=date(2026, 9, 30))]},
             {"invoices": [inv("b1", "X-9", "e1", "77.00", "77.00", "open", invoice_date=date(2026, 10, 1))]}, []),
        Case(k, "credit note in ERP status vs CRM 'open' with positive amount",
             {"invoices": [inv("a1", "CM-4", C, "50.00", "50.00", "open")]},
             {"invoices": [inv("b1", "CM-4", "e1", "50.00", "50.00", "credit_note")]},
             [("invoice.status_mismatch", "50.00", "USD")],
             why="the CRM treats a credit of 50 as a receivable of 50: 100 apart in truth, but at least 50 at risk"),
    ]


def prices() -> list[Case]:
    k = "prices"
    return [
        Case(k, "min quantity None vs 1 vs 0 (first tier)", {"prices": [price("c1", "A", "EUR", "100.00")]},
             {"prices": [price("e1", "A", "EUR", "100.00", min_quantity=D("1"))]}, []),
        Case(k, "min quantity 0 vs 1.00", {"prices": [price("c1", "A", "EUR", "100.00", min_quantity=D("0"))]},
             {"prices": [price("e1", "A", "EUR", "100.00", min_quantity=D("1.00"))]}, []),
        Case(k, "quantity breaks equal", {"prices": [price("c1", "A", "EUR", "100.00", min_quantity=D("1")),
                                                     price("c2", "A", "EUR", "90.00", min_quantity=D("10"))]},
             {"prices": [price("e1", "A", "EUR", "100.00", min_quantity=D("1")),
                         price("e2", "A", "EUR", "90.00", min_quantity=D("10.00"))]}, []),
        Case(k, "quantity break differs", {"prices": [price("c1", "A", "EUR", "100.00", min_quantity=D("1")),
                                                      price("c2", "A", "EUR", "90.00", min_quantity=D("10"))]},
             {"prices": [price("e1", "A", "EUR", "100.00", min_quantity=D("1")),
                         price("e2", "A", "EUR", "85.00", min_quantity=D("10"))]},
             [("pricing.price_mismatch", "5.00", "EUR")]),
        Case(k, "valid-to on the as-of date is in effect",
             {"prices": [price("c1", "A", "EUR", "100.00")]},
             {"prices": [price("e1", "A", "EUR", "100.00", end_date=date(2026, 10, 31)),
                         price("e2", "A", "EUR", "110.00", effective_date=date(2026, 11, 1))]}, []),
        Case(k, "valid-from on the as-of date replaces the old price",
             {"prices": [price("c1", "A", "EUR", "110.00")]},
             {"prices": [price("e1", "A", "EUR", "100.00", end_date=date(2026, 10, 30)),
                         price("e2", "A", "EUR", "110.00", effective_date=date(2026, 10, 31))]}, []),
        Case(k, "zero price both", {"prices": [price("c1", "A", "EUR", "0.00")]},
             {"prices": [price("e1", "A", "EUR", "0")]}, []),
        Case(k, "zero vs 10 with relative tolerance", {"prices": [price("c1", "A", "EUR", "0.00")]},
             {"prices": [price("e1", "A", "EUR", "10.00")]}, [("pricing.price_mismatch", "10.00", "EUR")],
             rules={"tolerances": {"price_rel": "0.005"}}),
        Case(k, "unit price with 4 decimals vs 5", {"prices": [price("c1", "A", "EUR", "0.1235")]},
             {"prices": [price("e1", "A", "EUR", "0.12345")]}, []),
        Case(k, "JPY price 1 yen apart", {"prices": [price("c1", "A", "JPY", "15001")]},
             {"prices": [price("e1", "A", "JPY", "15000")]}, [("pricing.price_mismatch", "1", "JPY")]),
        Case(k, "price only in another currency", {"prices": [price("c1", "A", "USD", "110.00")]},
             {"prices": [price("e1", "A", "EUR", "100.00")]},
             [("pricing.missing_in_erp", "110.00", "USD"), ("pricing.missing_in_crm", "100.00", "EUR")]),
    ]


def orders() -> list[Case]:
    k = "orders"
    book = [price("c1", "A", "EUR", "100.00")]
    ebook = [price("e1", "A", "EUR", "100.00")]
    return [
        Case(k, "line added in ERP", {"orders": [_order("o1", "101", "420.00", xref="SO-1")]},
             {"orders": [_order("s1", "SO-1", "500.00", customer="e1")]}, [("order.amount_mismatch", "80.00", "EUR")]),
        Case(k, "order totals equal in different decimals", {"orders": [_order("o1", "101", "420", xref="SO-1")]},
             {"orders": [_order("s1", "SO-1", "420.00", customer="e1")]}, []),
        Case(k, "JPY order 1 yen apart, tolerance 1",
             {"orders": [_order("o1", "101", "42000", ccy="JPY", xref="SO-1")]},
             {"orders": [_order("s1", "SO-1", "42001", ccy="JPY", customer="e1")]}, [], rules=TOL1),
        Case(k, "discount as percent on the line beyond the approved 10 %",
             {"orders": [_order("o1", "101", "160.00", xref="SO-1")], "prices": book,
              "order_lines": [_line("l1", "o1", "A", "2", "100.00", list_price=D("100.00"), discount_percent=D("20"),
                                    amount=D("160.00"))]},
             {"orders": [_order("s1", "SO-1", "160.00", customer="e1")], "prices": ebook},
             [("pricing.off_price_order_line", "20.00", "EUR")], rules={"pricing": {"approved_discount": "0.10"}},
             why="Salesforce UnitPrice is before the line Discount (%): 100 less 20 % sells at 80, floor 90, x2"),
        Case(k, "discount as amount (net unit price) beyond the approved 10 %",
             {"orders": [_order("o1", "101", "160.00", xref="SO-1")], "prices": book,
              "order_lines": [_line("l1", "o1", "A", "2", "80.00", list_price=D("100.00"), amount=D("160.00"))]},
             {"orders": [_order("s1", "SO-1", "160.00", customer="e1")], "prices": ebook},
             [("pricing.off_price_order_line", "20.00", "EUR")], rules={"pricing": {"approved_discount": "0.10"}}),
        Case(k, "discount within the approved 10 % as percent",
             {"orders": [_order("o1", "101", "180.00", xref="SO-1")], "prices": book,
              "order_lines": [_line("l1", "o1", "A", "2", "100.00", list_price=D("100.00"), discount_percent=D("10"),
                                    amount=D("180.00"))]},
             {"orders": [_order("s1", "SO-1", "180.00", customer="e1")], "prices": ebook},
             [], rules={"pricing": {"approved_discount": "0.10"}}),
        Case(k, "fractional quantity off price: at risk rounded to cents",
             {"orders": [_order("o1", "101", "33.33", xref="SO-1")], "prices": book,
              "order_lines": [_line("l1", "o1", "A", "0.333", "100.00", list_price=D("100.00"),
                                    discount_percent=D("20"))]},
             {"orders": [_order("s1", "SO-1", "33.33", customer="e1")], "prices": ebook},
             [("pricing.off_price_order_line", "3.33", "EUR")], rules={"pricing": {"approved_discount": "0.10"}}),
        Case(k, "order missing in ERP", {"orders": [_order("o1", "101", "420.00")]}, {"orders": []},
             [("order.missing_in_erp", "420.00", "EUR")]),
        Case(k, "negative (return) order amount differs",
             {"orders": [_order("o1", "101", "-100.00", xref="SO-1")]},
             {"orders": [_order("s1", "SO-1", "-120.00", customer="e1")]}, [("order.amount_mismatch", "20.00", "EUR")]),
    ]


ALL = [numbers, credits, rounding, fx, statuses, prices, orders]


def round_two() -> list[Case]:
    k = "2nd pass: numbers, tiers, dates"
    book_tiers = [price("c1", "A", "EUR", "100.00", min_quantity=D("1")),
                  price("c2", "A", "EUR", "90.00", min_quantity=D("10"))]
    ebook_tiers = [price("e1", "A", "EUR", "100.00", min_quantity=D("1")),
                   price("e2", "A", "EUR", "90.00", min_quantity=D("10"))]
    return [
        Case(k, "year-segmented number with zero padding, amounts apart",
             {"invoices": [inv("a1", "SI-2026-123", C, "100.00", "100.00", "open")]},
             {"invoices": [inv("b1", "SI-2026-000123", "e1", "100.05", "100.05", "open")]},
             [("invoice.amount_mismatch", "0.05", "USD")]),
        Case(k, "number reused by one customer in two years, one part-paid",
             {"invoices": [inv("a1", "1001", C, "100.00", "100.00", "open", invoice_date=date(2025, 9, 1)),
                           inv("a2", "1001", C, "100.00", "100.00", "open")]},
             {"invoices": [inv("b1", "1001", "e1", "100.00", "100.00", "open", invoice_date=date(2025, 9, 1)),
                           inv("b2", "1001", "e1", "100.00", "40.00", "open")]},
             [("invoice.partial_payment_not_reflected", "60.00", "USD")]),
        Case(k, "two CRM invoices merged into one ERP invoice",
             {"invoices": [inv("a1", "7001", C, "300.00", "300.00", "open"), inv("a2", "7002", C, "200.00", "200.00",
                                                                                  "open")]},
             {"invoices": [inv("b1", "7001", "e1", "500.00", "500.00", "open")]},
             [("invoice.amount_mismatch", "200.00", "USD"), ("invoice.missing_in_erp", "200.00", "USD")]),
        Case(k, "paid on the last day of the period, default mode",
             {"invoices": [inv("a1", "N1", C, "100.00", "100.00", "open")]},
             {"invoices": [inv("b1", "N1", "e1", "100.00", "0.00", "paid")],
              "payments": [{"record_id": "p1", "customer_id": "e1", "amount": D("100.00"), "currency": "USD",
                            "invoice_number": "N1", "payment_date": date(2026, 10, 31)}]},
             [("invoice.status_mismatch", "100.00", "USD")]),
        Case(k, "quantity-break price on a 20-unit line is no discount",
             {"orders": [_order("o1", "101", "1800.00", xref="SO-1")], "prices": book_tiers,
              "order_lines": [_line("l1", "o1", "A", "20", "90.00")]},
             {"orders": [_order("s1", "SO-1", "1800.00", customer="e1")], "prices": ebook_tiers}, [],
             rules={"pricing": {"approved_discount": "0.05"}}),
        Case(k, "one unit sold at the 10-unit break price is a discount",
             {"orders": [_order("o1", "101", "90.00", xref="SO-1")], "prices": book_tiers,
              "order_lines": [_line("l1", "o1", "A", "1", "90.00")]},
             {"orders": [_order("s1", "SO-1", "90.00", customer="e1")], "prices": ebook_tiers},
             [("pricing.off_price_order_line", "5.00", "EUR")],
             rules={"pricing": {"approved_discount": "0.05"}}),
        Case(k, "KWD order 0.001 apart, tolerance 1 minor unit",
             {"orders": [_order("o1", "101", "42.125", ccy="KWD", xref="SO-1")]},
             {"orders": [_order("s1", "SO-1", "42.126", ccy="KWD", customer="e1")]}, [], rules=TOL1),
        Case(k, "JPY off-price line at risk in whole yen",
             {"orders": [_order("o1", "101", "2667", ccy="JPY", xref="SO-1")],
              "prices": [price("c1", "A", "JPY", "1000")],
              "order_lines": [_line("l1", "o1", "A", "3", "889", ccy="JPY")]},
             {"orders": [_order("s1", "SO-1", "2667", ccy="JPY", customer="e1")],
              "prices": [price("e1", "A", "JPY", "1000")]},
             [("pricing.off_price_order_line", "33", "JPY")], rules={"pricing": {"approved_discount": "0.10"}}),
        Case(k, "credit note with signs apart, past its date",
             {"invoices": [inv("a1", "CM-1", C, "-50.00", "-50.00", "credit_note")]},
             {"invoices": [inv("b1", "CM-1", "e1", "50.00", "50.00", "credit_note")]}, []),
    ]


ALL.append(round_two)


def round_three() -> list[Case]:
    k = "3rd pass: fallback match"
    return [
        Case(k, "credit note without the ERP number, signs apart: found by customer, amount and date",
             {"invoices": [inv("a1", None, C, "-100.00", "-100.00", "credit_note", invoice_date=date(2026, 9, 2))]},
             {"invoices": [inv("b1", "RINV/2026/0001", "e1", "100.00", "100.00", "credit_note")]}, []),
        Case(k, "invoice without number, sub-cent total residue in ERP: found by amount",
             {"invoices": [inv("a1", None, C, "99.99", "99.99", "open")]},
             {"invoices": [inv("b1", "INV/2026/0007", "e1", "99.9900", "99.99", "open")]}, []),
        Case(k, "invoice and credit note of the same amount and date without numbers pair nothing across types",
             {"invoices": [inv("a1", None, C, "100.00", "100.00", "open")]},
             {"invoices": [inv("b1", "RINV/2026/0002", "e1", "-100.00", "-100.00", "credit_note")]},
             [("invoice.missing_in_erp", "100.00", "USD"), ("invoice.missing_in_crm", "100.00", "USD")]),
    ]


ALL.append(round_three)
