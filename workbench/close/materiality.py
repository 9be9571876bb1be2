"""Materiality: differences too small to matter are waived by rule at run time, not by hand.

Thresholds live on the period (``workbench close materiality``), not in the run config: they are the
controller's close policy, the same for every run of the period whoever runs it, and the workbook cover
states them next to the certification they belong to. An amount at risk is converted to the period's
reporting currency with its FX table and compared, as an absolute value, with the threshold of the
item's severity (``by_severity``) or else the absolute threshold. Critical items are only auto-waived
when ``by_severity`` names ``critical`` explicitly. Each auto-waiver is an audit event naming the rule
and threshold (``exception.auto_waived``), so the workbook can list them apart from human waivers.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from workbench.close.fx import rates_of
from workbench.close.lock import ensure_open, hold
from workbench.close.periods import check_name, get_period
from workbench.errors import InputError
from workbench.model.money import minor_unit, parse_decimal, quantize
from workbench.store import trail
from workbench.store.db import Store
from workbench.store.schema import ExceptionRow, Period, Run

log = logging.getLogger(__name__)

SEVERITIES = ("critical", "high", "medium", "low")
AUTO_WAIVED = "exception.auto_waived"
AUTO_LIFTED = "exception.auto_waiver_lifted"  # a carried automatic waiver that no longer holds
AUTO_REASON = "auto-waived: immaterial"  # how an automatic waiver's resolution starts
# Only untouched items: one under review has a correction in flight, a reopened one was reopened on purpose.
WAIVABLE_STATUSES = ("open",)


@dataclass(frozen=True)
class Materiality:
    """Thresholds in the period's reporting currency (None: no absolute threshold)."""

    absolute: Decimal | None = None
    by_severity: dict[str, Decimal] = field(default_factory=dict)

    def threshold(self, severity: str) -> tuple[str, Decimal] | None:
        """The rule and threshold that apply to an item of ``severity``, if any."""
        if severity in self.by_severity:
            return f"materiality.{severity}", self.by_severity[severity]
        if self.absolute is not None and severity != "critical":
            return "materiality.absolute", self.absolute
        return None

    @property
    def empty(self) -> bool:
        return self.absolute is None and not self.by_severity

    def as_json(self) -> dict[str, Any]:
        return {"absolute": None if self.absolute is None else str(self.absolute),
                "by_severity": {k: str(v) for k, v in sorted(self.by_severity.items())}}

    @classmethod
    def from_json(cls, raw: dict[str, Any] | None) -> Materiality:
        raw = raw or {}
        absolute = raw.get("absolute")
        return cls(None if absolute is None else Decimal(str(absolute)),
                   {k: Decimal(str(v)) for k, v in (raw.get("by_severity") or {}).items()})


def _amount(text: str, what: str) -> Decimal:
    value = parse_decimal(text)
    if value is None or not value.is_finite() or value < 0:
        raise InputError(f"materiality {what}: {text!r} is not an amount ≥ 0")
    return value


def parse_thresholds(absolute: str | None, by_severity: list[str]) -> Materiality:
    """Thresholds from the command line: ``--absolute 50`` and ``--severity low=100`` (repeatable)."""
    table: dict[str, Decimal] = {}
    for item in by_severity:
        severity, sep, value = item.partition("=")
        severity = severity.strip().lower()
        if not sep or severity not in SEVERITIES:
            raise InputError(f"materiality --severity {item!r}: expected SEVERITY=AMOUNT with SEVERITY one of "
                             f"{', '.join(SEVERITIES)}")
        table[severity] = _amount(value.strip(), severity)
    return Materiality(None if absolute is None else _amount(absolute, "absolute"), table)


def materiality_of(period: Period) -> Materiality:
    return Materiality.from_json(period.materiality)


