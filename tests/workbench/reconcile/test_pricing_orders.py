"""Pricing through the product mapping, off-price order lines, and booked orders."""

from datetime import date
from decimal import Decimal

from workbench.model.ids import to_18
from workbench.reconcile.engine import reconcile

from .helpers import D, by_type, config, cust, extract

C = to_18("001000000000001")


def price(rid, code, ccy, amount, **kw):
    return {"record_id": rid, "product_code": code, "currency": ccy, "unit_price": D(amount), **kw}


def run(crm=None, erp=None, rules=None):
    crm = dict(crm or {})
    erp = dict(erp or {})
    crm.setdefault("customers", [cust(C, "Acme Inc", xref="C1", tax_id="12-3456789")])
    erp.setdefault("customers", [cust("e1", "Acme Inc", number="C1", tax_id="123456789")])
    return reconcile(extract("crm", **crm), extract("erp", **erp), config(rules))


def test_prices_compared_per_product_and_currency_through_mapping():
    crm = {"products": [{"record_id": "p1", "code": "lic-100", "name": "Licence"},
                        {"record_id": "p2", "code": "OLD-7", "name": "Support renamed"}],
           "prices": [price("c1", " lic-100 ", "EUR", "100.00", pricebook="Standard Price Book"),
                      price("c2", "LIC-100", "JPY", "15000", pricebook="Standard Price Book"),
                      price("c3", "OLD-7", "EUR", "50.00", pricebook="Standard Price Book"),
                      price("c4", "LIC-100", "USD", "108.00", pricebook="Standard Price Book")]}
    erp = {"products": [{"record_id": "i1", "code": "LIC-100"}, {"record_id": "i2", "code": "SUP-7"}],
           "prices": [price("e1", "LIC-100", "EUR", "100.00"), price("e2", "LIC-100", "JPY", "16000"),
                      price("e3", "SUP-7", "EUR", "50.00"), price("e4", "SUP-7", "USD", "54.00")]}
    res = run(crm, erp, {"pricing": {"product_map": {"old-7": "sup-7"}}})
    (mm,) = by_type(res, "pricing.price_mismatch")
    assert (mm["crm_id"], mm["erp_id"], mm["currency"], mm["difference"]) == ("c2", "e2", "JPY", Decimal("-1000"))
    assert mm["proposal"]["target_side"] == "crm" and mm["proposal"]["to"] == "16000"
    assert [e["crm_id"] for e in by_type(res, "pricing.missing_in_erp")] == ["c4"]
    assert [e["erp_id"] for e in by_type(res, "pricing.missing_in_crm")] == ["e4"]
    assert by_type(res, "data_quality.unmapped_product") == []


def test_an_erp_that_reads_no_price_list_has_no_prices_missing_and_the_run_says_why():
    """Business Central's API v2.0 publishes no price list: an ERP side that maps none reads no prices kind at
    all. Every CRM price reported missing in the ERP would be noise; the run says once that prices are not
    compared. Its products are still checked against the ERP's items."""
    crm = {"products": [{"record_id": "p1", "code": "LIC-100", "name": "Licence"},
                        {"record_id": "p2", "code": "GONE-1", "name": "Retired"}],
           "prices": [price("c1", "LIC-100", "EUR", "100.00"), price("c2", "LIC-100", "USD", "108.00")]}
    res = run(crm, {"products": [{"record_id": "i1", "code": "LIC-100"}]})
    assert not [t for t in res.exceptions["type"] if t.startswith("pricing.")]
    assert [e["crm_value"] for e in by_type(res, "data_quality.unmapped_product")] == ["GONE-1"]
    assert [w for w in res.stats["warnings"] if "price" in w] == [
        "the ERP side reads no price list (no object is mapped to prices; Business Central's API v2.0 publishes "
        "none): the CRM side's 2 prices are not compared. Map [erp.objects.prices] to compare them"]
    # read, but empty: each CRM price is missing there, as before
    res = run(crm, {"products": [{"record_id": "i1", "code": "LIC-100"}], "prices": []})
    assert len(by_type(res, "pricing.missing_in_erp")) == 2


def test_price_tolerance_relative_and_absolute():
    crm = {"prices": [price("c1", "A", "EUR", "100.00"), price("c2", "B", "EUR", "100.00")]}
    erp = {"prices": [price("e1", "A", "EUR", "100.40"), price("e2", "B", "EUR", "100.60")]}
    res = run(crm, erp, {"tolerances": {"price_rel": "0.005", "price_abs": "0.01"}})
    assert [e["crm_id"] for e in by_type(res, "pricing.price_mismatch")] == ["c2"]


