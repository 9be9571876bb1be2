"""What the audit trail proves about the close: each period's state, its sign-off history, carried-forward
items, FX table and thresholds, compared with the tables (for ``workbench audit verify``).

Every close action writes an event carrying what it wrote (``period.signoff|certify|reopen``: the
record's id, the state before, the reason, the snapshot's SHA-256 and the trail head it saw;
``period.carry_forward``; ``period.rates``: currency, source and rates; ``period.materiality``: the
thresholds after). Replaying them gives what the close tables must hold: a period set back to open by
SQL (its lock undone without a reopening), a sign-off's actor or snapshot rewritten, a carried-forward
item added outside the workbench (it would let a certification through), or a rate edited after the
certification are each named.
"""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from workbench.close.periods import PeriodState
from workbench.store.schema import AuditEvent, CarryForward, FxRate, Period, PeriodSignoff

_STATE_AFTER = {"period.signoff": PeriodState.SIGNED_OFF, "period.certify": PeriodState.CERTIFIED,
                "period.reopen": PeriodState.OPEN}


def _digest(snapshot: dict[str, Any] | None) -> str | None:
    if snapshot is None:
        return None
    return hashlib.sha256(json.dumps(snapshot, sort_keys=True, separators=(",", ":")).encode("utf-8")).hexdigest()


def _number(text: object) -> Decimal | None:
    try:
        return Decimal(str(text))
    except (InvalidOperation, ValueError):
        return None


def check_close(session: Session) -> list[str]:
    """Every period's close records against the trail; one line per disagreement."""
    events: dict[str, list[AuditEvent]] = {}
    for ev in session.execute(select(AuditEvent).where(AuditEvent.entity_type == "period")
                              .order_by(AuditEvent.id)).scalars():
        events.setdefault(str(ev.entity_id), []).append(ev)
    seen_at = {c for evs in events.values() for ev in evs if isinstance(c := (ev.detail or {}).get("trail_count"), int)}
    hashes: dict[int, str] = {int(i): str(h) for i, h in session.execute(  # the heads the sign-offs saw, only
        select(AuditEvent.id, AuditEvent.hash).where(AuditEvent.id.in_(sorted(seen_at))))} if seen_at else {}
    periods = {p.name: p for p in session.execute(select(Period)).scalars()}
    records: dict[str, list[PeriodSignoff]] = {}
    for r in session.execute(select(PeriodSignoff).order_by(PeriodSignoff.id)).scalars():
        records.setdefault(r.period, []).append(r)
    carried: dict[str, list[CarryForward]] = {}
    for c in session.execute(select(CarryForward).order_by(CarryForward.id)).scalars():
        carried.setdefault(c.period, []).append(c)
    rates: dict[str, dict[str, Decimal]] = {}
    for fx in session.execute(select(FxRate)).scalars():
        rates.setdefault(fx.period, {})[fx.currency] = fx.rate
    out: list[str] = []
    for name in sorted(set(events) | set(periods) | set(records) | set(carried) | set(rates)):
        evs = events.get(name, [])
        where = f"period {name}:"
        period = periods.get(name)
        out.extend(_history(where, period, evs, records.get(name, []), hashes))
        out.extend(_carried(where, evs, carried.get(name, [])))
        out.extend(_settings(where, period, evs, rates.get(name, {})))
    return out


