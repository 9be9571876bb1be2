"""The widest comparison tolerance a run config may set.

A tolerance is there for rounding (one cent, one yen, half a percent of a price). A wider one
reconciles real differences, and nothing in the run says so: ``price = {JPY = "1000000000"}``
makes every JPY price "equal" and every mismatch disappears from the exceptions. The rules
parser (``workbench.reconcile.rules``) checks each tolerance's type; this refuses, on load,
any that is wider than a rounding tolerance can be, naming the key and the most it may be.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from workbench.model.currency import is_currency, minor_units
from workbench.model.money import parse_decimal

MAX_MINOR_UNITS = 10_000   # 100.00 EUR, 10,000 JPY, 10.000 KWD
MAX_FRACTION = Decimal("0.1")  # 10 % of the amount compared
_WHY = "a tolerance is for rounding; a wider one reconciles real differences without a trace"


def _number(v: Any) -> Decimal | None:
    try:
        return parse_decimal(repr(v) if isinstance(v, float) else v)
    except ValueError:
        return None  # the rules parser says what the value should look like


def _amount_problem(key: str, v: Any, currency: str | None) -> str | None:
    d = _number(v)
    units = minor_units(currency) if currency else 2
    most = Decimal(MAX_MINOR_UNITS).scaleb(-units)
    if d is not None and d > most:
        return (f"[rules.tolerances] {key} = {v!r}: expected at most {most:f}{' ' + currency if currency else ''} "
                f"({MAX_MINOR_UNITS:,} minor units); {_WHY}")
    return None


def _fraction_problem(key: str, v: Any) -> str | None:
    d = _number(v)
    if d is not None and d > MAX_FRACTION:
        return f"[rules.tolerances] {key} = {v!r}: expected at most \"{MAX_FRACTION}\" (10 %); {_WHY}"
    return None


def _minor_problem(key: str, v: Any) -> str | None:
    if isinstance(v, int) and not isinstance(v, bool) and v > MAX_MINOR_UNITS:
        return (f"[rules.tolerances] {key} = {v!r}: expected at most {MAX_MINOR_UNITS:,} minor units "
                f"(100.00 EUR, 10,000 JPY); {_WHY}")
    return None


def _entry_problem(name: str, key: str, v: Any) -> str | None:
    """One key of a tolerance table: abs_minor, rel, or an amount per currency."""
    if key == "abs_minor":
        return _minor_problem(f"{name}.{key}", v)
    if key == "rel":
        return _fraction_problem(f"{name}.{key}", v)
    return _amount_problem(f"{name}.{key}", v, key) if is_currency(key) else None


# Timing allowances are tolerances in days: a CRM "lag" of a century shows no payment or cancellation the CRM
# never recorded, a date window of years matches invoices of other years to each other.
MAX_DAYS = 366
_DAYS = {("timing", "lag_days"): "a lag that long hides every payment or cancellation the CRM never shows",
         ("invoices", "date_window_days"): "a window that wide matches invoices of different years"}


def _days_problem(rules: dict[str, Any]) -> str | None:
    for (section, key), why in _DAYS.items():
        table = rules.get(section)
        v = table.get(key) if isinstance(table, dict) else None
        if isinstance(v, int) and not isinstance(v, bool) and v > MAX_DAYS:
            return f"[rules.{section}] {key} = {v!r}: expected at most {MAX_DAYS} days; {why}"
    return None


def problem(rules: Any) -> str | None:
    """The first tolerance in ``[rules]`` wider than rounding (or a day allowance longer than a year) allows,
    said with its key; else None."""
    if not isinstance(rules, dict):
        return None
    days = _days_problem(rules)
    if days:
        return days
    table = rules.get("tolerances")
    if not isinstance(table, dict):
        return None
    for name, spec in table.items():
        if name == "price_abs":
            found = _amount_problem(name, spec, None)
        elif name == "price_rel":
            found = _fraction_problem(name, spec)
        elif name == "amount_minor_units":
            found = _minor_problem(name, spec)
        elif isinstance(spec, dict):
            found = next(filter(None, (_entry_problem(name, k, v) for k, v in spec.items())), None)
        else:
            found = None
        if found:
            return found
    return None
