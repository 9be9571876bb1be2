"""What must hold before a correction is sent, beyond its approval being in the trail
(``workbench.corrections.proof``):

* the trail that proves the approval is the genuine one: every event from the oldest
  proposal still waiting to the chain's head recomputes to its hash, follows the one before,
  and the head is the one the anchor records (``trail_refusal``). A store edited by SQL — a
  new value changed after approval together with its events, re-chained — is refused whole;
* whoever approved may still approve: a user deactivated (or no longer an approver) since
  does not stand behind the value any more (``standing_refusals``);
* its exception is still unsettled: one resolved (by hand: "fixed at the source") or waived
  since the approval needs no write any more; the correction is waived, not sent
  (``settled_refusals``);
* no other correction still intends to change the same field of the same record
  (``duplicate_refusals``): of two, only the older may be sent, so one push never writes both.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import func, select, text, update
from sqlalchemy.orm import Session

from workbench.corrections import lifecycle
from workbench.corrections.values import field_changes
from workbench.close.lock import PeriodLocked
from workbench.errors import StaleState, WorkbenchError
from workbench.model.ids import InvalidSalesforceId, to_18
from workbench.model.states import CorrectionState, ExceptionStatus
from workbench.store import anchor, trail
from workbench.store.advisory import CHAIN_LOCK
from workbench.store.chunks import chunks
from workbench.store.db import Store
from workbench.store.schema import AuditAnchor, AuditEvent, Correction, ExceptionRow
from workbench.team.users import ACTIONS, find_user, open_mode, require, roles_of

HELD = "correction.held"
# states a push may still write from: their approval must stand on an intact trail (a dead letter
# only once replayed, when it is queued: an old one does not lengthen every push's walk)
SENDABLE = (CorrectionState.APPROVED, CorrectionState.QUEUED, CorrectionState.PUSHING)


# ---------------------------------------------------------------- the trail itself


class TrailBroken(WorkbenchError):
    """The audit trail does not hold: no approval in it can be trusted, so nothing is pushed."""


def trail_refusal(store: Store, ids: list[int] | None = None, states: Iterable[str] = SENDABLE) -> str | None:
    """Why nothing may be pushed from this store (None when the trail holds): the events from
    the oldest proposal among the corrections a push may send up to the head are walked and
    re-hashed, and the head compared with the anchor. Earlier events prove nothing sent now.

    Two steps, so other writers wait only for the second: the bulk of the walk reads without a
    lock; then, with chaining held still, the events committed meanwhile are walked and the head
    compared with the anchor row and this computer's anchor file (which a writer updates after
    its commit: read under the lock, it never runs ahead of the trail read)."""
    with store.session() as s:
        first = _first_event(s, ids, states)
        if first is None:
            return None
        walked = _walk(s, first, None)
    if isinstance(walked, str):
        return walked
    last, prev = walked
    with store.session() as s:
        _hold_chaining(s)
        tail = _walk(s, last + 1, prev)
        if isinstance(tail, str):
            return tail
        last, prev = tail
        problems = anchor.check(s, store.engine.url, last, prev).problems
        if not problems and (held := tamper_refusal(s)):
            problems = [held]
    return problems[0] if problems else None


# ---------------------------------------------------------------- a trail known to have been tampered with

ACKNOWLEDGED = "trail.anchor_mismatch_acknowledged"


def unacknowledged_mismatches(session: Session) -> list[int]:
    """The ``trail.anchor_mismatch`` events (a writer found the trail changed outside the workbench) that no
    approver or admin has acknowledged yet. Once recorded, the anchor moves on and the chain verifies again,
    so without this the next push went ahead as if nothing had happened."""
    rows = session.execute(select(AuditEvent.id, AuditEvent.action, AuditEvent.detail).where(
        AuditEvent.entity_type == "audit_trail", AuditEvent.action.in_([anchor.MISMATCH, ACKNOWLEDGED]))).all()
    seen = {int(i) for i, action, _ in rows if action == anchor.MISMATCH}
    acknowledged = {int(n) for _, action, detail in rows if action == ACKNOWLEDGED
                    for n in (detail or {}).get("acknowledges") or [] if isinstance(n, int)}
    return sorted(seen - acknowledged)


def tamper_refusal(session: Session) -> str | None:
    """Why nothing may be written to the systems (None when every recorded tampering was acknowledged): the
    trail was changed outside the workbench, and until someone who may approve has looked and said so in the
    trail, no approval in it is taken at its word. A write that would record a new mismatch counts too."""
    found = unacknowledged_mismatches(session)
    pending = anchor.mismatch(session)  # the next commit would record one: the trail moved since the last write
    if not found and pending is None:
        return None
    what = (f"event{'s' if len(found) > 1 else ''} {', '.join(map(str, found))} of the audit trail record"
            f"{'' if len(found) > 1 else 's'} that it was changed outside the workbench" if found else
            f"the audit trail ends at event {pending['trail_events'] if pending else '?'} where its anchor records "
            f"event {pending['anchor_events'] if pending else '?'}: it was changed outside the workbench")
    return (f"{what}, and no approver or admin has acknowledged it; nothing is written to the systems until one "
            f"does, having checked the trail: workbench audit verify, then workbench audit acknowledge --reason TEXT")


def acknowledge_tamper(session: Session, user: str, reason: str, events: list[int] | None = None) -> list[int]:
    """Record, in the trail, that ``user`` (an approver or admin) has seen the recorded tampering ``events``
    (default: every one not yet acknowledged) and why pushing may go on; returns the events acknowledged.
    Only events recorded before this acknowledgement are covered: a tampering found by this very write is
    recorded first, unacknowledged, and holds pushes still."""
    require(session, user, "approve")
    why = " ".join((reason or "").split())
    if not why:
        raise WorkbenchError("an acknowledgement needs a reason: what was checked, and why corrections may be "
                             "written again (--reason TEXT)")
    open_ = unacknowledged_mismatches(session)
    if not open_:
        raise WorkbenchError("nothing to acknowledge: no recorded change of the audit trail outside the workbench "
                             "is waiting for one")
    chosen = open_ if not events else sorted(set(events))
    unknown = [n for n in chosen if n not in open_]
    if unknown:
        raise WorkbenchError(f"event {unknown[0]} is not a recorded change of the audit trail waiting to be "
                             f"acknowledged (waiting: {', '.join(map(str, open_))})")
    trail.append(session, actor=user, action=ACKNOWLEDGED, entity_type="audit_trail", entity_id=None,
                 detail={"acknowledges": chosen, "reason": why, "roles": sorted(roles_of(session, user))})
    return chosen


def _hold_chaining(session: Session) -> None:
    """Keep other writers from chaining until this transaction ends."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text(f"SELECT pg_advisory_xact_lock({CHAIN_LOCK})"))
    else:  # SQLite: an UPDATE, even of no row, takes the database's write lock for the transaction
        session.execute(update(AuditAnchor).where(AuditAnchor.id == -1).values(events=AuditAnchor.events))


