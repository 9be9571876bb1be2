"""Optimistic concurrency for exceptions several people work at once.

Every editable row carries a ``version``. A change names the version the user was
looking at; the UPDATE only matches when the row still has that version, and bumps
it. When two people act on the same exception, the first UPDATE wins; the second
matches nothing and gets ``StaleState`` naming who changed it, with the fresh row
on ``err.fresh`` so the screen can show what is there now. No row locks are held
while a user thinks, so this works the same on SQLite and PostgreSQL.

Each change writes an audit event in the same transaction, which also bumps the
change counter other instances poll (``workbench.team.changes``).
"""

from __future__ import annotations

import functools
from typing import Any, TypeVar, cast
from collections.abc import Callable

from sqlalchemy import CursorResult, select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from workbench.store import trail
from workbench.errors import ConfigError, IllegalTransition, StaleState
from workbench.store.db import Store
from workbench.store.schema import AuditEvent, ExceptionRow
from workbench.team.users import require
from workbench.model.states import UNSETTLED, ExceptionStatus

# Which exception statuses each action may start from; waiving is the corrections service's.
START_REVIEW_FROM: set[str] = {ExceptionStatus.OPEN, ExceptionStatus.REOPENED}
RESOLVE_FROM: set[str] = set(UNSETTLED)
REOPEN_FROM: set[str] = {ExceptionStatus.RESOLVED, ExceptionStatus.WAIVED}

DEADLOCK_RETRIES = 3
T = TypeVar("T")


def retry_on_deadlock(fn: Callable[..., T]) -> Callable[..., T]:
    """Run the whole transaction again when PostgreSQL broke a deadlock by aborting it.

    Writers lock rows and the audit chain in different orders (a proposal locks the chain
    and then its exception; an assignment the exception and then the chain), so two of them
    can deadlock; PostgreSQL aborts one. Retrying is safe: the version check decides again
    on the fresh row, so the retry either applies cleanly or reports StaleState.
    """
    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> T:
        for attempt in range(DEADLOCK_RETRIES + 1):
            try:
                return fn(*args, **kwargs)
            except OperationalError as exc:
                if getattr(exc.orig, "sqlstate", None) != "40P01" or attempt == DEADLOCK_RETRIES:
                    raise
        raise AssertionError("unreachable")
    return wrapper


EXCEPTION_FIELDS = ("id", "run_id", "key", "type", "status", "assignee", "resolution", "version")


def row_state(row: Any, fields: tuple[str, ...]) -> dict[str, Any]:
    return {f: getattr(row, f) for f in fields}


def last_changed_by(session: Session, entity_type: str, entity_id: object) -> tuple[str, Any] | None:
    ev = session.execute(select(AuditEvent.actor, AuditEvent.at)
                         .where(AuditEvent.entity_type == entity_type, AuditEvent.entity_id == str(entity_id))
                         .order_by(AuditEvent.id.desc()).limit(1)).first()
    return (ev.actor, ev.at) if ev else None


def guarded_update(session: Session, model: type[ExceptionRow], row_id: int, expected_version: int,
                   values: dict[str, Any], *, entity_type: str, fields: tuple[str, ...]) -> ExceptionRow:
    """UPDATE the row only if it still has ``expected_version``; bump the version; return the fresh row.

    Raises StaleState (with ``.fresh``) when someone else changed it first, ConfigError
    when the row does not exist.
    """
    # An UPDATE executes to a CursorResult (which has rowcount); Session.execute is typed as the general Result.
    res = cast(CursorResult[Any], session.execute(update(model)
                                                  .where(model.id == row_id, model.version == expected_version)
                                                  .values(**values, version=model.version + 1)
                                                  .execution_options(synchronize_session=False)))
    if res.rowcount == 1:
        fresh = session.get(model, row_id, populate_existing=True)
        assert fresh is not None  # the UPDATE just matched it in this transaction
        return fresh
    row = session.get(model, row_id, populate_existing=True)
    if row is None:
        raise ConfigError(f"there is no {entity_type} {row_id} in this database")
    who = last_changed_by(session, entity_type, row_id)
    by = f" by {who[0]} at {who[1]:%Y-%m-%d %H:%M} UTC" if who else ""
    err = StaleState(f"{entity_type} {row_id} was changed{by} while you had version {expected_version} open "
                     f"(it is now version {row.version}, {_describe(row)}); your change was not saved — "
                     "look at the current state and try again")
    err.fresh = row_state(row, fields)
    raise err


