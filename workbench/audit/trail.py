"""The append-only, hash-chained audit trail.

Each event's hash is SHA-256 over the previous event's hash and the event's own
canonical JSON (id, time, actor, action, entity, run, detail). Editing, deleting,
inserting or reordering any event breaks the chain from that point, and
``verify`` names the first event that does not fit.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timezone
from decimal import Decimal
from typing import Any

from sqlalchemy import inspect, select, text
from sqlalchemy.orm import Session

from workbench.store.schema import AuditEvent

GENESIS = "0" * 64


def _canon(v: Any) -> Any:
    if isinstance(v, Decimal):
        return str(v)
    if isinstance(v, datetime):
        return v.astimezone(timezone.utc).isoformat(timespec="microseconds")
    if hasattr(v, "isoformat"):
        return v.isoformat()
    raise TypeError(f"cannot put {type(v).__name__} in an audit event")


def event_hash(prev_hash: str, event_id: int, at: datetime, actor: str, action: str, entity_type: str,
               entity_id: str | None, run_id: int | None, detail: dict[str, Any] | None) -> str:
    body = json.dumps(
        {"id": event_id, "at": _canon(_utc(at)), "actor": actor, "action": action, "entity_type": entity_type,
         "entity_id": entity_id, "run_id": run_id, "detail": detail},
        sort_keys=True, default=_canon, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256((prev_hash + body).encode("utf-8")).hexdigest()


def _utc(at: datetime) -> datetime:
    # SQLite hands back naive datetimes; every time in the store is UTC.
    return at.replace(tzinfo=timezone.utc) if at.tzinfo is None else at.astimezone(timezone.utc)


def _lock_chain(session: Session) -> None:
    """Serialize appends so two writers never chain onto the same predecessor."""
    if session.bind.dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(727274)"))
    # SQLite: the first write of the transaction takes the database write lock.


def _tail(session: Session) -> tuple[int, str]:
    """(id, hash) of the chain's last event, as this transaction sees it.

    The first append of a transaction takes the chain lock and reads the tail from the
    database; later appends in the same transaction chain onto the event appended last,
    so a bulk action of thousands of events costs one read, not one per event.
    """
    cached = session.info.get("audit_tail")
    txn = session.get_transaction()
    if cached is not None and cached[0] is txn:
        ev = cached[1]
        state = inspect(ev)
        if state.persistent or state.pending:  # not undone by a rolled-back savepoint
            return ev.id, ev.hash
    _lock_chain(session)
    last = session.execute(select(AuditEvent.id, AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1)).first()
    return (last.id, last.hash) if last else (0, GENESIS)


def append(session: Session, *, actor: str, action: str, entity_type: str, entity_id: object = None,
           run_id: int | None = None, detail: dict[str, Any] | None = None,
           at: datetime | None = None) -> AuditEvent:
    """Append one event in the caller's transaction (so it commits or rolls back with the change)."""
    last_id, prev_hash = _tail(session)
    next_id = last_id + 1
    at = _utc(at or datetime.now(timezone.utc))
    # Round-trip detail through JSON so the hash is computed over exactly what is stored.
    detail = json.loads(json.dumps(detail, default=_canon)) if detail is not None else None
    eid = None if entity_id is None else str(entity_id)
    ev = AuditEvent(id=next_id, at=at, actor=actor, action=action, entity_type=entity_type, entity_id=eid,
                    run_id=run_id, detail=detail, prev_hash=prev_hash,
                    hash=event_hash(prev_hash, next_id, at, actor, action, entity_type, eid, run_id, detail))
    session.add(ev)
    session.info["audit_tail"] = (session.get_transaction(), ev)
    return ev


@dataclass
class VerifyResult:
    ok: bool
    checked: int
    first_bad_id: int | None = None
    reason: str = ""


def verify(session: Session) -> VerifyResult:
    """Walk the chain in id order; report the first event that was edited, removed, inserted or moved."""
    prev_hash, expected_id, n = GENESIS, 1, 0
    rows = session.execute(select(AuditEvent).order_by(AuditEvent.id)).scalars()
    for ev in rows:
        n += 1
        if ev.id != expected_id:
            return VerifyResult(False, n, ev.id, f"event {expected_id} is missing (found {ev.id} next): "
                                                  "an event was deleted or ids were renumbered")
        if ev.prev_hash != prev_hash:
            return VerifyResult(False, n, ev.id, f"event {ev.id} does not follow event {ev.id - 1}: "
                                                  "events were inserted, deleted or reordered")
        recomputed = event_hash(prev_hash, ev.id, ev.at, ev.actor, ev.action, ev.entity_type, ev.entity_id,
                                ev.run_id, ev.detail)
        if recomputed != ev.hash:
            return VerifyResult(False, n, ev.id, f"event {ev.id} ({ev.action} by {ev.actor}) was altered "
                                                  "after it was written: its content does not match its hash")
        prev_hash, expected_id = ev.hash, ev.id + 1
    return VerifyResult(True, n)


def change_counter(session: Session) -> int:
    """A number that grows with every change anyone makes (every change writes an event)."""
    return session.execute(select(AuditEvent.id).order_by(AuditEvent.id.desc()).limit(1)).scalar() or 0