def _first_event(session: Session, ids: list[int] | None, states: Iterable[str]) -> int | None:
    """The first event of the corrections a push may send (None: nothing to send, or no event:
    each of those is refused by its own missing approval)."""
    pending = select(Correction.id).where(Correction.state.in_(list(states)))
    if ids:
        pending = pending.where(Correction.id.in_(ids))
    keys = [str(i) for i in session.execute(pending).scalars()]
    first: int | None = None
    for part in chunks(keys):
        low = session.execute(select(func.min(AuditEvent.id)).where(
            AuditEvent.entity_type == "correction", AuditEvent.entity_id.in_(part))).scalar()
        if low is not None and (first is None or low < first):
            first = low
    return first


def _walk(session: Session, first: int, prev: str | None) -> tuple[int, str] | str:
    """Walk events from ``first`` on (``prev``: the hash event ``first - 1`` had, if known; ``trail.verify``):
    the last event and its hash, or why the trail does not hold."""
    walked = trail.verify(session, first, prev)
    if not walked.ok:
        return walked.reason
    if walked.last is not None:
        return walked.last
    if prev is None:
        return f"event {first} of the audit trail is missing: events were deleted"
    # nothing new since the first step; the last hash walked still stands
    if session.execute(select(AuditEvent.hash).where(AuditEvent.id == first - 1)).scalar() != prev:
        return f"event {first - 1} of the audit trail changed while it was being checked"
    return first - 1, prev


# ---------------------------------------------------------------- the approver's standing


