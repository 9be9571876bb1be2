"""Dated FX rates from the rules table: the rate in effect on a day, either direction."""

from __future__ import annotations

import bisect
from datetime import date
from decimal import Decimal

from workbench.model.currency import is_currency
from workbench.model.money import quantize
from workbench.reconcile.rules import FxRate


def rounded(amount: Decimal, currency: str | None) -> Decimal:
    """A converted amount as its currency writes it (JPY whole, KWD to 0.001), banker's rounding as
    ledgers convert; an unknown code keeps every digit rather than guess its decimals."""
    return quantize(amount, currency) if currency and is_currency(currency) else amount


class FxTable:
    def __init__(self, rates: list[FxRate]):
        self._by_pair: dict[tuple[str, str], tuple[list[date], list[Decimal]]] = {}
        for r in sorted(rates, key=lambda x: x.day):
            days, vals = self._by_pair.setdefault((r.base, r.quote), ([], []))
            days.append(r.day)
            vals.append(r.rate)

    def __bool__(self) -> bool:
        return bool(self._by_pair)

    def rate(self, base: str, quote: str, on: date | None) -> tuple[Decimal, date] | None:
        """(rate, rate date) converting 1 base into quote, using the latest rate dated on or
        before ``on`` (or the earliest when ``on`` precedes every rate); inverse pairs work too."""
        if base == quote:
            return Decimal(1), on or date.min
        for pair, invert in (((base, quote), False), ((quote, base), True)):
            hit = self._by_pair.get(pair)
            if hit is None:
                continue
            days, vals = hit
            i = len(days) - 1 if on is None else max(bisect.bisect_right(days, on) - 1, 0)
            rate = vals[i]
            return (Decimal(1) / rate if invert else rate), days[i]
        return None

    def convert(self, amount: Decimal, base: str, quote: str, on: date | None) -> tuple[Decimal, Decimal, date] | None:
        hit = self.rate(base, quote, on)
        if hit is None:
            return None
        rate, day = hit
        return amount * rate, rate, day
