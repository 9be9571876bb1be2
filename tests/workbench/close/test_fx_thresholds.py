"""The FX table and the materiality thresholds read together: a table quoted against another currency, a
change of reporting currency under thresholds set in the old one, thresholds finer than the currency's
minor unit, and an item just above its threshold that rounding would bring under it."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from tests.workbench.export.test_workbook import _exc, default_exceptions, make_run
from workbench.cli import main
from workbench.close.fx import set_rates
from workbench.close.materiality import Materiality, auto_waive, materiality_of, parse_thresholds, set_materiality
from workbench.close.periods import get_period
from workbench.errors import InputError
from workbench.store.schema import ExceptionRow, FxRate, Period

RATES = {"JPY": Decimal("0.0062"), "KWD": Decimal("3.0")}




def _rates(s, currency: str, rates: dict[str, Decimal]) -> None:
    set_rates(s, get_period(s, "2026-10", create=True), currency, rates, "rates.csv sha256:00")


def test_a_rate_table_quoted_against_another_currency_is_refused(store, url, tmp_path, capsys):
    make_run(store)
    table = tmp_path / "usd_based.csv"  # a USD-based table (USD 1, EUR 0.92 USD...) loaded as rates into EUR
    table.write_text("currency,rate\nEUR,1.0870\nJPY,0.0067\nKWD,3.25\nUSD,1\n", encoding="utf-8")
    code = main(["close", "rates", "--period", "2026-10", "--file", str(table), "--reporting-currency", "EUR",
                 "--db", url, "--user", "ann"])
    err = capsys.readouterr().err
    assert code == 2
    assert "usd_based.csv" in err and "gives EUR, the reporting currency, the rate 1.0870, not 1" in err
    with store.session() as s:
        assert s.execute(select(FxRate)).first() is None
    # A table that says EUR,1 (or leaves EUR out) is the table the command expects.
    table.write_text("currency,rate\nEUR,1.00\nJPY,0.0062\nKWD,3.0\n", encoding="utf-8")
    assert main(["close", "rates", "--period", "2026-10", "--file", str(table), "--reporting-currency", "EUR",
                 "--db", url, "--user", "ann"]) == 0


def test_a_new_reporting_currency_does_not_reread_thresholds_set_in_the_old_one(store):
    make_run(store)
    with store.session() as s:
        _rates(s, "JPY", {"EUR": Decimal("161.3"), "KWD": Decimal("484")})
    set_materiality(store, "2026-10", "ann", parse_thresholds("5000", []))  # 5,000 JPY, about 31 EUR
    with pytest.raises(InputError, match="materiality thresholds are in JPY, and a table into EUR would read "
                                         "them as EUR: clear them first"), store.session() as s:
        _rates(s, "EUR", RATES)
    with store.session() as s:
        period = s.get(Period, "2026-10")
        assert period.reporting_currency == "JPY" and materiality_of(period).absolute == Decimal("5000")
        assert {r.currency for r in s.execute(select(FxRate)).scalars()} == {"JPY", "EUR", "KWD"}
    # Cleared, the table into EUR loads and the thresholds are set again in EUR.
    set_materiality(store, "2026-10", "ann", Materiality())
    with store.session() as s:
        _rates(s, "EUR", RATES)
    assert materiality_of(set_materiality(store, "2026-10", "ann", parse_thresholds("31", []))).absolute == 31


@pytest.mark.parametrize(("currency", "given", "smallest"), [("EUR", "49.999", "0.01"), ("JPY", "100.5", "1"),
                                                             ("KWD", "0.0005", "0.001")])
def test_a_threshold_finer_than_its_currency_is_refused_not_rounded(store, currency, given, smallest):
    make_run(store)
    rates = {c: Decimal(1) for c in ("EUR", "JPY", "KWD") if c != currency}
    with store.session() as s:
        _rates(s, currency, rates)
    with pytest.raises(InputError, match=f"materiality low: {given} has more decimals than {currency} has "
                                         rf"\({smallest} is its smallest amount\)"):
        set_materiality(store, "2026-10", "ann", parse_thresholds(None, [f"low={given}"]))
    with store.session() as s:
        assert s.get(Period, "2026-10").materiality is None
    assert materiality_of(set_materiality(store, "2026-10", "ann", parse_thresholds("0.005" if currency == "KWD"
                                                                                   else "50", []))).absolute


def test_an_item_just_above_its_threshold_is_not_waived_because_its_rounded_value_is_not(store):
    # 33.335 KWD at 3.0 is 100.005 EUR: 100.00 EUR rounded (half to even), but above a 100 EUR threshold.
    rid = make_run(store, exceptions=default_exceptions() + [
        _exc(6, currency="KWD", amount_at_risk=Decimal("33.335")),
        _exc(7, currency="KWD", amount_at_risk=Decimal("-33.333"))])  # 99.999 EUR: waived
    with store.session() as s:
        _rates(s, "EUR", RATES)
    set_materiality(store, "2026-10", "ann", parse_thresholds("100", []))
    auto_waive(store, rid, "ann")
    with store.session() as s:
        status = {e.key.split("|")[1]: e.status
                  for e in s.execute(select(ExceptionRow).where(ExceptionRow.run_id == rid)).scalars()}
    assert status["0066"] == "open" and status["0067"] == "waived"