def test_prices_in_effect_on_the_as_of_date():
    crm = {"prices": [price("c1", "A", "EUR", "90.00", effective_date=date(2025, 1, 1)),
                      price("c2", "A", "EUR", "100.00", effective_date=date(2026, 1, 1)),
                      price("c3", "A", "EUR", "120.00", effective_date=date(2027, 1, 1))]}
    erp = {"prices": [price("e1", "A", "EUR", "100.00", effective_date=date(2026, 1, 1),
                            end_date=date(2026, 12, 31))]}
    res = run(crm, erp)
    assert by_type(res, "pricing.price_mismatch") == []


def test_unmapped_product_reported_once_with_a_suggestion():
    crm = {"products": [{"record_id": "p9", "code": "BNDL-5000", "name": "Bundle Premium 5000"}],
           "prices": [price("c1", "BNDL-5000", "EUR", "10.00"), price("c2", "BNDL-5000", "USD", "11.00")]}
    erp = {"products": [{"record_id": "i1", "code": "BUNDLE-5000", "name": "Bundle Premium 5000"}]}
    res = run(crm, erp)
    (dq,) = by_type(res, "data_quality.unmapped_product")
    assert dq["crm_id"] == "p9" and "BUNDLE-5000" in dq["message"]
    assert by_type(res, "pricing.missing_in_erp") == []


def test_order_lines_below_the_approved_discount():
    def line(rid, code, qty, unit, **kw):
        return {"record_id": rid, "order_id": "o1", "product_code": code, "quantity": D(qty),
                "unit_price": D(unit), "currency": "EUR", **kw}
    crm = {"orders": [{"record_id": "o1", "number": "00000101", "customer_id": C, "currency": "EUR",
                       "total_amount": D("420.00"), "booked": True, "xref": "SO-1"}],
           "order_lines": [line("l1", "A", "1", "90.00", list_price=D("100.00")),   # 10 %: approved
                           line("l2", "A", "2", "80.00"),                           # 20 % off the book
                           line("l3", "B", "1", "10.00")],                          # B's prices disagree
           "prices": [price("c1", "A", "EUR", "100.00"), price("c2", "B", "EUR", "50.00")]}
    erp = {"prices": [price("e1", "A", "EUR", "100.00"), price("e2", "B", "EUR", "60.00")],
           "orders": [{"record_id": "s1", "number": "SO-1", "customer_id": "e1", "currency": "EUR",
                       "total_amount": D("420.00")}]}
    res = run(crm, erp, {"pricing": {"approved_discount": "0.10"}})
    (line_exc,) = by_type(res, "pricing.off_price_order_line")
    assert (line_exc["crm_id"], line_exc["erp_id"]) == ("l2", "e1")
    assert line_exc["amount_at_risk"] == Decimal("20.00")  # (90 floor - 80) x 2
    assert [e["crm_id"] for e in by_type(res, "pricing.price_mismatch")] == ["c2"]
    # without a discount policy any sale below list is flagged
    res = run(crm, erp)
    assert sorted(e["crm_id"] for e in by_type(res, "pricing.off_price_order_line")) == ["l1", "l2"]


def test_booked_orders_missing_or_different_in_the_erp():
    def order(rid, number, total, **kw):
        return {"record_id": rid, "number": number, "customer_id": C, "currency": "EUR",
                "total_amount": D(total), "booked": True, **kw}
    crm = {"orders": [order("o1", "00000101", "100.00", xref="SO-1"),
                      order("o2", "00000102", "200.00"),                 # ERP knows it by external doc no.
                      order("o3", "00000103", "300.00"),                 # nowhere in the ERP
                      order("o4", "00000104", "400.00", booked=False),   # draft: not expected in the ERP
                      order("o5", "00000105", "500.00", xref="SO-5")]}   # fully invoiced, order deleted
    erp = {"orders": [{"record_id": "s1", "number": "SO-1", "customer_id": "e1", "currency": "EUR",
                       "total_amount": D("110.00")},
                      {"record_id": "s2", "number": "SO-2", "customer_id": "e1", "currency": "EUR",
                       "total_amount": D("200.00"), "xref": "102"}],
           "invoices": [{"record_id": "b1", "number": "PSI-1", "customer_id": "e1", "currency": "EUR",
                         "total_amount": D("500.00"), "open_balance": D("0"), "status": "paid", "order_ref": "SO-5"}]}
    res = run(crm, erp, {"ids": {"ignore_leading_zeros": True}})
    (amt,) = by_type(res, "order.amount_mismatch")
    assert (amt["crm_id"], amt["erp_id"], amt["difference"]) == ("o1", "s1", Decimal("-10.00"))
    assert amt["proposal"]["needs_decision"] is True  # order amounts are shared by default
    assert [e["crm_id"] for e in by_type(res, "order.missing_in_erp")] == ["o3"]


