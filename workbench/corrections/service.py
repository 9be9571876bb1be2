"""Corrections: propose, approve, reject, waive, push, replay — the one way in for the CLI,
the app and library users alike.

Every function opens its own transaction on ``store`` (a ``workbench.store.db.Store``),
checks the user's role through ``workbench.team.users.require``, refuses illegal steps
with a one-line ``IllegalTransition`` / ``PermissionDenied`` / ``StaleState`` /
``InputError``, and writes one audit event per correction changed (bulk approval
included) in the same transaction as the change, so nothing changes without a trace.

Exceptions' ``status`` moves with their corrections: ``in_review`` once a correction is
proposed, back to ``open`` when it is rejected, ``waived`` when waived, and after a push
``resolved`` only when both systems now agree (else ``reopened`` with the reason).
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeVarTuple

import pandas as pd
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from workbench.store import trail
from workbench.config import RunConfig
from workbench.close.lock import ensure_open
from workbench.corrections import lifecycle, read_only
from workbench.corrections.exception_status import set_exception_status
from workbench.corrections.outbox.guards import lapsed_approval, same_target
from workbench.corrections.outbox.push import Backoff, PushReport
from workbench.corrections.values import (canonical_kind, check_amount, check_shown_as_written, display,
                                         field_changes, parse_value)
from workbench.errors import IllegalTransition, InputError, PermissionDenied, StaleState
from workbench.team.concurrency import last_changed_by
from workbench.store.chunks import chunks
from workbench.store.repo import carried_copies
from workbench.model.changes import ChangedIds, Changes, NewId
from workbench.store.db import Store
from workbench.store.schema import AuditEvent, Correction, ExceptionRow, Run
from workbench.team.identity import same_person
from workbench.team.users import require
from workbench.progress import TaskState
from workbench.model.states import UNSETTLED, CorrectionState, ExceptionStatus

_Row = TypeVarTuple("_Row")

# exception statuses from which a new correction may be proposed
PROPOSABLE = UNSETTLED

LIST_COLUMNS = ["id", "exception_id", "run_id", "exception_type", "customer_name", "target_side", "target_system",
                "target_object", "target_record", "field", "from_value", "to_value", "state", "reason",
                "preparer", "prepared_at", "approver", "approved_at", "attempts", "next_attempt_at",
                "last_error", "response_id", "pushed_at", "verification", "seen_version", "idempotency_key",
                "version", "state_reason", "also"]
# state_reason: why it is in its state (from its latest audit event); also: a compound correction's
# further changes on the same record, [{"field", "from", "to"}] (None for a single field)

FILTERS = ("ids", "state", "run_id", "exception_id", "exception_type", "family", "target_side", "target_system",
           "object", "field", "preparer", "approver", "customer")


def _now() -> datetime:
    return datetime.now(UTC)


# ---------------------------------------------------------------- exceptions' status


def _exception(s: Session, exception_id: int) -> ExceptionRow:
    # Locked and re-read, so a decision is taken on the row as it is now (PostgreSQL row lock;
    # SQLite serializes writers and refuses a write from a stale snapshot).
    exc = s.get(ExceptionRow, int(exception_id), with_for_update=True, populate_existing=True)
    if exc is None:
        raise InputError(f"exception {exception_id} does not exist in this store")
    return exc


def _active_for(s: Session, exception_id: int, exclude: int | None = None) -> list[Correction]:
    q = select(Correction).where(Correction.exception_id == exception_id,
                                 Correction.state.in_(lifecycle.ACTIVE))
    if exclude is not None:
        q = q.where(Correction.id != exclude)
    return list(s.execute(q).scalars())


# ---------------------------------------------------------------- propose


def propose(store: Store, exception_id: int, user: str, *, field: str | None = None, to_value: Any = None,
            reason: str | None = None, target_side: str | None = None, deliver: str | None = None) -> NewId:
    """Propose a correction for an exception; returns the new correction's id.

    Without ``to_value`` the exception's own proposal is used (refused when it needs a
    human decision). With ``to_value`` the user's value is checked against the field's
    type (Decimal for money, YYYY-MM-DD for dates, ISO codes for currencies...).
    ``target_side`` picks the side to change when the exception carries no proposal.
    ``deliver`` is "csv" for a side that cannot be written (files): see corrections.read_only.
    """
    with store.session() as s:
        require(s, user, "prepare")
        exc = _exception(s, exception_id)
        ensure_open(s, run_id=exc.run_id)
        if exc.status not in PROPOSABLE:
            raise IllegalTransition(f"exception {exc.id} is {exc.status}; corrections can only be proposed for "
                                    f"{', '.join(PROPOSABLE)} exceptions")
        prop = dict(exc.proposal or {})
        side = target_side or prop.get("target_side")
        if side not in ("crm", "erp"):
            raise InputError(f"exception {exc.id} has no proposed correction; say which side to change "
                             "(target side crm or erp) and the new value")
        route = read_only.check_route(s, exc.run_id, side, deliver, exception_id=exc.id)
        if prop and target_side and target_side != prop.get("target_side"):
            prop = {}  # the user overrides the engine's choice of side: nothing of its proposal applies
        fld = field or prop.get("field") or exc.field
        if not fld:
            raise InputError(f"exception {exc.id}: which field to change? give a field name")
        obj = prop.get("object") or (exc.crm_object if side == "crm" else exc.erp_object)
        record = prop.get("record_id") or (exc.crm_id if side == "crm" else exc.erp_id)
        if not obj or not record:
            raise InputError(f"exception {exc.id} has no {side.upper()} record to correct "
                             f"(the record is missing on that side)")
        kind = canonical_kind(obj)
        where = f"exception {exc.id}, field '{fld}'"
        same_field = prop.get("field") == fld
        if to_value is None:
            if not prop or not same_field:
                raise InputError(f"{where}: no proposed value to take; give the new value")
            if prop.get("needs_decision"):
                raise InputError(f"{where}: the proposal needs a decision "
                                 f"({prop.get('reason') or 'which value is right'}); give the new value")
            new = parse_value(kind, fld, prop.get("to"), where=where)
        else:
            check_shown_as_written(to_value, where=where)  # typed by hand: the approver must see what is written
            new = parse_value(kind, fld, to_value, where=where)
            check_amount(fld, new, exc.currency, where=where)
        if same_field and "from" in prop:
            old = prop.get("from")
        else:
            old = _side_value(exc, side, fld)
        old = _typed_or_text(kind, fld, old)
        # Taking the engine's value (left blank, or typed as the engine proposed it: the app fills
        # it in) takes its whole fix: the further fields it implies on the same record.
        engine_fix = same_field and not prop.get("needs_decision") and (
            to_value is None or _same(kind, fld, new, _typed_or_text(kind, fld, prop.get("to"))))
        also = _implied(kind, prop, exc.id) if engine_fix else []
        if old is not None and new is not None and _same(kind, fld, old, new) and not also:
            raise InputError(f"{where}: the {side.upper()} record already holds {display(old)}; nothing to change")
        fields = {fld, *(a["field"] for a in also)}
        for other in _active_for(s, exc.id):
            taken = fields & {other.field, *(a.get("field") for a in other.also or [])}
            if taken and other.target_side == side:
                raise IllegalTransition(f"exception {exc.id} already has correction {other.id} ({other.state}) "
                                        f"for {side.upper()} field '{sorted(taken)[0]}'; reject or replay that one "
                                        "instead")
            _check_converges(kind, exc.id, side, {fld: new, **{a["field"]: a["to"] for a in also}}, other)
        run = s.get(Run, exc.run_id) if exc.run_id else None
        system = prop.get("target_system") or _system_of(run, side)
        corr = Correction(exception_id=exc.id, run_id=exc.run_id, target_side=side, target_system=system,
                          target_object=obj, target_record=str(record), field=fld, from_value=old, to_value=new,
                          also=also or None,
                          seen_version=prop.get("version") if same_field else None, state=CorrectionState.PROPOSED,
                          reason=reason or (_engine_words(prop) if same_field else None), preparer=user,
                          prepared_at=_now(), idempotency_key=f"wb-{uuid.uuid4().hex}", attempts=0, version=1)
        # another exception (a later run's copy of this one, another rule) may already be fixing this
        # field of this record: two active corrections of one field would both be pushed, the later
        # over the earlier
        for other in same_target(s, corr, fields):
            taken = sorted(fields & {other.field, *(a.get("field") for a in other.also or [])})[0]
            raise IllegalTransition(f"correction {other.id} ({other.state}, exception {other.exception_id}) already "
                                    f"changes {side.upper()} {obj} {corr.target_record} field '{taken}' to "
                                    f"{display(other.to_value) if taken == other.field else 'a new value'}; "
                                    "reject or waive that one first")
        s.add(corr)
        s.flush()
        trail.append(s, actor=user, action="correction.proposed", entity_type="correction", entity_id=corr.id,
                     run_id=corr.run_id,
                     detail={"state_before": None, "state_after": CorrectionState.PROPOSED, "reason": corr.reason,
                             "exception_id": exc.id, "exception_key": exc.key,
                             "target": {"side": side, "system": system, "object": obj, "record": corr.target_record,
                                        "field": fld},
                             "before": corr.from_value, "after": corr.to_value, "seen_version": corr.seen_version,
                             "manual": not engine_fix, "idempotency_key": corr.idempotency_key,
                             "rule": prop.get("rule") if same_field else None,
                             "version": 1, "deliver": route, **lifecycle.also_detail(corr)})
        if exc.status != ExceptionStatus.IN_REVIEW:
            set_exception_status(s, exc, ExceptionStatus.IN_REVIEW, actor=user, detail={"correction_id": corr.id})
        return NewId(corr.id, Changes.of(exceptions=[exc.id], corrections=[corr.id]))


def _check_converges(kind: str | None, exception_id: int, side: str, mine: dict[str, Any], other: Correction) -> None:
    """A correction of the other side of the same exception must bring the field to the same value:
    CRM := the ERP's value beside ERP := the CRM's value would swap the two and leave them differing."""
    if other.target_side == side:
        return
    for f_, _, theirs in field_changes(other):
        if f_ in mine and not _same(kind, f_, mine[f_], _typed_or_text(kind, f_, theirs)):
            raise IllegalTransition(
                f"exception {exception_id}: correction {other.id} ({other.state}) already sets the "
                f"{other.target_side.upper()} field '{f_}' to {display(_typed_or_text(kind, f_, theirs))}; setting "
                f"the {side.upper()} one to {display(mine[f_])} would leave the two differing; propose "
                f"{display(_typed_or_text(kind, f_, theirs))} or reject that one first")


def _implied(kind: str | None, prop: dict[str, Any], exception_id: int) -> list[dict[str, Any]]:
    """The engine proposal's further field changes, typed and stored as JSON; values the
    record already holds are left out."""
    out = []
    for a in prop.get("also") or []:
        f_ = a.get("field")
        if not f_:
            continue
        where = f"exception {exception_id}, field '{f_}'"
        to = parse_value(kind, f_, a.get("to"), where=where)
        was = _typed_or_text(kind, f_, a.get("from"))
        if was is not None and to is not None and _same(kind, f_, was, to):
            continue
        out.append({"field": f_, "from": was, "to": to})
    return out


def _engine_words(prop: dict[str, Any]) -> str | None:
    """The reason a correction taken from the engine carries: its plain sentence (older
    proposals: their reason); the rule itself goes into the trail, not into the reason."""
    return prop.get("text") or prop.get("reason")


def _system_of(run: Run | None, side: str) -> str:
    cfg = (run.config or {}) if run else {}
    part = cfg.get(side) or {}
    return str(part.get("system") or part.get("connector") or side)


def _side_value(exc: ExceptionRow, side: str, fld: str) -> Any:
    for d in exc.diffs or []:
        if d.get("field") == fld:
            return d.get(side)
    if exc.field == fld:
        return exc.crm_value if side == "crm" else exc.erp_value
    return None


def _typed_or_text(kind: str | None, fld: str, v: Any) -> Any:
    try:
        return parse_value(kind, fld, v)
    except InputError:
        return v  # what the system showed stays as shown: it is the value the approver compares against


def _same(kind: str | None, fld: str, a: Any, b: Any) -> bool:
    from workbench.corrections.values import same
    return same(kind, fld, a, b)


# ---------------------------------------------------------------- approve / reject / waive


def _load_for_change(s: Session, ids: Iterable[int]) -> list[Correction]:
    ids = sorted({int(i) for i in ids})
    if not ids:
        raise InputError("no corrections given")
    # FOR UPDATE: two approvers on PostgreSQL never both see a correction as still proposed.
    rows = {c.id: c for c in s.execute(select(Correction).where(Correction.id.in_(ids))
                                       .order_by(Correction.id).with_for_update()).scalars()}
    missing = [i for i in ids if i not in rows]
    if missing:
        raise InputError(f"correction {missing[0]} does not exist in this store")
    return [rows[i] for i in ids]


def _check_version(c: Correction, versions: dict[int, int] | None) -> None:
    if versions and c.id in versions and int(versions[c.id]) != c.version:
        raise StaleState(f"correction {c.id} changed since you loaded it (now {c.state}, version {c.version}); "
                         "refresh and decide again")


def _check_not_done_already(s: Session, c: Correction, to: str) -> None:
    if c.state == to:
        raise StaleState(f"correction {c.id} is already {to}{_by_whom(s, c)}")


def _by_whom(s: Session, c: Correction) -> str:
    """' by carol at 2026-12-08 09:12 UTC': who moved the correction last, for a refusal that would otherwise
    leave the one who lost a race at the same moment guessing."""
    last = last_changed_by(s, "correction", c.id)
    return f" by {last[0]} at {last[1]:%Y-%m-%d %H:%M} UTC" if last else ""


def approve(store: Store, correction_ids: Sequence[int], user: str, reason: str | None = None, *,
            versions: dict[int, int] | None = None) -> ChangedIds:
    """Approve proposed corrections (all or none); one audit event per correction.

    The approver must not be the preparer (maker-checker). ``versions`` (id → version the
    user saw) turns a concurrent change by someone else into StaleState. An approved (or
    queued) correction whose approver can no longer approve — deactivated, or no longer an
    approver — is held by the push until approved again here.
    """
    with store.session() as s:
        require(s, user, "approve")
        rows = _load_for_change(s, correction_ids)
        for c in rows:
            _check_version(c, versions)
            again = c.state in (CorrectionState.APPROVED, CorrectionState.QUEUED) and lapsed_approval(s, c)
            if not again:
                _check_not_done_already(s, c, CorrectionState.APPROVED)
                if c.state != CorrectionState.PROPOSED:  # approved again only when its approval lapsed
                    raise IllegalTransition(f"correction {c.id} is {c.state}{_by_whom(s, c)}; only a proposed "
                                            "correction can be approved")
            if same_person(c.preparer, user):  # as people: "Bob", "bob " and a Cyrillic "bоb" are bob
                raise PermissionDenied(f"correction {c.id} was prepared by {c.preparer}; a different user must "
                                       "approve it (maker-checker)")
        now = _now()
        for c in rows:
            lapsed = lapsed_approval(s, c) if c.state != CorrectionState.PROPOSED else None
            lifecycle.transition(s, c, CorrectionState.APPROVED, actor=user, reason=reason,
                                 detail={"preparer": c.preparer, "approver": user,
                                         **({"approved_again": lapsed} if lapsed else {})},
                                 changes={"approver": user, "approved_at": now})
        return _changed(rows)


def reject(store: Store, correction_ids: Sequence[int], user: str, reason: str, *,
           versions: dict[int, int] | None = None) -> ChangedIds:
    """Reject proposed corrections (a reason is required); their exceptions go back to open."""
    if not reason or not str(reason).strip():
        raise InputError("a reason is required to reject a correction")
    with store.session() as s:
        require(s, user, "approve")
        rows = _load_for_change(s, correction_ids)
        for c in rows:
            _check_version(c, versions)
            _check_not_done_already(s, c, CorrectionState.REJECTED)
            try:
                lifecycle.check(c, CorrectionState.REJECTED)
            except IllegalTransition as refused:
                raise IllegalTransition(f"{refused} ({c.state}{_by_whom(s, c)})") from None
        for c in rows:
            lifecycle.transition(s, c, CorrectionState.REJECTED, actor=user, reason=reason)
        for c in rows:
            if c.exception_id is not None and not _active_for(s, c.exception_id):
                exc = s.get(ExceptionRow, c.exception_id)
                if exc is not None and exc.status == ExceptionStatus.IN_REVIEW:
                    set_exception_status(s, exc, ExceptionStatus.OPEN, actor=user, detail={"correction_id": c.id,
                                                                             "why": "correction rejected"})
        return _changed(rows)


def waive(store: Store, exception_ids: Sequence[int], user: str, reason: str) -> ChangedIds:
    """Waive exceptions with a reason: they need no change; their open corrections become waived."""
    if not reason or not str(reason).strip():
        raise InputError("a reason is required to waive an exception")
    ids = sorted({int(i) for i in exception_ids})
    if not ids:
        raise InputError("no exceptions given")
    waived: list[int] = []
    changed: list[int] = []
    with store.session() as s:
        require(s, user, "waive")
        excs = {e.id: e for e in s.execute(select(ExceptionRow).where(ExceptionRow.id.in_(ids))
                                           .with_for_update()).scalars()}
        for i in ids:
            if i not in excs:
                raise InputError(f"exception {i} does not exist in this store")
            if excs[i].status in (ExceptionStatus.RESOLVED, ExceptionStatus.WAIVED):
                raise IllegalTransition(f"exception {i} is already {excs[i].status}; nothing to waive")
        for i in ids:
            corrs = list(s.execute(select(Correction).where(Correction.exception_id == i).with_for_update())
                         .scalars())
            busy = [c for c in corrs if c.state == CorrectionState.PUSHING]
            if busy:
                raise IllegalTransition(f"exception {i}: correction {busy[0].id} is being pushed right now; "
                                        "waive it once the push has finished")
            for c in corrs:
                if lifecycle.can(c.state, CorrectionState.WAIVED):
                    lifecycle.transition(s, c, CorrectionState.WAIVED, actor=user, reason=reason)
                    waived.append(c.id)
            def carried(row: ExceptionRow, was: str = excs[i].status) -> bool:
                return row.status == was

            # the finding in later runs that carried its status from this one is waived too
            for row in [excs[i], *carried_copies(s, excs[i], carried)]:
                set_exception_status(s, row, ExceptionStatus.WAIVED, actor=user, reason=reason)
                changed.append(row.id)
        return ChangedIds(changed, Changes.of(exceptions=changed, corrections=waived))


def _changed(rows: list[Correction]) -> ChangedIds:
    """The corrections an action moved, and their exceptions (whose detail shows them)."""
    return ChangedIds([c.id for c in rows], Changes.of(exceptions=[c.exception_id for c in rows],
                                                       corrections=[c.id for c in rows]))


# ---------------------------------------------------------------- list / bulk


def _as_list(v: Any) -> list[Any]:
    if isinstance(v, (list, tuple, set, frozenset)):
        return list(v)
    if isinstance(v, str) and "," in v:
        return [x.strip() for x in v.split(",") if x.strip()]
    return [v]


def _filtered(q: Select[*_Row], filters: dict[str, Any]) -> Select[*_Row]:
    unknown = set(filters) - set(FILTERS)
    if unknown:
        raise InputError(f"unknown filter {sorted(unknown)[0]!r}; filters are {', '.join(FILTERS)}")
    f = {k: v for k, v in filters.items() if v is not None and v != [] and v != ""}
    cols = {"ids": Correction.id, "state": Correction.state, "run_id": Correction.run_id,
            "exception_id": Correction.exception_id, "exception_type": ExceptionRow.type,
            "family": ExceptionRow.family, "target_side": Correction.target_side,
            "target_system": Correction.target_system, "object": Correction.target_object,
            "field": Correction.field, "preparer": Correction.preparer, "approver": Correction.approver}
    for k, v in f.items():
        if k == "customer":
            q = q.where(func.lower(ExceptionRow.customer_name).contains(str(v).lower()))
            continue
        values = _as_list(v)
        if k in ("ids", "run_id", "exception_id"):
            try:
                values = [int(x) for x in values]
            except (TypeError, ValueError):
                raise InputError(f"filter {k}: expected whole numbers, got {v!r}") from None
        if k == "state":
            bad = [x for x in values if x not in lifecycle.STATES]
            if bad:
                raise InputError(f"filter state: unknown state {bad[0]!r}; states are {', '.join(lifecycle.STATES)}")
        q = q.where(cols[k].in_(values))
    return q


def list_corrections(store: Store, **filters: Any) -> pd.DataFrame:
    """Corrections with their exception's type and customer, newest first; columns LIST_COLUMNS.

    Filters (each a value or a list): ids, state, run_id, exception_id, exception_type,
    family, target_side, target_system, object, field, preparer, approver; customer
    (case-insensitive substring of the customer name).
    """
    q = select(Correction, ExceptionRow.type, ExceptionRow.customer_name).outerjoin(
        ExceptionRow, ExceptionRow.id == Correction.exception_id)
    q = _filtered(q, filters).order_by(Correction.id.desc())
    rows: list[dict[str, Any]] = []
    with store.session() as s:
        for c, etype, cname in s.execute(q):
            d: dict[str, Any] = {col: getattr(c, col, None) for col in LIST_COLUMNS if hasattr(Correction, col)}
            d["exception_type"], d["customer_name"] = etype, cname
            kind = canonical_kind(c.target_object)
            d["from_value"] = _typed_or_text(kind, c.field, c.from_value)
            d["to_value"] = _typed_or_text(kind, c.field, c.to_value)
            d["also"] = [{**a, "from": _typed_or_text(kind, a["field"], a.get("from")),
                          "to": _typed_or_text(kind, a["field"], a.get("to"))} for a in c.also] if c.also else None
            rows.append(d)
        reasons = _state_reasons(s, [d["id"] for d in rows])
    for d in rows:
        d["state_reason"] = reasons.get(d["id"])
    return pd.DataFrame(rows, columns=LIST_COLUMNS, dtype=object)


def _state_reasons(s: Session, ids: list[int]) -> dict[int, str | None]:
    """Why each correction is in its state: the reason given with its latest transition
    (a rejection's or waiver's reason, a conflict's two values, a dead letter's message)."""
    out: dict[int, str | None] = {}
    for part in chunks(ids):
        chunk = [str(x) for x in part]
        last = (select(func.max(AuditEvent.id)).where(AuditEvent.entity_type == "correction",
                                                      AuditEvent.action != "correction.verified",
                                                      AuditEvent.entity_id.in_(chunk))
                .group_by(AuditEvent.entity_id))
        for eid, detail in s.execute(select(AuditEvent.entity_id, AuditEvent.detail)
                                     .where(AuditEvent.id.in_(last))):
            out[int(eid)] = (detail or {}).get("reason")
    return out


def approve_matching(store: Store, user: str, *, reason: str | None = None, **filters: Any) -> ChangedIds:
    """Approve every proposed correction matching ``filters`` (same as list_corrections) that
    ``user`` did not prepare; one event per correction. Returns the ids approved."""
    filters = dict(filters)
    filters["state"] = [CorrectionState.PROPOSED]
    with store.session() as s:
        require(s, user, "approve")
        q = _filtered(select(Correction.id, Correction.preparer).outerjoin(
            ExceptionRow, ExceptionRow.id == Correction.exception_id), filters)
        ids = [cid for cid, preparer in s.execute(q) if not same_person(preparer, user)]
    if not ids:
        return ChangedIds()
    return approve(store, ids, user, reason)


# ---------------------------------------------------------------- outbox


def push(store: Store, user: str, *, config: RunConfig | None = None,
         config_for: Callable[[int | None], RunConfig] | None = None, state: TaskState | None = None,
         **options: Any) -> PushReport:
    """Push approved corrections through the connectors; returns a ``PushReport``.

    Which config opens the connector: ``config`` for every correction if given, else
    ``config_for(run_id)``, else the config stored with the correction's run. Options:
    ``max_attempts`` (5), ``backoff`` (a ``Backoff``), ``wait`` (True: sleep until retries
    are due so the queue drains), ``batch_size`` (200), ``verify`` (True), ``worker``
    (claim name), ``lease_seconds`` (stale-claim age). See workbench.corrections.outbox.push.
    """
    from workbench.corrections.outbox.push import run_push
    with store.session() as s:
        require(s, user, "push")
    return run_push(store, user, config=config, config_for=config_for, state=state, **options)


def replay(store: Store, correction_ids: Sequence[int], user: str, reason: str | None = None) -> ChangedIds:
    """Put chosen dead letters back in the queue (after their cause was fixed), attempts reset."""
    with store.session() as s:
        require(s, user, "push")
        rows = _load_for_change(s, correction_ids)
        for c in rows:
            if c.state != CorrectionState.DEAD_LETTER:
                raise IllegalTransition(f"correction {c.id} is {c.state}; only dead letters can be replayed")
        read_only.refuse_push(s, rows)
        for c in rows:
            lifecycle.transition(s, c, CorrectionState.QUEUED, actor=user, reason=reason or "replayed",
                                 detail={"replay": True, "last_error": c.last_error},
                                 changes={"attempts": 0, "next_attempt_at": None, "claimed_by": None,
                                          "claimed_at": None})
        return _changed(rows)


def counts(store: Store, **filters: Any) -> dict[str, int]:
    """Number of corrections per state (for the status bar and scripts)."""
    q = _filtered(select(Correction.state, func.count()).outerjoin(
        ExceptionRow, ExceptionRow.id == Correction.exception_id), filters).group_by(Correction.state)
    with store.session() as s:
        return dict(s.execute(q).all())  # each Row is a (state, count) pair


__all__ = ["Backoff", "PushReport", "propose", "approve", "reject", "waive", "approve_matching", "list_corrections",
           "push", "replay", "counts", "set_exception_status", "LIST_COLUMNS", "FILTERS"]
