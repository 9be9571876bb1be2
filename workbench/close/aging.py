"""Due dates and aging: an open item is due a number of days after it was first seen, by severity,
and ages in the buckets finance teams report (0–30, 31–60, 61–90, over 90 days)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from workbench.close.periods import latest_run, period_of_run
from workbench.errors import ConfigError
from workbench.store.schema import ExceptionRow, Period

# Days to resolve an item once first seen, by severity (a period may set its own).
DEFAULT_DUE_DAYS: dict[str, int] = {"critical": 2, "high": 5, "medium": 15, "low": 30}


class AgeBucket(StrEnum):
    D0_30 = "0–30"
    D31_60 = "31–60"
    D61_90 = "61–90"
    OVER_90 = "90+"


@dataclass(frozen=True)
class Aging:
    due_on: date
    age_days: int
    bucket: AgeBucket
    overdue: bool


def due_days(settings: Mapping[str, Any] | None) -> dict[str, int]:
    """The due-days table: the defaults overridden by a period's settings (whole days ≥ 0)."""
    table = dict(DEFAULT_DUE_DAYS)
    for severity, days in (settings or {}).items():
        if severity not in table:
            raise ConfigError(f"due days: unknown severity {severity!r} (expected one of {', '.join(table)})")
        if isinstance(days, bool) or not isinstance(days, int) or days < 0:
            raise ConfigError(f"due days for {severity}: expected a whole number of days ≥ 0, got {days!r}")
        table[severity] = days
    return table


def bucket_of(age_days: int) -> AgeBucket:
    if age_days <= 30:
        return AgeBucket.D0_30
    if age_days <= 60:
        return AgeBucket.D31_60
    if age_days <= 90:
        return AgeBucket.D61_90
    return AgeBucket.OVER_90


def aging(first_seen: datetime | date, severity: str, today: date, table: Mapping[str, int]) -> Aging:
    """An item's due date, age in days, bucket and whether it is overdue on ``today``."""
    seen = first_seen.date() if isinstance(first_seen, datetime) else first_seen
    due = seen + timedelta(days=table.get(severity, DEFAULT_DUE_DAYS["low"]))
    age = max(0, (today - seen).days)
    return Aging(due, age, bucket_of(age), today > due)


@dataclass(frozen=True)
class AgingSummary:
    """A period's open items by age bucket, and those past their due date (by severity)."""

    buckets: dict[AgeBucket, int]
    overdue: int
    overdue_by_severity: dict[str, int]
    # the open amounts at risk in each bucket, per currency: summed over the buckets they are the period's
    # open amounts at risk (close status), so the aging ties to the totals it breaks down
    amounts: dict[AgeBucket, dict[str, Decimal]] = field(default_factory=dict)


def period_aging(session: Session, period: Period, today: date) -> AgingSummary:
    """Aging of the open items in the period's latest completed run."""
    run = latest_run(session, period.name)
    return run_aging(session, run.id if run is not None else None, today, period.due_days)


def run_aging(session: Session, run_id: int | None, today: date,
              settings: Mapping[str, Any] | None = None) -> AgingSummary:
    """Aging of one run's open items; due days from ``settings`` (a period's), else the run's period's."""
    from workbench.close.signoff import OPEN_STATUSES

    buckets = dict.fromkeys(AgeBucket, 0)
    amounts: dict[AgeBucket, dict[str, Decimal]] = {b: {} for b in AgeBucket}
    overdue: dict[str, int] = {}
    if run_id is not None:
        if settings is None:
            name = period_of_run(session, run_id)
            row = session.get(Period, name) if name else None
            settings = row.due_days if row is not None else None
        table = due_days(settings)
        rows = session.execute(select(ExceptionRow.first_seen, ExceptionRow.severity, ExceptionRow.amount_at_risk,
                                      ExceptionRow.currency)
                               .where(ExceptionRow.run_id == run_id, ExceptionRow.status.in_(OPEN_STATUSES)))
        for first_seen, severity, amount, currency in rows:
            a = aging(first_seen, severity, today, table)
            buckets[a.bucket] += 1
            if amount is not None and currency:
                amounts[a.bucket][currency] = amounts[a.bucket].get(currency, Decimal(0)) + amount
            if a.overdue:
                overdue[severity] = overdue.get(severity, 0) + 1
    return AgingSummary(buckets, sum(overdue.values()), overdue,
                        {b: dict(sorted(v.items())) for b, v in amounts.items()})
