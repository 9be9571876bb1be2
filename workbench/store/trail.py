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
from datetime import datetime, UTC
from decimal import Decimal
from typing import Any

from sqlalchemy import event, false, select, text, update
from sqlalchemy.orm import Session, SessionTransaction

from workbench.store import anchor
from workbench.store.advisory import CHAIN_LOCK
from workbench.store.schema import AuditAnchor, AuditEvent

GENESIS = "0" * 64


def _canon(v: Any) -> Any:
    if isinstance(v, Decimal):
        return str(v)
    if isinstance(v, datetime):
        return v.astimezone(UTC).isoformat(timespec="microseconds")
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
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)


def _lock_chain(session: Session) -> None:
    """Serialize chaining so two writers never chain onto the same predecessor."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text(f"SELECT pg_advisory_xact_lock({CHAIN_LOCK})"))
        return
    # SQLite: take the database write lock before the head is read. A transaction whose first write is its
    # event (or whose changes are not flushed yet) holds no lock here: pysqlite begins the transaction at the
    # first INSERT/UPDATE/DELETE, so two processes read the same head, and the second's event then collides
    # with the first's id (IntegrityError: the change was lost). A write statement takes the lock even when it
    # matches no row; the busy timeout makes the second writer wait for the first's commit.
    session.execute(update(AuditAnchor).where(false()).values(events=AuditAnchor.events)
                    .execution_options(synchronize_session=False))


_PENDING = "audit_pending"
_HEAD = "audit_head"  # (events, head hash) chained by the transaction now committing


def append(session: Session, *, actor: str, action: str, entity_type: str, entity_id: object = None,
           run_id: int | None = None, detail: dict[str, Any] | None = None,
           at: datetime | None = None) -> AuditEvent:
    """Record one event in the caller's transaction (so it commits or rolls back with the change).

    The event gets its place in the chain (id, previous hash, hash) when the transaction
    commits: the chain lock is then the last lock any writer takes and is held only for
    the commit. Taking it at the first append instead made writers queue behind each
    other's whole transactions, and deadlock against writers that lock a row first.
    """
    at = _utc(at or datetime.now(UTC))
    # Round-trip detail through JSON so the hash is computed over exactly what is stored.
    detail = json.loads(json.dumps(detail, default=_canon)) if detail is not None else None
    ev = AuditEvent(at=at, actor=actor, action=action, entity_type=entity_type,
                    entity_id=None if entity_id is None else str(entity_id), run_id=run_id, detail=detail)
    owner = session.get_nested_transaction() or session.get_transaction()
    session.info.setdefault(_PENDING, []).append((owner, ev))
    return ev


@event.listens_for(Session, "before_commit")
def _chain_pending(session: Session) -> None:
    pending = session.info.pop(_PENDING, None)
    if not pending:
        return
    _lock_chain(session)
    if (found := anchor.mismatch(session)) is not None:  # kept in the chain before this write moves the anchor
        pending.insert(0, (None, AuditEvent(at=_utc(datetime.now(UTC)), actor="workbench", action=anchor.MISMATCH,
                                            entity_type="audit_trail", entity_id=None, run_id=None, detail=found)))
    last = session.execute(select(AuditEvent.id, AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1)).first()
    next_id, prev_hash = ((last.id, last.hash) if last else (0, GENESIS))
    for _, ev in pending:
        next_id += 1
        ev.id, ev.prev_hash = next_id, prev_hash
        ev.hash = prev_hash = event_hash(prev_hash, ev.id, ev.at, ev.actor, ev.action, ev.entity_type,
                                         ev.entity_id, ev.run_id, ev.detail)
    session.add_all([ev for _, ev in pending])
    anchor.record(session, next_id, prev_hash)
    session.info[_HEAD] = (next_id, prev_hash)


@event.listens_for(Session, "after_commit")
def _remember_head(session: Session) -> None:
    head_ = session.info.pop(_HEAD, None)
    if head_ is not None and session.bind is not None:
        anchor.write_local(session.bind.engine.url, *head_)  # an Engine's .engine is itself


@event.listens_for(Session, "after_rollback")
def _forget_head(session: Session) -> None:
    session.info.pop(_HEAD, None)


@event.listens_for(Session, "after_soft_rollback")
def _drop_rolled_back(session: Session, previous_transaction: SessionTransaction) -> None:
    """Events of a rolled-back transaction or savepoint never reach the chain."""
    pending = session.info.get(_PENDING)
    if not pending:
        return

    def undone(txn: SessionTransaction | None) -> bool:
        while txn is not None:
            if txn is previous_transaction:
                return True
            txn = txn.parent
        return False

    kept = [(owner, ev) for owner, ev in pending if not undone(owner)]
    if kept:
        session.info[_PENDING] = kept
    else:
        session.info.pop(_PENDING, None)


@dataclass
class VerifyResult:
    ok: bool
    checked: int
    first_bad_id: int | None = None
    reason: str = ""
    last: tuple[int, str] | None = None  # the last event walked and its hash, where the walk held


def verify(session: Session, first: int = 1, prev_hash: str | None = GENESIS) -> VerifyResult:
    """Walk the chain in id order from event ``first`` (``prev_hash``: the hash event ``first - 1`` has, or None
    where the caller does not know it: the first event's link is then not checked); report the first event that
    was edited, removed, inserted or moved."""
    expected_id, n, last = first, 0, None
    rows = session.execute(select(AuditEvent).where(AuditEvent.id >= first).order_by(AuditEvent.id)
                           .execution_options(yield_per=1000)).scalars()
    for ev in rows:
        n += 1
        if ev.id != expected_id:
            return VerifyResult(False, n, ev.id, f"event {expected_id} is missing (found {ev.id} next): "
                                                  "an event was deleted or ids were renumbered")
        if prev_hash is not None and ev.prev_hash != prev_hash:
            return VerifyResult(False, n, ev.id, f"event {ev.id} does not follow event {ev.id - 1}: "
                                                  "events were inserted, deleted or reordered")
        recomputed = event_hash(ev.prev_hash, ev.id, ev.at, ev.actor, ev.action, ev.entity_type, ev.entity_id,
                                ev.run_id, ev.detail)
        if recomputed != ev.hash:
            return VerifyResult(False, n, ev.id, f"event {ev.id} ({ev.action} by {ev.actor}) was altered "
                                                  "after it was written: its content does not match its hash")
        prev_hash, expected_id, last = ev.hash, ev.id + 1, (ev.id, ev.hash)
    return VerifyResult(True, n, last=last)


def head(session: Session) -> tuple[int, str]:
    """The chain's head: how many events it holds and the last one's hash (ids run 1, 2, 3...,
    so the count is the last id). Publish both (a workbook, a sign-off) and a later cut or
    re-chained trail no longer contains that event with that hash."""
    last = session.execute(select(AuditEvent.id, AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1)).first()
    return (int(last.id), str(last.hash)) if last else (0, GENESIS)


def change_counter(session: Session) -> int:
    """A number that grows with every change anyone makes (every change writes an event)."""
    return session.execute(select(AuditEvent.id).order_by(AuditEvent.id.desc()).limit(1)).scalar() or 0