def test_no_minimum_quantity_0_and_1_are_the_same_first_price_tier():
    """Salesforce has no minimum quantity, Business Central writes 0, Odoo 0 or 1: the same first-unit price is
    one price, not one missing on each side. A real quantity break still pairs with its own tier."""
    crm = {"prices": [price("c1", "A", "EUR", "100.00"), price("c2", "B", "EUR", "50.00", min_quantity=D("0")),
                      price("c3", "B", "EUR", "45.00", min_quantity=D("10"))]}
    erp = {"prices": [price("e1", "A", "EUR", "100.00", min_quantity=D("1")),
                      price("e2", "B", "EUR", "50.00", min_quantity=D("1.00")),
                      price("e3", "B", "EUR", "40.00", min_quantity=D("10.00"))]}
    res = run(crm, erp)
    assert [t for t in res.exceptions["type"] if t.startswith("pricing.")] == ["pricing.price_mismatch"]
    (mm,) = by_type(res, "pricing.price_mismatch")
    assert (mm["crm_id"], mm["erp_id"], mm["amount_at_risk"]) == ("c3", "e3", Decimal("5.00"))


def _discounted_order(unit, discount, qty="2"):
    line = {"record_id": "l1", "order_id": "o1", "product_code": "A", "quantity": D(qty), "unit_price": D(unit),
            "currency": "EUR", "list_price": D("100.00"), "discount_percent": D(discount) if discount else None}
    crm = {"orders": [{"record_id": "o1", "number": "101", "customer_id": C, "currency": "EUR",
                       "total_amount": D("160.00"), "booked": True, "xref": "SO-1"}],
           "order_lines": [line], "prices": [price("c1", "A", "EUR", "100.00")]}
    erp = {"prices": [price("e1", "A", "EUR", "100.00")],
           "orders": [{"record_id": "s1", "number": "SO-1", "customer_id": "e1", "currency": "EUR",
                       "total_amount": D("160.00")}]}
    return run(crm, erp, {"pricing": {"approved_discount": "0.10"}})


def test_a_line_discount_in_percent_counts_against_the_approved_discount():
    """The line's unit price is before its discount (Salesforce OpportunityLineItem Discount, BC
    discountPercent, Odoo discount): 100.00 less 20 % sells at 80.00, as a net unit price of 80.00 does."""
    as_percent = _discounted_order("100.00", "20")
    (exc,) = by_type(as_percent, "pricing.off_price_order_line")
    assert exc["amount_at_risk"] == Decimal("20.00")  # (90 floor - 80) x 2
    assert "80.00 EUR (100.00 EUR less 20%)" in exc["message"] and exc["crm_value"] == "100.00 EUR"
    (net,) = by_type(_discounted_order("80.00", None), "pricing.off_price_order_line")
    assert net["amount_at_risk"] == exc["amount_at_risk"]
    assert by_type(_discounted_order("100.00", "10"), "pricing.off_price_order_line") == []
    (part,) = by_type(_discounted_order("100.00", "20", qty="0.333"), "pricing.off_price_order_line")
    assert part["amount_at_risk"] == Decimal("3.33")


def test_an_order_in_another_currency_is_compared_and_proposed_as_the_crm_currency_writes_it():
    rules = {"fx": {"rates": [{"date": "2026-08-01", "from": "EUR", "to": "USD", "rate": "1.08321234"}]}}

    def order_run(crm_total):
        crm = {"orders": [{"record_id": "o1", "number": "101", "customer_id": C, "currency": "EUR",
                           "total_amount": D(crm_total), "booked": True, "xref": "SO-1"}]}
        erp = {"orders": [{"record_id": "s1", "number": "SO-1", "customer_id": "e1", "currency": "USD",
                           "total_amount": D("108.32")}]}
        return run(crm, erp, rules)
    assert by_type(order_run("100.00"), "order.amount_mismatch") == []
    (amt,) = by_type(order_run("105.00"), "order.amount_mismatch")
    assert str(amt["difference"]) == "5.00" and amt["amount_at_risk"] == Decimal("5.00")
    assert (amt["crm_value"], amt["erp_value"]) == ("105.00 EUR", "108.32 USD")
    assert amt["proposal"]["to"] == "100.00"


