from decimal import Decimal

import pytest

from workbench.model.currency import minor_units
from workbench.model.money import Money, format_amount, is_nonzero, minor_unit, parse_decimal, quantize


def test_amounts_parse_exactly_as_written():
    assert parse_decimal("1234.10") == Decimal("1234.10")
    assert str(parse_decimal("1,234,567.891")) == "1234567.891"
    assert parse_decimal("(12.50)") == Decimal("-12.50")
    assert parse_decimal("") is None and parse_decimal(None) is None
    assert parse_decimal(7) == Decimal(7)


# as ERP lists and spreadsheets write amounts: SAP puts a credit's minus after it, Switzerland groups thousands with
# an apostrophe, typeset numbers with a (narrow) no-break space
@pytest.mark.parametrize("text,amount", [
    ("1234.56-", "-1234.56"), ("1,234.56-", "-1234.56"), ("12-", "-12"),
    ("1'234.56", "1234.56"), ("1\u2019234.56", "1234.56"), ("1'234'567", "1234567"),
    ("1 234.56", "1234.56"), ("1\u00a0234.56", "1234.56"), ("1\u202f234\u202f567.5", "1234567.5"),
])
def test_amounts_as_erp_lists_write_them(text, amount):
    assert parse_decimal(text) == Decimal(amount)


@pytest.mark.parametrize("bad", ["12,5", "1.2.3", "abc", "1e", "--1", "12 EUR", "NaN", "Infinity",
                                 "-12-", "(12)-", "1'23", "1 23", "1,234'567", "-"])
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
    assert str(Money(Decimal("1234567"), "JPY")) == "1,234,567 JPY"
    assert str(Money(Decimal("1234567.5"), "JPY")) == "1,234,567.5 JPY"  # never rounded out of sight
    assert format_amount(Decimal("1234.5"), "EUR") == "1,234.50 EUR"


def test_amount_text_shows_stored_amounts_with_separators_and_the_currency_decimals():
    from workbench.model.money import amount_text
    assert amount_text("1234567.5") == "1,234,567.5"  # as stored when no currency is given
    assert amount_text(Decimal("1234.00"), "JPY") == "1,234"  # to whole yen
    assert amount_text(Decimal("7"), "EUR") == "7.00"
    assert amount_text(Decimal("7"), "XYZ") == "7"  # an unknown currency: as it is
    assert amount_text(None) == "" and amount_text("") == "" and amount_text("n/a") == "n/a"


@pytest.mark.parametrize("amount,currency,text", [
    ("-0.4", "JPY", "-0.4"),  # a difference of 96000 vs 96000.4 JPY: never "-0"
    ("96000.4", "JPY", "96,000.4"),
    ("1346000.40", "JPY", "1,346,000.4"),
    ("3450.1255", "KWD", "3,450.1255"),
    ("-0.001", "EUR", "-0.001"),
    ("-0", "EUR", "0.00"),
    ("-0.000", "JPY", "0"),
    ("923.4567891234567891234567891", "EUR", "923.45678912"),  # a computed rate's noise: a few digits
    ("-1E-12", "EUR", "-0.000000000001"),
])
def test_amount_text_never_hides_a_nonzero_amount(amount: str, currency: str, text: str) -> None:
    from workbench.model.money import amount_text, format_amount
    assert amount_text(Decimal(amount), currency) == text
    assert format_amount(Decimal(amount), currency) == f"{text} {currency}"
    assert amount_text(amount, currency) == text  # stored text alike


def test_a_rounded_amount_text_keeps_the_currency_decimals_for_a_charts_axis() -> None:
    from workbench.model.money import format_amount
    assert format_amount(Decimal("3333.3333333333335"), "EUR", rounded=True) == "3,333.33 EUR"


def test_a_stored_amount_is_nonzero_only_when_it_is_an_amount_other_than_zero():
    assert is_nonzero("0.01") and is_nonzero("-5") and is_nonzero(Decimal("1E-2"))
    assert not any(is_nonzero(v) for v in ("0", "0.00", "-0.00", None, "", "n/a"))


def test_a_group_after_a_lone_zero_is_no_thousands_group():
    """An FX rate, a corrections file or a materiality threshold written "0,500" (a decimal comma, or a typo) was
    read as 500; a thousands group never follows a lone 0."""
    import pytest

    for text in ("0,500", "0'500", "-0 500"):
        with pytest.raises(ValueError, match="is not a number"):
            parse_decimal(text)
    assert parse_decimal("1,500") == Decimal("1500") and parse_decimal("10,500.25") == Decimal("10500.25")
