"""Materiality: immaterial open items waived by rule at run time, each an audit event naming rule and threshold."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from tests.workbench.export.test_workbook import _exc, default_exceptions, make_run
from workbench.close.fx import set_rates
from workbench.close.materiality import AUTO_WAIVED, auto_waive, parse_thresholds, set_materiality
from workbench.close.periods import get_period
from workbench.errors import InputError
from workbench.store.schema import AuditEvent, ExceptionRow, FxRate, Period

RATES = {"JPY": Decimal("0.0062"), "KWD": Decimal("3.0")}



def _run(store) -> int:
    extra = [_exc(6, amount_at_risk=Decimal("100.01")), _exc(7, severity="low", amount_at_risk=Decimal("-180.00"))]
    rid = make_run(store, exceptions=default_exceptions() + extra)
    with store.session() as s:
        set_rates(s, get_period(s, "2026-10"), "EUR", RATES, "rates.csv sha256:00")
    return rid


def _status(store, rid) -> dict[str, tuple[str, str | None]]:
    with store.session() as s:
        return {e.key.split("|")[1]: (e.status, e.resolution)
                for e in s.execute(select(ExceptionRow).where(ExceptionRow.run_id == rid)).scalars()}


def _events(store) -> list[dict]:
    with store.session() as s:
        return [e.detail for e in s.execute(select(AuditEvent).where(AuditEvent.action == AUTO_WAIVED)
                                            .order_by(AuditEvent.id)).scalars()]


def test_items_at_or_below_the_threshold_are_waived_with_an_event_naming_rule_and_threshold(store):
    rid = _run(store)
    set_materiality(store, "2026-10", "ann", parse_thresholds("100", ["low=200"]))
    report = auto_waive(store, rid, "ann")
    status = _status(store, rid)
    # 100.00 EUR ≤ 100 (absolute); 100.01 EUR is over; -180 EUR is low, measured by its size against 200.
    assert status["0061"] == ("waived", "auto-waived: immaterial (100.00 EUR ≤ 100.00 EUR, rule materiality.absolute)")
    assert status["0066"][0] == "open"
    assert status["0067"][0] == "waived" and "rule materiality.low" in status["0067"][1]
    # The critical JPY item (9.30 EUR) is never waived by the absolute rule; the in-review one is left alone.
    assert status["0062"][0] == "open" and status["0064"][0] == "in_review"
    assert sorted(w.key.split("|")[1] for w in report.waived) == ["0061", "0067"]
    events = _events(store)
    assert [(e["rule"], e["threshold"], e["amount_reporting"], e["reporting_currency"]) for e in events] == [
        ("materiality.absolute", "100.00", "100.00", "EUR"), ("materiality.low", "200.00", "180.00", "EUR")]


def test_a_critical_threshold_must_be_named_and_converts_through_the_period_rates(store):
    rid = _run(store)
    set_materiality(store, "2026-10", "ann", parse_thresholds(None, ["critical=9.30"]))
    auto_waive(store, rid, "ann")
    status = _status(store, rid)
    assert status["0062"] == ("waived", "auto-waived: immaterial (9.30 EUR ≤ 9.30 EUR, rule materiality.critical)")
    assert status["0061"][0] == "open"  # no absolute threshold: nothing else is waived
    assert _events(store)[0]["amount"] == "1500" and _events(store)[0]["currency"] == "JPY"


def test_an_item_in_a_currency_without_a_rate_stays_open_and_is_named(store):
    rid = _run(store)
    with store.session() as s:
        s.add(ExceptionRow(**{**_exc(8, currency="USD", amount_at_risk=Decimal("1.00")), "run_id": rid}))
    set_materiality(store, "2026-10", "ann", parse_thresholds("100", []))
    report = auto_waive(store, rid, "ann")
    assert report.missing_rates == ["USD"] and _status(store, rid)["0068"][0] == "open"


def test_a_rate_table_missing_a_currency_in_use_is_refused_and_nothing_is_written(store):
    make_run(store)
    with pytest.raises(InputError, match="no rate for JPY, which the period.s runs use"), store.session() as s:
        set_rates(s, get_period(s, "2026-10"), "EUR", {"KWD": Decimal("3")}, "rates.csv sha256:00")
    with store.session() as s:
        assert s.execute(select(FxRate)).first() is None and s.get(Period, "2026-10") is None


def test_thresholds_need_the_reporting_currency_and_bad_amounts_are_named(store):
    make_run(store)
    with pytest.raises(InputError, match="load it first"):
        set_materiality(store, "2026-10", "ann", parse_thresholds("100", []))
    with pytest.raises(InputError, match="materiality medium: '-5' is not an amount"):
        parse_thresholds(None, ["medium=-5"])
    with pytest.raises(InputError, match="SEVERITY=AMOUNT"):
        parse_thresholds(None, ["urgent=5"])


def test_nothing_is_waived_without_thresholds(store):
    rid = _run(store)
    before = _status(store, rid)
    assert auto_waive(store, rid, "ann").waived == []
    assert _events(store) == [] and _status(store, rid) == before