def _lapsed(session: Session, approver: str | None) -> str | None:
    """Why ``approver`` no longer stands behind an approval (None while they may approve)."""
    if not approver or open_mode(session):
        return None  # no approval: proof refuses it; open mode: everyone approves
    if roles_of(session, approver) & ACTIONS["approve"]:
        return None
    u = find_user(session, approver)
    if u is None:
        return f"its approver {approver} is no longer a workbench user"
    if not u.active:
        return f"its approver {u.name} has since been deactivated"
    return f"its approver {u.name} may no longer approve (roles now: {u.roles or 'none'})"


def lapsed_approval(session: Session, c: Correction) -> str | None:
    return _lapsed(session, c.approver)


def standing_refusals(session: Session, rows: Iterable[Correction], *, actor: str, hold: bool = True
                      ) -> dict[int, str]:
    """Corrections whose approver can no longer approve: not sent, left in their state, the
    reason recorded once in the trail (``correction.held``; not with ``hold=False``) and shown as
    their state's reason until a current approver approves them again."""
    out: dict[int, str] = {}
    if open_mode(session):
        return out  # everyone approves: nobody's standing can lapse
    standing: dict[str | None, str | None] = {}  # per approver: a batch holds many of one approver's
    for c in rows:
        if c.approver not in standing:
            standing[c.approver] = lapsed_approval(session, c)
        why = standing[c.approver]
        if why is None:
            continue
        reason = (f"correction {c.id} not pushed: {why}; an active approver must approve it again "
                  f"(workbench corrections approve {c.id})")
        out[c.id] = reason
        if hold:
            _hold(session, c, actor, reason)
    return out


def _hold(session: Session, c: Correction, actor: str, reason: str) -> None:
    last = session.execute(select(AuditEvent.action, AuditEvent.detail).where(
        AuditEvent.entity_type == "correction", AuditEvent.entity_id == str(c.id))
        .order_by(AuditEvent.id.desc()).limit(1)).first()
    if last is not None and last.action == HELD and (last.detail or {}).get("reason") == reason:
        return  # said already; every later push would only repeat it
    trail.append(session, actor=actor, action=HELD, entity_type="correction", entity_id=c.id, run_id=c.run_id,
                 detail={"state_before": c.state, "state_after": c.state, "reason": reason,
                         "exception_id": c.exception_id, "approver": c.approver,
                         "target": {"side": c.target_side, "system": c.target_system, "object": c.target_object,
                                    "record": c.target_record, "field": c.field},
                         "before": c.from_value, "after": c.to_value, "seen_version": c.seen_version,
                         "idempotency_key": c.idempotency_key, "version": c.version,
                         **lifecycle.also_detail(c)})


# ---------------------------------------------------------------- one field, one correction


def record_key(system: str, record: str) -> str:
    """One record however its id is written: a Salesforce id in its 18-character form (a report's
    CSV export gives 15 characters, the API 18)."""
    if system == "salesforce":
        try:
            return to_18(record)
        except (InvalidSalesforceId, ValueError):
            pass
    return record.strip()


def _forms(system: str, record: str) -> set[str]:
    """The ids a stored correction of this record may carry."""
    key = record_key(system, record)
    return {record, key, key[:15]} if system == "salesforce" and len(key) == 18 else {record, key}


def target_fields(c: Correction) -> set[str]:
    return {f_ for f_, _, _ in field_changes(c)}


def same_target(session: Session, c: Correction, fields: set[str], *, exclude: int | None = None
                ) -> list[Correction]:
    """The active corrections (oldest first) that change one of ``fields`` of ``c``'s record."""
    q = (select(Correction).where(Correction.target_side == c.target_side,
                                  Correction.target_system == c.target_system,
                                  Correction.target_object == c.target_object,
                                  Correction.target_record.in_(sorted(_forms(c.target_system, c.target_record))),
                                  Correction.state.in_(lifecycle.ACTIVE)).order_by(Correction.id))
    if exclude is not None:
        q = q.where(Correction.id != exclude)
    return [o for o in session.execute(q).scalars() if target_fields(o) & fields]


def _key(c: Correction) -> tuple[str, str, str, str]:
    return (c.target_side, c.target_system, c.target_object, record_key(c.target_system, c.target_record))