def test_an_order_line_is_held_to_the_price_break_its_quantity_reaches():
    """A price book with quantity breaks (100.00 from 1, 90.00 from 10): twenty units at 90.00 are at list,
    one unit at 90.00 is 10 % off the 100.00 it should sell at, beyond the approved 5 %."""
    def line(rid, qty, unit):
        return {"record_id": rid, "order_id": "o1", "product_code": "A", "quantity": D(qty), "unit_price": D(unit),
                "currency": "EUR"}
    tiers = [price("c1", "A", "EUR", "100.00", min_quantity=D("1")),
             price("c2", "A", "EUR", "90.00", min_quantity=D("10"))]
    crm = {"orders": [{"record_id": "o1", "number": "101", "customer_id": C, "currency": "EUR",
                       "total_amount": D("1890.00"), "booked": True, "xref": "SO-1"}],
           "order_lines": [line("l1", "20", "90.00"), line("l2", "1", "90.00")], "prices": tiers}
    erp = {"prices": [price("e1", "A", "EUR", "100.00", min_quantity=D("1")),
                      price("e2", "A", "EUR", "90.00", min_quantity=D("10"))],
           "orders": [{"record_id": "s1", "number": "SO-1", "customer_id": "e1", "currency": "EUR",
                       "total_amount": D("1890.00")}]}
    res = run(crm, erp, {"pricing": {"approved_discount": "0.05"}})
    (exc,) = by_type(res, "pricing.off_price_order_line")
    assert exc["crm_id"] == "l2" and exc["amount_at_risk"] == Decimal("5.00")  # floor 95.00 - 90.00
    assert "below list 100.00 EUR" in exc["message"]


def test_order_numbers_padded_per_segment_are_the_same_order():
    crm = {"orders": [{"record_id": "o1", "number": "101", "customer_id": C, "currency": "EUR",
                       "total_amount": D("100.00"), "booked": True, "xref": "SO-2026-123"}]}
    erp = {"orders": [{"record_id": "s1", "number": "SO-2026-000123", "customer_id": "e1", "currency": "EUR",
                       "total_amount": D("110.00")}]}
    res = run(crm, erp)
    assert by_type(res, "order.missing_in_erp") == []
    (amt,) = by_type(res, "order.amount_mismatch")
    assert (amt["crm_id"], amt["erp_id"], amt["amount_at_risk"]) == ("o1", "s1", Decimal("10.00"))


def test_an_order_number_run_together_in_the_erp_is_the_same_order():
    crm = {"orders": [{"record_id": "o1", "number": "101", "customer_id": C, "currency": "EUR",
                       "total_amount": D("100.00"), "booked": True, "xref": "SO-2026-0042"}]}
    erp = {"orders": [{"record_id": "s1", "number": "SO20260042", "customer_id": "e1", "currency": "EUR",
                       "total_amount": D("110.00")}]}
    res = run(crm, erp)
    assert by_type(res, "order.missing_in_erp") == []
    (amt,) = by_type(res, "order.amount_mismatch")
    assert (amt["crm_id"], amt["erp_id"]) == ("o1", "s1")


def test_an_off_price_lines_difference_is_in_the_currencys_decimals():
    """List 33.33 less the approved 10 % is a floor of 29.997: the line at 25.00 is 5.00 under it, as the
    workbook and the queue show money, not -4.997."""
    crm = {"orders": [{"record_id": "o1", "number": "101", "customer_id": C, "currency": "EUR",
                       "total_amount": D("75.00"), "booked": True, "xref": "SO-1"}],
           "order_lines": [{"record_id": "l1", "order_id": "o1", "product_code": "A", "quantity": D("3"),
                            "unit_price": D("25.00"), "currency": "EUR"}],
           "prices": [price("c1", "A", "EUR", "33.33")]}
    erp = {"prices": [price("e1", "A", "EUR", "33.33")],
           "orders": [{"record_id": "s1", "number": "SO-1", "customer_id": "e1", "currency": "EUR",
                       "total_amount": D("75.00")}]}
    (exc,) = by_type(run(crm, erp, {"pricing": {"approved_discount": "0.10"}}), "pricing.off_price_order_line")
    assert str(exc["difference"]) == "-5.00" and exc["amount_at_risk"] == Decimal("14.99")
