"""The [rules] table: defaults, the documented keys, and one-line errors for bad values."""

from decimal import Decimal

import pytest

from workbench.errors import ConfigError
from workbench.reconcile.rules import Tolerance, parse, tolerance_warnings


def test_empty_rules_have_defaults():
    r = parse({})
    assert r.auto_threshold > r.suggest_threshold
    assert r.owner("invoices", "status") == "erp"
    assert r.owner("orders", "total_amount") == "shared"


def test_tolerance_in_minor_units_follows_the_currency():
    t = Tolerance(abs_minor=1)
    assert t.within("EUR", Decimal("10.00"), Decimal("10.01"))
    assert not t.within("EUR", Decimal("10.00"), Decimal("10.02"))
    assert t.within("JPY", Decimal("1000"), Decimal("1001"))       # JPY has no decimals: 1 minor unit = 1 yen
    assert not t.within("JPY", Decimal("1000"), Decimal("1002"))
    assert t.within("KWD", Decimal("1.000"), Decimal("1.001"))
    assert not t.within("KWD", Decimal("1.000"), Decimal("1.002"))


def test_relative_tolerance_and_shorthand_keys():
    r = parse({"tolerances": {"price_abs": "0.01", "price_rel": "0.005", "amount_minor_units": 2},
               "ids": {"ignore_leading_zeros": False}})
    assert r.tolerances["price"].within("USD", Decimal("100.00"), Decimal("100.50"))
    assert not r.tolerances["price"].within("USD", Decimal("100.00"), Decimal("100.51"))
    assert r.tolerances["invoice_balance"].within("EUR", Decimal("5.00"), Decimal("5.02"))
    assert r.id_leading_zeros == "keep"


def test_table_form_of_a_tolerance():
    r = parse({"tolerances": {"invoice_amount": {"abs_minor": 5, "rel": "0"}}})
    assert r.tolerances["invoice_amount"].within("EUR", Decimal("1.00"), Decimal("1.05"))


def test_fx_rates_and_ownership():
    r = parse({"fx": {"rates": [{"date": "2026-10-01", "from": "EUR", "to": "USD", "rate": "1.08"}]},
               "ownership": {"customers.name": "crm", "shared_target": "erp"}})
    assert r.fx[0].rate == Decimal("1.08")
    assert r.owner("customers", "name") == "crm"
    assert r.shared_target == "erp"


@pytest.mark.parametrize("raw,words", [
    ({"linking": {"auto_threshold": 1.5}}, "auto_threshold"),
    ({"linking": {"auto_threshold": 0.5, "suggest_threshold": 0.8}}, "must not exceed"),
    ({"linking": {"autothreshold": 0.9}}, "unknown key 'autothreshold'"),
    ({"tolerance": {}}, "unknown table [rules.tolerance]"),
    ({"tolerances": {"price": {"abs_minor": -1}}}, "minor units"),
    ({"tolerances": {"price": {"rel": "abc"}}}, "fraction"),
    ({"ownership": {"customers.name": "sap"}}, "crm, erp, shared"),
    ({"ownership": {"name": "erp"}}, "kind.field"),
    ({"fx": {"rates": [{"date": "2026-10-01", "from": "EUR", "to": "XXX", "rate": "1.1"}]}}, "ISO 4217"),
    ({"fx": {"rates": [{"date": "2026-10-01", "from": "EUR", "to": "USD", "rate": 1.1}]}}, "decimal as text"),
    ({"pricing": {"approved_discount": "1.5"}}, "approved_discount"),
    ({"timing": {"lag_days": -1}}, "lag_days"),
    ({"severity": {"base_currency": "EURO"}}, "base_currency"),
])
def test_bad_rules_named_in_one_line(raw, words):
    with pytest.raises(ConfigError) as err:
        parse(raw, "run.toml")
    text = err.value.one_line()
    assert words in text and text.startswith("run.toml: ")
    assert "\n" not in str(err.value)


def test_default_tolerance_is_below_one_minor_unit_of_each_currency():
    t = parse({}).tolerances["price"]
    assert t.within("EUR", Decimal("5992.60"), Decimal("5992.5989"))
    assert not t.within("EUR", Decimal("5992.60"), Decimal("5992.59"))
    assert t.within("JPY", Decimal("1234"), Decimal("1234.4"))
    assert not t.within("JPY", Decimal("1234"), Decimal("1235"))


def test_per_currency_tolerance_and_its_errors():
    t = parse({"tolerances": {"invoice_balance": {"abs_minor": 1, "JPY": "5"}}}).tolerances["invoice_balance"]
    assert t.within("JPY", Decimal("1000"), Decimal("1005")) and not t.within("JPY", Decimal("1000"), Decimal("1006"))
    assert t.within("EUR", Decimal("10.00"), Decimal("10.01"))
    assert not t.within("EUR", Decimal("10.00"), Decimal("10.02"))
    with pytest.raises(ConfigError, match=r"invoice_balance = .*expected a table"):
        parse({"tolerances": {"invoice_balance": {"YEN": "5"}}})
    with pytest.raises(ConfigError, match=r"invoice_balance.JPY = 'five'"):
        parse({"tolerances": {"invoice_balance": {"JPY": "five"}}})
    with pytest.raises(ConfigError, match=r"blank_back_reference = 'always', expected ignore or report"):
        parse({"customers": {"blank_back_reference": "always"}})


def test_a_tolerance_below_a_currencys_minor_unit_is_warned_with_advice_that_works():
    """price_abs = "0.01" is no tolerance for JPY. The advice must be one the rules then take: a price table
    beside price_abs would be refused (below), so it says to write the table in their place."""
    rules = parse({"tolerances": {"price_abs": "0.01", "price_rel": "0.005"}})
    (warning,) = tolerance_warnings(rules, {"EUR", "JPY"})
    assert warning.startswith("[rules.tolerances] price: 0.01 is below one minor unit of JPY (1)")
    assert 'price = { abs_minor = 1, rel = "0.005" }' in warning
    advised = parse({"tolerances": {"price": {"abs_minor": 1, "rel": "0.005"}}})
    assert tolerance_warnings(advised, {"EUR", "JPY"}) == []
    assert advised.tolerances["price"].within("JPY", Decimal("100"), Decimal("101"))
    assert advised.tolerances["price"].within("EUR", Decimal("10.00"), Decimal("10.01"))
    # an amount per currency below its minor unit: give it its own amount in the same table
    (warning,) = tolerance_warnings(parse({"tolerances": {"invoice_balance": {"JPY": "0.5"}}}), {"JPY"})
    assert 'invoice_balance = { ..., JPY = "1" }' in warning


def test_a_price_table_beside_its_shorthand_is_refused_naming_both():
    # the table would silently replace the shorthand whole, its relative part too
    with pytest.raises(ConfigError, match=r"has price and price_abs and price_rel, expected one of them"):
        parse({"tolerances": {"price_abs": "0.01", "price_rel": "0.005", "price": {"JPY": "1"}}}, "run.toml")