def set_materiality(store: Store, name: str, user: str, thresholds: Materiality) -> Period:
    """Set the period's thresholds; they need the reporting currency of the period's FX table."""
    from workbench.team.users import require

    with store.session() as s:
        require(s, user, "signoff")
        hold(s, check_name(name))
        period = get_period(s, name)
        ensure_open(s, period=period.name)
        if not thresholds.empty and not period.reporting_currency:
            raise InputError(f"period {period.name}: thresholds are in the reporting currency, which comes with the "
                             f"FX table: load it first (workbench close rates --period {period.name} --file F "
                             "--reporting-currency CUR)")
        cur = period.reporting_currency or ""
        for what, value in ([("absolute", thresholds.absolute)] if thresholds.absolute is not None else []) + \
                sorted(thresholds.by_severity.items()):
            if value != quantize(value, cur):  # rounded, 49.999 would become 50.00 and waive more than asked
                raise InputError(f"materiality {what}: {value} has more decimals than {cur} has "
                                 f"({minor_unit(cur)} is its smallest amount)")
        rounded = Materiality(None if thresholds.absolute is None else quantize(thresholds.absolute, cur),
                              {k: quantize(v, cur) for k, v in thresholds.by_severity.items()})
        before = period.materiality
        period.materiality = rounded.as_json()
        period.version = period.version + 1
        trail.append(s, actor=user, action="period.materiality", entity_type="period", entity_id=period.name,
                     detail={"before": before, "after": period.materiality, "reporting_currency": cur})
        s.flush()
        s.expunge(period)
        return period


@dataclass(frozen=True)
class AutoWaiver:
    exception_id: int
    key: str
    rule: str
    threshold: Decimal
    amount: Decimal
    currency: str
    amount_reporting: Decimal


@dataclass
class AutoWaiveReport:
    period: str | None
    waived: list[AutoWaiver] = field(default_factory=list)
    missing_rates: list[str] = field(default_factory=list)  # currencies left open: no rate to measure them
    lifted: list[str] = field(default_factory=list)  # keys whose carried automatic waiver no longer holds


def auto_waive(store: Store, run_id: int, actor: str) -> AutoWaiveReport:
    """``waive_immaterial`` in a transaction of its own."""
    with store.session() as s:
        return waive_immaterial(s, run_id, actor)


def waive_immaterial(s: Session, run_id: int, actor: str) -> AutoWaiveReport:
    """Waive the run's open items below their materiality threshold, each with an audit event, in the
    caller's transaction (a run is saved with its waivers in one: ``repo.save_run``'s ``then``).

    A certified period refuses the run here too, not only when it starts: a run started before the
    certification and saved after it would land in the locked period unseen. An automatic waiver the
    run carried from the run before is measured again (its amount, the rates or the thresholds may have
    moved): one no longer immaterial is lifted, the item open again, with an event saying why.

    Items in a currency the period's FX table lacks are left open (and named in the report): an amount
    that cannot be measured is never assumed immaterial."""
    run = s.get(Run, int(run_id))
    if run is None or not run.period:
        return AutoWaiveReport(None)
    ensure_open(s, period=run.period)
    period = s.get(Period, run.period)
    report = AutoWaiveReport(run.period)
    rules = materiality_of(period) if period is not None and period.reporting_currency else Materiality()
    cur = period.reporting_currency if period is not None and period.reporting_currency else None
    rates = rates_of(s, run.period) if cur else {}
    missing: set[str] = set()
    carried = s.execute(select(ExceptionRow).where(ExceptionRow.run_id == run.id,
                                                   ExceptionRow.status == "waived",
                                                   ExceptionRow.resolution.startswith(AUTO_REASON))
                        .order_by(ExceptionRow.id)).scalars()
    for exc in carried:
        still = _measure(exc, rules, rates, cur)
        if isinstance(still, tuple):
            continue
        reason = f"auto-waiver lifted: {still}"
        if exc.currency and cur and exc.currency not in rates and exc.amount_at_risk is not None:
            missing.add(exc.currency)
        exc.status, exc.resolution = "open", reason
        exc.version = (exc.version or 1) + 1
        trail.append(s, actor=actor, action=AUTO_LIFTED, entity_type="exception", entity_id=exc.id,
                     run_id=run.id, detail={"key": exc.key, "status_before": "waived", "status_after": "open",
                                            "reason": reason, "amount": _text(exc.amount_at_risk),
                                            "currency": exc.currency, "reporting_currency": cur})
        report.lifted.append(exc.key)
    rows = s.execute(select(ExceptionRow).where(ExceptionRow.run_id == run.id,
                                                ExceptionRow.status.in_(WAIVABLE_STATUSES),
                                                ExceptionRow.amount_at_risk.is_not(None))
                     .order_by(ExceptionRow.id)).scalars() if cur and not rules.empty else ()
    for exc in rows:
        rule = rules.threshold(exc.severity)
        if rule is None or not exc.currency or exc.amount_at_risk is None:
            continue
        if exc.currency not in rates:
            missing.add(exc.currency)
            continue
        measured = _measure(exc, rules, rates, cur)
        if not isinstance(measured, tuple):
            continue
        name, threshold, converted = measured
        assert cur is not None  # measured: the period has its reporting currency
        waiver = AutoWaiver(exc.id, exc.key, name, threshold, exc.amount_at_risk, exc.currency, converted)
        reason = f"{AUTO_REASON} ({converted} {cur} ≤ {threshold} {cur}, rule {name})"
        exc.status, exc.resolution = "waived", reason
        exc.version = (exc.version or 1) + 1
        trail.append(s, actor=actor, action=AUTO_WAIVED, entity_type="exception", entity_id=exc.id,
                     run_id=run.id, detail={"key": exc.key, "status_before": "open", "status_after": "waived",
                                            # the resolution written, so that audit verify proves it (review_proof)
                                            "reason": reason, "rule": name, "threshold": str(threshold),
                                            "reporting_currency": cur, "amount": str(exc.amount_at_risk),
                                            "currency": exc.currency, "amount_reporting": str(converted)})
        report.waived.append(waiver)
    report.missing_rates = sorted(missing)
    if missing:
        log.warning("period %s: no FX rate for %s; those items were not measured against materiality "
                    "and stay open", run.period, ", ".join(report.missing_rates))
    if report.lifted:
        log.warning("period %s: %d automatic waiver(s) carried from the previous run no longer hold and were "
                    "lifted (the items are open again; each is an audit event %s)", run.period,
                    len(report.lifted), AUTO_LIFTED)
    return report