def _describe(row: Any) -> str:
    parts = [f"status {row.status}"]
    if getattr(row, "assignee", None):
        parts.append(f"assigned to {row.assignee}")
    return ", ".join(parts)


def _load(session: Session, exception_id: int) -> ExceptionRow:
    row = session.get(ExceptionRow, exception_id)
    if row is None:
        raise ConfigError(f"there is no exception {exception_id} in this database")
    return row


@retry_on_deadlock
def _change_exception(store: Store, exception_id: int, user: str, expected_version: int, *, action: str,
                      permission: str, allowed_from: set[str] | None, values: dict[str, Any],
                      detail: dict[str, Any] | None = None) -> dict[str, Any]:
    with store.session() as s:
        require(s, user, permission)
        row = _load(s, exception_id)
        before = row_state(row, EXCEPTION_FIELDS)
        # A stale version wins over an illegal transition: the user must first see what changed.
        if row.version == expected_version and allowed_from is not None and row.status not in allowed_from:
            raise IllegalTransition(f"exception {exception_id} is {row.status}; "
                                    f"{action.split('.')[-1].replace('_', ' ')} needs it to be "
                                    f"{' or '.join(sorted(allowed_from))}")
        fresh = guarded_update(s, ExceptionRow, exception_id, expected_version, values,
                               entity_type="exception", fields=EXCEPTION_FIELDS)
        changed = {k: {"from": before[k], "to": getattr(fresh, k)} for k in values if before[k] != getattr(fresh, k)}
        trail.append(s, actor=user, action=action, entity_type="exception", entity_id=exception_id,
                     run_id=fresh.run_id, detail={"key": fresh.key, "changes": changed, "version": fresh.version,
                                                  **(detail or {})})
        return row_state(fresh, EXCEPTION_FIELDS)


def get_exception(store: Store, exception_id: int) -> dict[str, Any]:
    """The current state (with version) a user starts an edit from."""
    with store.session() as s:
        return row_state(_load(s, exception_id), EXCEPTION_FIELDS)


def start_review(store: Store, exception_id: int, user: str, expected_version: int) -> dict[str, Any]:
    """Open an exception for work: it becomes in_review, assigned to the user unless already assigned."""
    with store.session() as s:
        current = _load(s, exception_id).assignee
    values: dict[str, Any] = {"status": ExceptionStatus.IN_REVIEW}
    if not current:
        values["assignee"] = user
    return _change_exception(store, exception_id, user, expected_version, action="exception.start_review",
                             permission="assign", allowed_from=START_REVIEW_FROM, values=values)


def assign(store: Store, exception_id: int, assignee: str | None, user: str, expected_version: int) -> dict[str, Any]:
    """Give the exception to ``assignee`` (None clears the assignment)."""
    if assignee:
        with store.session() as s:
            from workbench.team.users import open_mode, roles_of
            require(s, user, "assign")  # who may act is checked before whom they name
            if not open_mode(s) and not (roles_of(s, assignee) & {"preparer", "approver", "admin"}):
                raise ConfigError(f"cannot assign to '{assignee}': not an active workbench user who can work "
                                  "exceptions (see: workbench users list)")
    return _change_exception(store, exception_id, user, expected_version, action="exception.assign",
                             permission="assign", allowed_from=None, values={"assignee": assignee})


def resolve(store: Store, exception_id: int, user: str, expected_version: int, resolution: str) -> dict[str, Any]:
    """Mark the exception resolved with a reason (e.g. fixed at the source, explained)."""
    if not (resolution or "").strip():
        raise ConfigError("a resolution needs a reason (what was done or why it is fine)")
    return _change_exception(store, exception_id, user, expected_version, action="exception.resolve",
                             permission="assign", allowed_from=RESOLVE_FROM,
                             values={"status": ExceptionStatus.RESOLVED, "resolution": resolution.strip()})


def reopen(store: Store, exception_id: int, user: str, expected_version: int, reason: str) -> dict[str, Any]:
    if not (reason or "").strip():
        raise ConfigError("reopening needs a reason")
    return _change_exception(store, exception_id, user, expected_version, action="exception.reopen",
                             permission="assign", allowed_from=REOPEN_FROM, values={"status": ExceptionStatus.REOPENED},
                             detail={"reason": reason.strip()})
