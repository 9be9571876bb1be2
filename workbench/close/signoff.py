"""Sign-off, certification and reopening of a period, with the frozen picture each one saw.

A preparer signs the period off: its open items (a digest of every open exception's key, severity,
status and amount), totals per currency and in the reporting currency, the latest run, and the audit
trail's head are frozen into the sign-off record with a SHA-256. A different user who may approve
certifies it, which locks the period; certification is refused while critical items are open unless
each is carried forward with a reason, and when anything moved since the sign-off. Reopening is an
audited action with a reason. Records are only ever added, so the history is the table.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, UTC
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from workbench.close.fx import rates_of, to_reporting
from workbench.close.lock import hold
from workbench.close.periods import PeriodState, check_name, get_period, latest_run
from workbench.errors import IllegalTransition, InputError, PermissionDenied
from workbench.store import trail
from workbench.store.db import Store
from workbench.store.schema import CarryForward, Correction, ExceptionRow, Period, PeriodSignoff, Run
from workbench.team.identity import clean_name, same_person
from workbench.team.users import find_user, require

OPEN_STATUSES = ("open", "in_review", "reopened")


@dataclass(frozen=True)
class Snapshot:
    """What a sign-off saw: enough to tell later whether anything moved."""

    run_id: int | None
    open_by_severity: dict[str, int]
    open_total_by_currency: dict[str, str]
    reporting_currency: str | None
    reporting_total: str | None
    items_digest: str
    open_critical_keys: list[str] = field(default_factory=list)
    # the period's corrections (count by state, and a digest of each one's id and state) and thresholds:
    # an approval or a new threshold after the sign-off moves the period as much as a new open item does
    corrections: dict[str, Any] = field(default_factory=dict)
    materiality: dict[str, Any] | None = None

    def as_json(self) -> dict[str, Any]:
        return {"run_id": self.run_id, "open_by_severity": self.open_by_severity,
                "open_total_by_currency": self.open_total_by_currency,
                "reporting_currency": self.reporting_currency, "reporting_total": self.reporting_total,
                "items_digest": self.items_digest, "open_critical_keys": self.open_critical_keys,
                "corrections": self.corrections, "materiality": self.materiality}

    @property
    def sha256(self) -> str:
        return _sha256(self.as_json())

    def moved_since(self, row: PeriodSignoff) -> list[str]:
        """What differs from the picture ``row`` froze ([] when nothing moved). A sign-off made before the
        snapshot held corrections and thresholds is compared on what it held."""
        now, then = self.as_json(), row.snapshot or {}
        if row.snapshot is not None:
            now = {k: v for k, v in now.items() if k in then}
        if _sha256(now) == row.snapshot_hash:
            return []
        labels = {"run_id": "latest run", "items_digest": "open items", "open_by_severity": "open items",
                  "open_critical_keys": "open items", "open_total_by_currency": "amounts at risk",
                  "reporting_total": "amounts at risk", "reporting_currency": "reporting currency",
                  "corrections": "corrections", "materiality": "materiality"}
        moved = [labels[k] for k in labels if k in now and now[k] != then.get(k)]
        return list(dict.fromkeys(moved)) or ["the frozen picture"]


def _sha256(data: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True, separators=(",", ":")).encode("utf-8")).hexdigest()


def _corrections(session: Session, name: str) -> dict[str, Any]:
    rows = session.execute(select(Correction.id, Correction.state).join(Run, Run.id == Correction.run_id)
                           .where(Run.period == name).order_by(Correction.id)).all()
    digest = hashlib.sha256("".join(f"{cid}:{state}\n" for cid, state in rows).encode("utf-8")).hexdigest()
    return {"by_state": dict(sorted(Counter(state for _, state in rows).items())), "digest": digest}


def snapshot(session: Session, period: Period, *, strict: bool = False) -> Snapshot:
    """The period's open items as they are now, in the latest completed run of the period.

    Without a rate for one of their currencies there is no total in the reporting currency (None), so
    that the status and the Close screen still show the rest; ``strict`` (a sign-off) refuses instead."""
    run = latest_run(session, period.name)
    if run is None:
        return Snapshot(None, {}, {}, period.reporting_currency, None, hashlib.sha256(b"").hexdigest(), [],
                        _corrections(session, period.name), period.materiality)
    rows = session.execute(
        select(ExceptionRow.key, ExceptionRow.severity, ExceptionRow.status, ExceptionRow.amount_at_risk,
               ExceptionRow.currency)
        .where(ExceptionRow.run_id == run.id, ExceptionRow.status.in_(OPEN_STATUSES))
        .order_by(ExceptionRow.key)).all()
    digest = hashlib.sha256()
    by_severity: Counter[str] = Counter()
    totals: dict[str, Decimal] = {}
    critical: list[str] = []
    for key, severity, status, amount, currency in rows:
        digest.update(json.dumps([key, severity, status, None if amount is None else str(amount), currency],
                                 separators=(",", ":")).encode("utf-8") + b"\n")
        by_severity[severity] += 1
        if amount is not None and currency:
            totals[currency] = totals.get(currency, Decimal(0)) + amount
        if severity == "critical":
            critical.append(key)
    reporting_total = None
    if period.reporting_currency and totals:
        rates = rates_of(session, period.name)
        if strict or set(totals) <= set(rates):  # else to_reporting names the currencies without a rate
            reporting_total = str(to_reporting(totals, rates, period.reporting_currency, period=period.name))
    return Snapshot(run.id, dict(sorted(by_severity.items())), {c: str(v) for c, v in sorted(totals.items())},
                    period.reporting_currency, reporting_total, digest.hexdigest(), critical,
                    _corrections(session, period.name), period.materiality)


def history(session: Session, name: str) -> list[PeriodSignoff]:
    return list(session.execute(select(PeriodSignoff).where(PeriodSignoff.period == name)
                                .order_by(PeriodSignoff.id)).scalars())


def _last(session: Session, name: str, action: str) -> PeriodSignoff | None:
    return session.execute(select(PeriodSignoff).where(PeriodSignoff.period == name,
                                                       PeriodSignoff.action == action)
                           .order_by(PeriodSignoff.id.desc()).limit(1)).scalar_one_or_none()


def _record(session: Session, period: Period, action: str, actor: str, reason: str | None,
            snap: Snapshot | None) -> PeriodSignoff:
    # the registered user's own name, never the variant typed ("ANN ", "Аnn"): the history an auditor
    # reads and the maker-checker test against it name one person one way
    registered = find_user(session, actor)
    actor = registered.name if registered is not None else clean_name(actor)
    count, head = trail.head(session)
    row = PeriodSignoff(period=period.name, action=action, actor=actor, at=datetime.now(UTC),
                        reason=reason, run_id=snap.run_id if snap else None,
                        snapshot=snap.as_json() if snap else None, snapshot_hash=snap.sha256 if snap else None,
                        trail_count=count, trail_head=head)
    session.add(row)
    session.flush()
    trail.append(session, actor=actor, action=f"period.{action}", entity_type="period", entity_id=period.name,
                 run_id=row.run_id, detail={"signoff_id": row.id, "state_before": period.state,
                                            "reason": reason, "snapshot_sha256": row.snapshot_hash,
                                            "trail_count": count, "trail_head": head})
    return row


def signoff(store: Store, name: str, user: str, *, note: str | None = None) -> PeriodSignoff:
    """The preparer signs the period off: open items, totals and the latest run are frozen."""
    with store.session() as s:
        require(s, user, "signoff")
        hold(s, check_name(name))
        period = get_period(s, name)
        if period.state == PeriodState.CERTIFIED:
            raise IllegalTransition(f"period {period.name} is already certified; reopen it first")
        if period.state == PeriodState.SIGNED_OFF:
            last = _last(s, period.name, "signoff")
            by = f" by {last.actor}" if last else ""
            raise IllegalTransition(f"period {period.name} is already signed off{by}; it now needs a "
                                    f"reviewer's certification (workbench close certify --period {period.name})")
        if latest_run(s, period.name) is None:
            raise InputError(f"period {period.name} has no completed run to sign off")
        snap = snapshot(s, period, strict=True)
        row = _record(s, period, "signoff", user, note, snap)
        period.state, period.version = PeriodState.SIGNED_OFF, period.version + 1
        return row


def carry_forward(store: Store, name: str, exception_key: str, user: str, reason: str) -> CarryForward:
    """Leave an open critical item for the next period, on purpose and with the reason."""
    if not (reason or "").strip():
        raise InputError("carrying an item forward needs a reason (--reason)")
    with store.session() as s:
        require(s, user, "signoff")
        hold(s, check_name(name))
        period = get_period(s, name)
        if period.state == PeriodState.CERTIFIED:
            raise IllegalTransition(f"period {period.name} is certified; reopen it to carry items forward")
        snap = snapshot(s, period)
        if exception_key not in snap.open_critical_keys:
            raise InputError(f"{exception_key!r} is not an open critical item of period {period.name}")
        done = carried_forward(s, period.name).get(exception_key)
        if done is not None:
            raise IllegalTransition(f"{exception_key!r} was carried forward from period {period.name} by {done.actor} "
                                    f"on {done.at:%Y-%m-%d %H:%M} UTC already: {done.reason}")
        found = find_user(s, user)
        row = CarryForward(period=period.name, exception_key=exception_key, reason=reason.strip(),
                           actor=found.name if found is not None else clean_name(user), at=datetime.now(UTC))
        s.add(row)
        s.flush()
        trail.append(s, actor=user, action="period.carry_forward", entity_type="period", entity_id=period.name,
                     run_id=snap.run_id, detail={"exception_key": exception_key, "reason": row.reason})
        return row


def carried_forward(session: Session, name: str) -> dict[str, CarryForward]:
    return {c.exception_key: c for c in session.execute(select(CarryForward).where(CarryForward.period == name)
                                                        .order_by(CarryForward.id)).scalars()}


def certify(store: Store, name: str, user: str, *, note: str | None = None) -> PeriodSignoff:
    """A different user who may approve certifies the signed-off period, which locks it."""
    with store.session() as s:
        require(s, user, "certify")
        hold(s, check_name(name))
        period = get_period(s, name)
        if period.state == PeriodState.CERTIFIED:
            raise IllegalTransition(f"period {period.name} is already certified")
        last = _last(s, period.name, "signoff")
        if period.state != PeriodState.SIGNED_OFF or last is None:
            raise IllegalTransition(f"period {period.name} is not signed off yet: its preparer signs it off "
                                    f"first (workbench close signoff --period {period.name})")
        if same_person(last.actor, user):
            raise PermissionDenied(f"{user} signed period {period.name} off, so someone else must certify it "
                                   "(maker-checker)")
        snap = snapshot(s, period)
        moved = snap.moved_since(last)
        if moved:
            raise IllegalTransition(f"period {period.name} changed since {last.actor} signed it off "
                                    f"({last.at:%Y-%m-%d %H:%M} UTC): its {', '.join(moved)} moved; "
                                    "the preparer must sign it off again")
        carried = carried_forward(s, period.name)
        uncarried = [k for k in snap.open_critical_keys if k not in carried]
        if uncarried:
            raise IllegalTransition(f"period {period.name} has {len(uncarried)} open critical item(s) not carried "
                                    f"forward (first: {uncarried[0]}); resolve them or carry each forward with a "
                                    f"reason: workbench close carry-forward --period {period.name} --key KEY "
                                    "--reason \"...\"")
        row = _record(s, period, "certify", user, note, snap)
        period.state, period.version = PeriodState.CERTIFIED, period.version + 1
        return row


def reopen(store: Store, name: str, user: str, reason: str) -> PeriodSignoff:
    """Unlock a certified (or signed-off) period, with the reason; its history stays."""
    if not (reason or "").strip():
        raise InputError("reopening a period needs a reason (--reason)")
    with store.session() as s:
        require(s, user, "reopen")
        hold(s, check_name(name))
        period = get_period(s, name)
        if period.state == PeriodState.OPEN:
            raise IllegalTransition(f"period {period.name} is open already")
        row = _record(s, period, "reopen", user, reason.strip(), snapshot(s, period))
        period.state, period.version = PeriodState.OPEN, period.version + 1
        return row
