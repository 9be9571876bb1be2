"""Aging ties to the period's totals: the open amounts at risk in each age bucket, per currency, add up to
the open amounts at risk that `close status` and the sign-off report."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from tests.workbench.export.test_workbook import _exc, make_run
from workbench.cli import main
from workbench.close import signoff as close
from workbench.close.aging import AgeBucket, period_aging
from workbench.close.periods import get_period
from workbench.store.db import open_store

TODAY = date(2028, 3, 1)  # 2028 is a leap year: 31 January is 30 days before


def _seen(days: int) -> datetime:
    return datetime(TODAY.year, TODAY.month, TODAY.day, 23, 59, tzinfo=UTC) - timedelta(days=days)


def test_bucket_amounts_per_currency_add_up_to_the_open_amounts_at_risk(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'wb.db'}"
    store = open_store(url)
    try:
        make_run(store, exceptions=[
            _exc(1, amount_at_risk=Decimal("100.00"), first_seen=datetime(2028, 1, 31, 0, 1, tzinfo=UTC)),  # 30 days
            _exc(2, amount_at_risk=Decimal("-40.50"), first_seen=_seen(31)),
            _exc(3, currency="KWD", amount_at_risk=Decimal("0.125"), first_seen=_seen(31)),
            _exc(4, currency="JPY", amount_at_risk=Decimal("1500"), first_seen=_seen(91)),
            _exc(5, amount_at_risk=None, currency=None, first_seen=_seen(61)),  # counted, no amount
            _exc(6, status="waived", amount_at_risk=Decimal("999.00"), first_seen=_seen(5)),  # not open
        ])
        with store.session() as s:
            period = get_period(s, "2026-10")
            ages = period_aging(s, period, TODAY)
            totals = close.snapshot(s, period).open_total_by_currency
        assert ages.buckets == {AgeBucket.D0_30: 1, AgeBucket.D31_60: 2, AgeBucket.D61_90: 1, AgeBucket.OVER_90: 1}
        assert ages.amounts == {AgeBucket.D0_30: {"EUR": Decimal("100.00")},
                                AgeBucket.D31_60: {"EUR": Decimal("-40.50"), "KWD": Decimal("0.125")},
                                AgeBucket.D61_90: {}, AgeBucket.OVER_90: {"JPY": Decimal("1500")}}
        tied: dict[str, Decimal] = {}
        for per_currency in ages.amounts.values():
            for cur, amount in per_currency.items():
                tied[cur] = tied.get(cur, Decimal(0)) + amount
        assert {c: str(v) for c, v in sorted(tied.items())} == totals
        assert main(["close", "status", "--period", "2026-10", "--db", url]) == 0
        out = capsys.readouterr().out  # today (these items were first seen in 2028: none is older than 0 days)
        assert "at risk: 59.50 EUR" in out and "aging at risk: 0–30 days: 59.50 EUR, 1,500 JPY, 0.125 KWD\n" in out
    finally:
        store.dispose()