def _history(where: str, period: Period | None, evs: list[AuditEvent], rows: list[PeriodSignoff],
             hashes: dict[int, str]) -> list[str]:
    out: list[str] = []
    state, last = str(PeriodState.OPEN), None
    by_id = {r.id: r for r in rows}
    seen: set[int] = set()
    for ev in evs:
        if ev.action not in _STATE_AFTER:
            continue
        d = ev.detail or {}
        if d.get("state_before") is not None and d["state_before"] != state:
            had = f"the trail had it {state}" + (f" (event {last})" if last else "")
            out.append(f"{where} event {ev.id} ({ev.action} by {ev.actor}) starts from {d['state_before']} but {had}: "
                       "its state was changed without an event in between")
        state, last = str(_STATE_AFTER[ev.action]), ev.id
        row = by_id.get(int(d.get("signoff_id") or 0))
        if row is None:
            out.append(f"{where} {ev.action.removeprefix('period.')} record {d.get('signoff_id')} of event {ev.id} is "
                       "missing from the table: it was deleted")
            continue
        seen.add(row.id)
        said = {"action": ev.action.removeprefix("period."), "actor": ev.actor, "reason": d.get("reason"),
                "snapshot hash": d.get("snapshot_sha256"), "trail count": d.get("trail_count"),
                "trail head": d.get("trail_head")}
        held = {"action": row.action, "actor": row.actor, "reason": row.reason, "snapshot hash": row.snapshot_hash,
                "trail count": row.trail_count, "trail head": row.trail_head}
        for what, value in held.items():
            if value != said[what]:
                out.append(f"{where} {row.action} record {row.id} says {what} {value!r}, the trail proves "
                           f"{said[what]!r} (event {ev.id})")
        if row.snapshot_hash is not None and _digest(row.snapshot) != row.snapshot_hash:
            out.append(f"{where} {row.action} record {row.id}: its frozen snapshot no longer has its SHA-256 "
                       f"{row.snapshot_hash}: the snapshot was edited")
        count = d.get("trail_count")
        if isinstance(count, int) and count > 0 and hashes.get(count) != d.get("trail_head"):
            out.append(f"{where} {row.action} record {row.id} saw the trail at event {count} with hash "
                       f"{d.get('trail_head')}, which the trail no longer holds")
    for row in rows:
        if row.id not in seen:
            out.append(f"{where} {row.action} record {row.id} by {row.actor} has no event in the audit trail: it was "
                       "added outside the workbench")
    now = str(period.state) if period is not None else str(PeriodState.OPEN)
    if now != state:
        by = f" (event {last})" if last else " (no close event)"
        out.append(f"{where} the table says {now}, the trail proves {state}{by}")
    return out


def _carried(where: str, evs: list[AuditEvent], rows: list[CarryForward]) -> list[str]:
    proven = {str((ev.detail or {}).get("exception_key")): ev for ev in evs if ev.action == "period.carry_forward"}
    out: list[str] = []
    for row in rows:
        ev = proven.pop(row.exception_key, None)
        if ev is None:
            out.append(f"{where} carried-forward item {row.exception_key!r} has no event in the audit trail: it was "
                       "added outside the workbench")
        elif (row.actor, row.reason) != (ev.actor, (ev.detail or {}).get("reason")):
            out.append(f"{where} carried-forward item {row.exception_key!r} says {row.actor}: {row.reason!r}, the "
                       f"trail proves {ev.actor}: {(ev.detail or {}).get('reason')!r} (event {ev.id})")
    out.extend(f"{where} carried-forward item {key!r} (event {ev.id}) is missing from the table: it was deleted"
               for key, ev in proven.items())
    return out


def _settings(where: str, period: Period | None, evs: list[AuditEvent], table: dict[str, Decimal]) -> list[str]:
    out: list[str] = []
    loaded = [ev for ev in evs if ev.action == "period.rates"]
    if loaded:
        d = loaded[-1].detail or {}
        cur = d.get("reporting_currency")
        proven = {str(c): _number(r) for c, r in (d.get("rates") or {}).items()}
        if cur:
            proven[str(cur)] = Decimal(1)
        held = (period.reporting_currency, period.fx_source) if period is not None else (None, None)
        if held != (cur, d.get("source")):
            out.append(f"{where} the table says reporting currency {held[0]!r} from {held[1]!r}, the trail proves "
                       f"{cur!r} from {d.get('source')!r} (event {loaded[-1].id})")
        for c in sorted(set(proven) | set(table)):
            if table.get(c) != proven.get(c):
                out.append(f"{where} the FX table says {c} {table.get(c)}, the trail proves {proven.get(c)} "
                           f"(event {loaded[-1].id}): the rate was changed without an event")
    elif table:
        out.append(f"{where} its FX table has no event in the audit trail: it was loaded outside the workbench")
    thresholds = [ev for ev in evs if ev.action == "period.materiality"]
    held_m = period.materiality if period is not None else None
    proven_m = (thresholds[-1].detail or {}).get("after") if thresholds else None
    if held_m != proven_m:
        by = f"(event {thresholds[-1].id})" if thresholds else "(no event set them)"
        out.append(f"{where} the table says materiality {held_m}, the trail proves {proven_m} {by}")
    return out