def duplicate_refusals(session: Session, rows: Iterable[Correction]) -> dict[int, str]:
    """A correction is not sent while an older active one changes the same field of the same
    record: of two such, one push would otherwise write both, the later over the earlier."""
    rows = list(rows)
    active: dict[tuple[str, str, str, str], list[Correction]] = {}
    records = sorted({r for c in rows for r in _forms(c.target_system, c.target_record)})
    for part in chunks(records):  # one query per chunk of records, not one per correction
        q = select(Correction).where(Correction.target_record.in_(part), Correction.state.in_(lifecycle.ACTIVE))
        for o in session.execute(q.order_by(Correction.id)).scalars():
            active.setdefault(_key(o), []).append(o)
    out: dict[int, str] = {}
    for c in rows:
        mine = target_fields(c)
        older = [o for o in active.get(_key(c), []) if o.id < c.id and target_fields(o) & mine]
        if older:
            o = older[0]
            f_ = sorted(target_fields(o) & target_fields(c))[0]
            out[c.id] = (f"correction {c.id} not pushed: correction {o.id} ({o.state}) already changes "
                         f"{c.target_side.upper()} {c.target_object} {c.target_record} field '{f_}'; "
                         f"waive the exception of one of them "
                         f"({', '.join(str(e) for e in sorted({c.exception_id, o.exception_id}, key=str))})")
    return out


# ---------------------------------------------------------------- the exception it corrects


_SETTLED = (ExceptionStatus.RESOLVED, ExceptionStatus.WAIVED)


def _settled(session: Session, exception_ids: set[int]) -> dict[int, str]:
    """Of ``exception_ids``, those settled, and how: resolved or waived themselves, or their latest
    copy in a later run (the same difference found again: a waiver given on the latest run's
    finding is the controller's word on the difference, whichever run's correction would write)."""
    latest: dict[int, tuple[int, int, str, str | None]] = {}  # own id -> the latest copy's (run, id, status, why)
    for part in chunks(sorted(exception_ids)):
        own = {i: (run, key) for i, run, key in session.execute(
            select(ExceptionRow.id, ExceptionRow.run_id, ExceptionRow.key).where(ExceptionRow.id.in_(part)))}
        keys = sorted({key for _, key in own.values()})
        copies: dict[str, list[tuple[int, int, str, str | None]]] = {}
        for sub in chunks(keys):
            q = select(ExceptionRow.key, ExceptionRow.run_id, ExceptionRow.id, ExceptionRow.status,
                       ExceptionRow.resolution).where(ExceptionRow.key.in_(sub))
            for key, run, i, status, why in session.execute(q):
                copies.setdefault(key, []).append((run or 0, i, status, why))
        for i, (run, key) in own.items():
            later = [x for x in copies.get(key, []) if x[0] > (run or 0) or x[1] == i]
            latest[i] = max(later)
    out: dict[int, str] = {}
    for i, (run, copy, status, why) in latest.items():
        if status in _SETTLED:
            where = f"its exception {i}" if copy == i else f"exception {copy} (the same difference in run {run})"
            out[i] = f"{where} was {status} meanwhile" + (f" ({why})" if why else "")
    return out


def settled_refusals(session: Session, rows: Iterable[Correction], *, actor: str, waive: bool = True
                     ) -> dict[int, str]:
    """Corrections whose exception was resolved or waived after they were approved: the difference
    they were to fix is settled, so writing now would change a value nobody disputes. Each is
    waived with the resolution as its reason (in a certified period it only waits, as all do)."""
    rows = list(rows)
    settled = _settled(session, {c.exception_id for c in rows if c.exception_id is not None})
    out: dict[int, str] = {}
    for c in rows:
        if c.exception_id not in settled:
            continue
        why = settled[c.exception_id]
        if not waive:
            out[c.id] = f"correction {c.id} not pushed: {why}"
            continue
        out[c.id] = f"correction {c.id} not pushed: {why}; the correction is waived"
        try:
            with session.begin_nested():  # a locked period refuses the waiver alone, not the whole push
                lifecycle.transition(session, c, CorrectionState.WAIVED, actor=actor, reason=f"not pushed: {why}")
        except PeriodLocked:
            out[c.id] = f"correction {c.id} not pushed: {why}"
        except StaleState:
            continue  # moved by someone else meanwhile (waived, pushed): not ours to decide
    return out
