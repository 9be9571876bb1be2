"""Money: Decimal amounts with an ISO 4217 currency. Never float."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation

from workbench.model.currency import MINOR_UNITS, minor_units

_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
# thousands grouped by one separator throughout: a comma, an apostrophe (Swiss: 1'234.56, also as ’), or a
# space (ISO 80000-1: 1 234.56, with a no-break or narrow no-break space as typeset numbers have)
# The first group starts with a non-zero digit: "0,500" is no thousands group (a decimal comma, or a typo), never
# 500. Zero written with groups ("0,000") is zero however its marks are read.
_SEPS = "[,'’ \u00a0\u202f]"
_GROUPED = re.compile(rf"[+-]?(?:[1-9]\d{{0,2}}(?P<sep>{_SEPS})\d{{3}}(?:(?P=sep)\d{{3}})*"
                      rf"|0(?P<zero>{_SEPS})000(?:(?P=zero)000)*)(\.\d*)?")
_QUANTA: dict[int, Decimal] = {n: Decimal(1).scaleb(-n) for n in range(9)}


def parse_decimal(value: object) -> Decimal | None:
    """Parse an amount as written in extracts and APIs.

    Accepts Decimal, int, and strings in plain notation ("1234.5", "-0.10",
    "1,234.56" with thousands commas, apostrophes as Switzerland writes them ("1'234.56") or spaces
    ("1 234.56", ISO 80000-1), "(12.00)" accounting negatives, and a trailing minus ("12.00-", as SAP
    lists write a credit)). Empty → None. A currency in the cell ("12 EUR") is refused: the row's
    currency column says which it is, and the two could disagree.
    Floats are refused: they cannot carry money exactly, so the caller must
    read the raw text (json parse_float=Decimal, CSV as str).
    Raises ValueError with a readable reason.
    """
    if value is None:
        return None
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"{value!r} is not a finite number")
        return value
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not a number")
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        raise ValueError("float amounts are not accepted; read the amount as text or Decimal")
    text = str(value).strip()
    if not text:
        return None
    negative = False
    if text.startswith("(") and text.endswith(")"):
        negative, text = True, text[1:-1].strip()
    elif text.endswith("-") and text[:1] not in "+-":
        negative, text = True, text[:-1].rstrip()  # "1.234,56-" from an SAP list, read after its decimal comma
    if (m := _GROUPED.fullmatch(text)) is not None:
        text = text.replace(m["sep"] or m["zero"], "")
    if not _NUMBER.match(text):
        raise ValueError(f"{value!r} is not a number")
    try:
        d = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"{value!r} is not a number") from None
    return -d if negative else d


def is_nonzero(value: object) -> bool:
    """An amount other than zero, as a stored summary writes it ("0.01"); nothing, or text that is no
    amount (a summary edited by hand), is not one."""
    try:
        amount = parse_decimal(value)
    except ValueError:
        return False
    return amount is not None and amount != 0


def quantize(amount: Decimal, currency: str) -> Decimal:
    """Round to the currency's minor units, banker's rounding as ledgers do."""
    return amount.quantize(_QUANTA[minor_units(currency)], rounding=ROUND_HALF_EVEN)


def minor_unit(currency: str) -> Decimal:
    """The smallest amount of the currency (0.01 EUR, 1 JPY, 0.001 KWD)."""
    return _QUANTA[minor_units(currency)]


def format_amount(amount: Decimal | None, currency: str | None = None, *, rounded: bool = False) -> str:
    """Amount for display with thousands separators and the currency's decimals, then the currency
    (``amount_text``: digits beyond the currency's decimals are shown unless ``rounded``)."""
    if amount is None:
        return ""
    return amount_text(amount, currency, rounded=rounded) + (f" {currency}" if currency else "")


# digits shown beyond a currency's decimals when an amount has them (a CRM's 96000.4 JPY): enough
# for any stored amount; what lies beyond is the noise of a computed rate, rounded away
EXTRA_DECIMALS = 6


def amount_text(value: object, currency: str | None = None, *, rounded: bool = False) -> str:
    """An amount (a Decimal or its stored text) with thousands separators: to the currency's
    decimals when one is given and known, as stored otherwise. Text that is no number shows as it is.

    Never hides a nonzero amount: digits beyond the currency's decimals are shown rather than rounded
    away (96000.4 JPY held by a CRM is "96,000.4", and a difference of -0.4 JPY "-0.4", not "-0"),
    up to EXTRA_DECIMALS more. ``rounded``: to the currency's decimals regardless (a chart's axis)."""
    if value is None or value == "":
        return ""
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value))
    except (InvalidOperation, ValueError):
        return str(value)
    if currency and amount.is_finite():
        try:
            shown = quantize(amount, currency)
            if shown != amount and not rounded:
                # more decimals than the currency has: shown to the last nonzero one (a few at most)
                places = min(-int(amount.normalize().as_tuple().exponent), minor_units(currency) + EXTRA_DECIMALS)
                shown = amount.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_EVEN)
                if shown.is_zero():  # a speck, still not nothing: all its digits, never "-1E-12"
                    return f"{amount:,f}"
            amount = shown
        except (ValueError, KeyError, ArithmeticError):  # an unknown currency, or too large to round
            pass
    if amount.is_zero():
        amount = abs(amount)  # no "-0.00"
    return f"{amount:,}"


def extra_places(value: object, currency: str | None) -> int:
    """How many digits beyond its currency's decimals ``amount_text`` shows of an amount (0 for most): a
    spreadsheet cell of it needs them too, or 0.4 JPY shows as 0."""
    if type(value) is not Decimal or not currency:
        return 0
    exponent = value.as_tuple().exponent  # asked of every amount cell of a workbook: the cheap test first
    own = MINOR_UNITS.get(currency)
    if own is None or not isinstance(exponent, int) or exponent >= -own:
        return 0  # no more digits written than the currency has (or not a finite number)
    return max(0, min(-int(value.normalize().as_tuple().exponent), own + EXTRA_DECIMALS) - own)


def excel_format(currency: str | None, extra: int = 0) -> str:
    """The spreadsheet number format that shows an amount as this module's text does: grouped, to
    the currency's minor units (and ``extra`` digits more, see ``extra_places``), then the code
    ("#,##0.00 \"EUR\"", "#,##0 \"JPY\""). The cell stays a number an auditor can sum."""
    try:
        places = minor_units(currency) if currency else 2
    except (KeyError, ValueError):
        places = 2
    places += extra
    number = "#,##0" + ("." + "0" * places if places else "")
    return f'{number} "{currency}"' if currency and currency.isalpha() else number


@dataclass(frozen=True, slots=True)
class Money:
    amount: Decimal
    currency: str

    def __post_init__(self) -> None:
        if not isinstance(self.amount, Decimal):
            raise TypeError(f"Money amount must be Decimal, got {type(self.amount).__name__}")
        minor_units(self.currency)  # validates the code

    @classmethod
    def parse(cls, amount: object, currency: str) -> Money:
        d = parse_decimal(amount)
        if d is None:
            raise ValueError("amount is empty")
        return cls(d, currency)

    @property
    def minor_units(self) -> int:
        return minor_units(self.currency)

    def _same(self, other: Money) -> None:
        if other.currency != self.currency:
            raise ValueError(f"cannot combine {self.currency} with {other.currency} without an FX rate")

    def __add__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount - other.amount, self.currency)

    def __neg__(self) -> Money:
        return Money(-self.amount, self.currency)

    def __str__(self) -> str:
        return format_amount(self.amount, self.currency)
