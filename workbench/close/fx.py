"""A period's FX table: units of its reporting currency for one unit of each transaction currency.

Rates come from a CSV file (``currency,rate``) whose name and SHA-256 are recorded on the period, so
the workbook can say which table produced its reporting-currency totals. A first line ``sep=;``
(Excel's delimiter line) is read as the files connector reads it (workbench.sources.sep_line).
"""

from __future__ import annotations

import csv
import hashlib
import io
from decimal import Decimal
from pathlib import Path

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from workbench.errors import InputError
from workbench.model.currency import is_currency
from workbench.model.money import parse_decimal, quantize
from workbench.sources import sep_line
from workbench.store import trail
from workbench.store.schema import ExceptionRow, FxRate, Period, Run


def read_rates_file(path: Path) -> tuple[dict[str, Decimal], str]:
    """Rates from ``currency,rate`` rows (a header row is allowed; above it, Excel's delimiter line may name
    another delimiter); the source text records the file's hash."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read the rate table ({exc.strerror or exc})", file=str(path)) from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError("the rate table is not UTF-8 text", file=str(path)) from None
    delimiter = sep_line.named_delimiter(text, str(path))
    first = 1 if delimiter is None else 2  # below Excel's delimiter line, which is row 1
    delimiter = delimiter or ","
    rates: dict[str, Decimal] = {}
    header_seen = False
    # newline="": the csv module splits the lines itself, LF, CRLF or a classic Mac's CR alike
    rows = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    n = 0  # rows counted as records, as the files connector counts them (a cell over two lines is one row)
    try:
        for row in rows:
            n += 1
            if n < first or not row or not "".join(row).strip():
                continue
            if len(row) != 2:
                raise InputError(f"expected two columns: currency{delimiter}rate", file=str(path), row=n)
            code, raw = row[0].strip().upper(), row[1].strip()
            if not header_seen:
                header_seen = True  # the first row that is not blank may be a header (below blank lines too)
                if not is_currency(code):
                    continue
            if delimiter != "," and "," in raw:
                # a table delimited by ";" is written where the comma is the decimal mark: 1,085 is not 1085
                raise InputError(f"rate {raw!r} has a comma, which may be a decimal comma", file=str(path), row=n,
                                 column="rate", expected="the rate with a decimal point, such as 1.085")
            if not is_currency(code):
                raise InputError(f"unknown currency code {row[0]!r}", file=str(path), row=n, column="currency")
            try:
                rate = parse_decimal(raw)
            except Exception:
                rate = None
            if rate is None or not rate.is_finite() or rate <= 0:
                raise InputError(f"rate {raw!r} is not a positive number", file=str(path), row=n, column="rate")
            if code in rates:
                raise InputError(f"currency {code} appears twice", file=str(path), row=n, column="currency")
            rates[code] = rate
    except csv.Error as exc:
        raise InputError(f"the rate table is no CSV there ({exc})", file=str(path), row=n + 1,
                         expected=f"rows of currency{delimiter}rate") from None
    if not rates:
        raise InputError("the rate table has no rates", file=str(path))
    return rates, f"{Path(path).name} sha256:{hashlib.sha256(data).hexdigest()}"


def set_rates(session: Session, period: Period, reporting_currency: str, rates: dict[str, Decimal],
              source: str, *, actor: str = "workbench") -> None:
    """Replace the period's FX table (the reporting currency itself is always 1), with its audit event
    (``period.rates``: what audit verify compares the table with, workbench.close.proof)."""
    code = reporting_currency.strip().upper()
    if not is_currency(code):
        raise InputError(f"reporting currency {reporting_currency!r} is not an ISO 4217 code")
    file = source.split(" sha256:")[0] or None
    own = rates.get(code)
    if own is not None and own != 1:
        # A table whose row for the reporting currency is not 1 is quoted against another currency (or
        # inverted): every converted total and materiality test would be off by that factor.
        raise InputError(f"period {period.name}: the rate table gives {code}, the reporting currency, the rate "
                         f"{own}, not 1: its rates are not units of {code} per unit of each currency (quoted "
                         f"against another currency, or inverted?)", file=file, column="rate",
                         expected=f"{code},1 or no row for {code}")
    thresholds = period.materiality or {}
    if period.reporting_currency and period.reporting_currency != code and \
            (thresholds.get("absolute") is not None or thresholds.get("by_severity")):
        # The thresholds are amounts in the old reporting currency: read in the new one, 5000 JPY would
        # become 5000 EUR and waive items a hundred times too large.
        raise InputError(f"period {period.name}: its materiality thresholds are in {period.reporting_currency}, "
                         f"and a table into {code} would read them as {code}: clear them first (workbench close "
                         f"materiality --period {period.name}), load the table, then set them in {code}",
                         file=file)
    table = dict(rates)
    table[code] = Decimal(1)
    missing = sorted(set(currencies_in_use(session, period.name)) - set(table))
    if missing:
        raise InputError(f"period {period.name}: the rate table has no rate for {', '.join(missing)}, "
                         f"which the period's runs use (add a row per currency: currency,rate to {code})",
                         file=file)
    session.execute(delete(FxRate).where(FxRate.period == period.name))
    for cur, rate in sorted(table.items()):
        session.add(FxRate(period=period.name, currency=cur, rate=rate))
    period.reporting_currency, period.fx_source = code, source
    session.flush()
    trail.append(session, actor=actor, action="period.rates", entity_type="period", entity_id=period.name,
                 detail={"reporting_currency": code, "source": source,
                         "rates": {c: str(r) for c, r in sorted(rates.items())}})


def currencies_in_use(session: Session, period: str) -> list[str]:
    """Currencies of the amounts at risk in the period's runs: the ones its rate table must cover."""
    return sorted(c for c in session.execute(
        select(ExceptionRow.currency).join(Run, Run.id == ExceptionRow.run_id)
        .where(Run.period == period, ExceptionRow.amount_at_risk.is_not(None), ExceptionRow.currency.is_not(None))
        .distinct()).scalars() if c)


def rates_of(session: Session, period: str) -> dict[str, Decimal]:
    return {r.currency: r.rate for r in session.execute(select(FxRate).where(FxRate.period == period)).scalars()}


def to_reporting(amounts: dict[str, Decimal], rates: dict[str, Decimal], reporting_currency: str,
                 *, period: str) -> Decimal:
    """Sum amounts per currency in the reporting currency; a currency without a rate is a clear refusal."""
    missing = sorted(c for c in amounts if c not in rates)
    if missing:
        raise InputError(f"period {period}: the rate table has no rate for {', '.join(missing)} "
                         f"(add it with: workbench close rates --period {period} --file RATES.csv)")
    total = sum((amount * rates[cur] for cur, amount in amounts.items()), Decimal(0))
    return quantize(total, reporting_currency)
