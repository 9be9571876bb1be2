from decimal import Decimal

import pytest

from workbench.model.currency import minor_units
from workbench.model.money import Money, format_amount, minor_unit, parse_decimal, quantize


def test_amounts_parse_exactly_as_written():
    assert parse_decimal("1234.10") == Decimal("1234.10")
    assert str(parse_decimal("1,234,567.891")) == "1234567.891"
    assert parse_decimal("(12.50)") == Decimal("-12.50")
    assert parse_decimal("") is None and parse_decimal(None) is None
    assert parse_decimal(7) == Decimal(7)


@pytest.mark.parametrize("bad", ["12,5", "1.2.3", "abc", "1e", "--1", "12 EUR", "NaN", "Infinity"])
def test_unparsable_amounts_say_what_they_got(bad):
    with pytest.raises(ValueError, match="not a number|not a finite"):
        parse_decimal(bad)


def test_floats_are_refused_for_money():
    with pytest.raises(ValueError, match="float"):
        parse_decimal(0.1)
    with pytest.raises(TypeError):
        Money(0.1, "EUR")  # type: ignore[arg-type]


def test_currency_minor_units():
    assert minor_units("EUR") == 2 and minor_units("JPY") == 0 and minor_units("KWD") == 3
    assert minor_unit("JPY") == Decimal("1") and minor_unit("USD") == Decimal("0.01")
    with pytest.raises(ValueError, match="unknown currency code 'EURO'"):
        minor_units("EURO")


def test_quantize_rounds_half_even_to_the_currency():
    assert quantize(Decimal("10.125"), "EUR") == Decimal("10.12")
    assert quantize(Decimal("10.135"), "EUR") == Decimal("10.14")
    assert quantize(Decimal("1234.5"), "JPY") == Decimal("1234")
    assert quantize(Decimal("1.23456"), "KWD") == Decimal("1.235")


def test_money_arithmetic_refuses_mixed_currencies():
    a, b = Money(Decimal("10.00"), "EUR"), Money(Decimal("2.50"), "EUR")
    assert (a - b).amount == Decimal("7.50")
    with pytest.raises(ValueError, match="EUR with USD"):
        a + Money(Decimal("1"), "USD")
    assert str(Money(Decimal("1234567.5"), "JPY")) == "1,234,568 JPY"
    assert format_amount(Decimal("1234.5"), "EUR") == "1,234.50 EUR"


def test_amount_text_shows_stored_amounts_with_separators_and_the_currency_decimals():
    from workbench.model.money import amount_text
    assert amount_text("1234567.5") == "1,234,567.5"  # as stored when no currency is given
    assert amount_text(Decimal("1234.5"), "JPY") == "1,234"  # banker's rounding to whole yen
    assert amount_text(Decimal("7"), "EUR") == "7.00"
    assert amount_text(Decimal("7"), "XYZ") == "7"  # an unknown currency: as it is
    assert amount_text(None) == "" and amount_text("") == "" and amount_text("n/a") == "n/a"