def _text(amount: Decimal | None) -> str | None:
    return None if amount is None else str(amount)


def _measure(exc: ExceptionRow, rules: Materiality, rates: dict[str, Decimal],
             cur: str | None) -> tuple[str, Decimal, Decimal] | str:
    """(rule, threshold, converted amount) when the item is immaterial; else why it is not."""
    rule = rules.threshold(exc.severity) if cur else None
    if rule is None or cur is None:
        return f"no materiality threshold of the period covers a {exc.severity} item"
    name, threshold = rule
    if exc.amount_at_risk is None or not exc.currency:
        return "the item has no amount at risk to measure"
    if exc.currency not in rates:
        return f"the period's FX table has no rate for {exc.currency} to measure it"
    exact = abs(exc.amount_at_risk) * rates[exc.currency]
    converted = quantize(exact, cur)
    if exact > threshold:  # the exact size: rounding to cents never brings an item under the threshold
        return f"{converted} {cur} is above the {threshold} {cur} threshold (rule {name})"
    return name, threshold, converted


def lift_waiver(store: Store, exception_id: int, user: str, reason: str, *, period: str | None = None) -> ExceptionRow:
    """Undo one automatic waiver by hand, with the reason: the item is *reopened* (so no later run of the
    period waives it again by rule) and the event names who and why. A waiver a person gave is not
    undone here: it is theirs, with their reason."""
    from workbench.team.users import require

    why = (reason or "").strip()
    if not why:
        raise InputError("undoing an automatic waiver needs a reason (--reason)")
    with store.session() as s:
        require(s, user, "waive")
        exc = s.get(ExceptionRow, int(exception_id), with_for_update=True, populate_existing=True)
        if exc is None:
            raise InputError(f"exception {exception_id} does not exist in this store")
        run = s.get(Run, exc.run_id)
        if period is not None and (run is None or run.period != period):
            raise InputError(f"exception {exc.id} belongs to period {run.period if run else None}, not {period}")
        if exc.status != "waived" or not (exc.resolution or "").startswith(AUTO_REASON):
            raise InputError(f"exception {exc.id} is {exc.status}" + (f" ({exc.resolution})" if exc.resolution else "")
                             + ", not waived as immaterial by rule: only an automatic waiver is undone here")
        ensure_open(s, run_id=exc.run_id)
        resolution = f"auto-waiver undone by {user}: {why}"
        exc.status, exc.resolution = "reopened", resolution
        exc.version = (exc.version or 1) + 1
        trail.append(s, actor=user, action=AUTO_LIFTED, entity_type="exception", entity_id=exc.id,
                     run_id=exc.run_id, detail={"key": exc.key, "status_before": "waived", "status_after": "reopened",
                                                "reason": resolution, "by_hand": True})
        s.flush()
        s.expunge(exc)
        return exc
