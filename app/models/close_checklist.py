"""What the Close screen shows of one period, read in one worker call: its checklist, the critical
items that block certification, the sign-off history, and which actions the current user may take.

Refusals are worked out here, before any click, with the core's own rules (roles from
``workbench.team.users``, maker-checker and the moved-since-sign-off check from
``workbench.close.signoff``), so a disabled button can say why in its tooltip; the core still
checks again when the action runs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from app.models.rows_model import Column
from app.models.values import risk_text
from workbench.team.identity import same_person
from workbench.model.labels import MISSING, type_label
from workbench.model.money import format_amount

SEVERITY_ORDER = ("critical", "high", "medium", "low")


@dataclass(frozen=True)
class Permission:
    allowed: bool
    reason: str = ""  # why not, one line (empty when allowed)


@dataclass
class CloseState:
    periods: list[str]
    period: str | None
    user: str = ""  # whose permissions ``actions`` are
    state: str = ""
    checklist: list[dict[str, Any]] = field(default_factory=list)
    critical: list[dict[str, Any]] = field(default_factory=list)
    history: list[dict[str, Any]] = field(default_factory=list)
    actions: dict[str, Permission] = field(default_factory=dict)


CHECK_COLUMNS = [Column("check", "Check"), Column("detail", "Detail"), Column("status", "Status")]
CRITICAL_COLUMNS = [Column("item", "Critical item", tooltip=lambda r: r["item_tip"]), Column("customer", "Customer"),
                    Column("amount", "Amount at risk", align_right=True), Column("carried", "Carried forward")]
HISTORY_COLUMNS = [Column("at", "When (UTC)"), Column("action", "Action"), Column("actor", "By"),
                   Column("reason", "Reason / note")]

ACTION_LABELS = {"signoff": "signed off", "certify": "certified", "reopen": "reopened"}


def _role_refusal(session: Any, user: str, action: str) -> str:
    from workbench.errors import PermissionDenied
    from workbench.team.users import require
    try:
        require(session, user, action)
    except PermissionDenied as exc:
        return str(exc)
    return ""


def load_close(store: Any, period_name: str | None, run_id: int | None, user: str, today: date) -> CloseState:
    """Worker side: the period's close picture (default: the open run's period, else the newest)."""
    from workbench.close import signoff as close
    from workbench.close.aging import period_aging
    from workbench.close.periods import PeriodState, get_period, period_of_run
    from sqlalchemy import select

    from workbench.store.schema import ExceptionRow

    with store.session() as s:
        periods = close_periods(s)
        name = period_name or period_of_run(s, run_id) or (periods[0] if periods else None)
        if name is None:
            return CloseState(periods, None, user)
        period = get_period(s, name)
        if name not in periods:
            periods = sorted({*periods, name}, reverse=True)
        snap = close.snapshot(s, period)
        ages = period_aging(s, period, today)
        carried = close.carried_forward(s, name)
        hist = close.history(s, name)
        last_signoff = next((h for h in reversed(hist) if h.action == "signoff"), None)
        last_certify = next((h for h in reversed(hist) if h.action == "certify"), None)
        uncarried = [k for k in snap.open_critical_keys if k not in carried]
        state = CloseState(periods, name, user, str(period.state))

        counts = ", ".join(f"{snap.open_by_severity[sev]:,} {sev}" for sev in SEVERITY_ORDER
                           if snap.open_by_severity.get(sev))
        total_open = sum(snap.open_by_severity.values())
        check = state.checklist.append
        check({"check": "Latest completed run",
               "detail": f"run {snap.run_id}" if snap.run_id is not None else "no completed run names this period",
               "status": "ok" if snap.run_id is not None else "missing"})
        check({"check": "Open items by severity", "detail": counts or "none",
               "status": "ok" if not total_open else f"{total_open:,} open"})
        check({"check": "Critical items open", "detail": (f"{len(snap.open_critical_keys):,} open, "
                                                          f"{len(snap.open_critical_keys) - len(uncarried):,} "
                                                          "carried forward with a reason"),
               "status": "blocks certification" if uncarried else "ok"})
        late = ", ".join(f"{ages.overdue_by_severity[sev]:,} {sev}" for sev in SEVERITY_ORDER
                         if ages.overdue_by_severity.get(sev))
        check({"check": "Overdue items", "detail": f"{ages.overdue:,}" + (f" ({late})" if late else ""),
               "status": "ok" if not ages.overdue else "overdue"})
        check({"check": "Aging (days open)",
               "detail": "   ".join(f"{b}: {n:,}" for b, n in ages.buckets.items()), "status": ""})
        per_currency = "; ".join(format_amount(Decimal(v), c) for c, v in snap.open_total_by_currency.items())
        check({"check": "Open amount at risk per currency", "detail": per_currency or "none",
               "status": "ok" if not per_currency else ""})
        check(_reporting_line(s, period, snap))
        check({"check": "Prepared (signed off)",
               "detail": _who(last_signoff) if last_signoff and period.state != PeriodState.OPEN else "not yet",
               "status": "done" if period.state != PeriodState.OPEN else "to do"})
        check({"check": "Reviewed (certified)",
               "detail": _who(last_certify) if period.state == PeriodState.CERTIFIED and last_certify else "not yet",
               "status": "locked" if period.state == PeriodState.CERTIFIED else "to do"})

        if snap.open_critical_keys:
            rows = {r.key: r for r in s.execute(
                select(ExceptionRow.key, ExceptionRow.type, ExceptionRow.crm_number, ExceptionRow.erp_number,
                       ExceptionRow.customer_name, ExceptionRow.amount_at_risk, ExceptionRow.currency)
                .where(ExceptionRow.run_id == snap.run_id, ExceptionRow.key.in_(snap.open_critical_keys)))}
            for key in snap.open_critical_keys:
                r = rows.get(key)
                number = (r.erp_number or r.crm_number) if r is not None else None
                # The key is the engine's identity (it may hold "None" parts): a person reads the type and document.
                item = f"{type_label(r.type)} {number or ''}".strip() if r is not None else "no longer in the run"
                cf = carried.get(key)
                state.critical.append({"key": key, "item": item,
                                       "item_tip": f"{r.type if r is not None else ''} {number or ''}".strip(),
                                       "customer": (r.customer_name if r is not None else None) or MISSING,
                                       "amount": risk_text(r.amount_at_risk, r.currency)
                                       if r is not None else MISSING,
                                       "carried": f"{cf.actor}: {cf.reason}" if cf else ""})
        state.history = [{"at": f"{h.at:%Y-%m-%d %H:%M}", "action": ACTION_LABELS.get(h.action, h.action),
                          "actor": h.actor, "reason": h.reason or ""} for h in hist]

        moved = last_signoff is not None and bool(snap.moved_since(last_signoff))  # older sign-offs: what they held
        state.actions = {
            "signoff": _first(_role_refusal(s, user, "signoff"),
                              f"period {name} is certified: reopen it first"
                              if period.state == PeriodState.CERTIFIED else "",
                              f"period {name} is already signed off by {last_signoff.actor if last_signoff else '?'};"
                              " it now needs a reviewer's certification"
                              if period.state == PeriodState.SIGNED_OFF else "",
                              f"period {name} has no completed run to sign off" if snap.run_id is None else ""),
            "certify": _first(_role_refusal(s, user, "certify"),
                              f"period {name} is already certified" if period.state == PeriodState.CERTIFIED else "",
                              f"period {name} is not signed off yet: its preparer signs it off first"
                              if period.state == PeriodState.OPEN else "",
                              f"{user} signed period {name} off, so someone else must certify it (maker-checker)"
                              if last_signoff is not None and same_person(last_signoff.actor, user) else "",
                              f"period {name} changed since {last_signoff.actor if last_signoff else '?'} signed it "
                              "off: the preparer must sign it off again" if moved else "",
                              f"{len(uncarried):,} open critical item(s) not carried forward (first: {uncarried[0]})"
                              if uncarried else ""),
            "reopen": _first(_role_refusal(s, user, "reopen"),
                             f"period {name} is open already" if period.state == PeriodState.OPEN else ""),
            "carry_forward": _first(_role_refusal(s, user, "signoff"),
                                    f"period {name} is certified: reopen it to carry items forward"
                                    if period.state == PeriodState.CERTIFIED else "",
                                    "no open critical item to carry forward" if not uncarried else ""),
        }
        return state


def close_periods(session: Any) -> list[str]:
    from workbench.close.periods import known_periods
    return known_periods(session)


def _reporting_line(session: Any, period: Any, snap: Any) -> dict[str, Any]:
    from workbench.close.fx import rates_of, to_reporting
    from workbench.errors import InputError
    line = {"check": "Open amount at risk in reporting currency"}
    if not period.reporting_currency:
        return {**line, "detail": f"no FX table: workbench close rates --period {period.name} --file RATES.csv "
                                  "--reporting-currency CUR", "status": "missing"}
    if not snap.open_total_by_currency:
        return {**line, "detail": f"0 {period.reporting_currency}", "status": "ok"}
    try:
        total = to_reporting({c: Decimal(v) for c, v in snap.open_total_by_currency.items()},
                             rates_of(session, period.name), period.reporting_currency, period=period.name)
    except InputError as exc:
        return {**line, "detail": str(exc), "status": "missing"}
    # The source names itself with its own parentheses ("demo-rates.csv (illustrative)"): a dash, not another pair
    amount = format_amount(total, period.reporting_currency)
    return {**line, "detail": f"{amount} — rates: {period.fx_source or 'FX table'}", "status": ""}


def _who(row: Any) -> str:
    return f"{row.actor}, {row.at:%Y-%m-%d %H:%M} UTC" + (f": {row.reason}" if row.reason else "")


def _first(*refusals: str) -> Permission:
    reason = next((r for r in refusals if r), "")
    return Permission(not reason, reason)
