"""The period lock: once a period is certified, nothing may change its state until it is reopened.

Enforced here, in the core, for every caller (CLI, app, library): each action that changes an
exception, correction, link, assignment, comment or attachment calls ``ensure_open`` first.

A certification and a change to its period must not both go through on what the other has not seen:
the certification would lock a picture that was no longer the period's. So each close decision takes
the period's row for itself first (``hold``: an update, the row's write lock on PostgreSQL and the
database's write lock on SQLite) and only then reads what it decides on, while ``ensure_open`` reads the
row ``FOR SHARE`` on PostgreSQL: a change waits for a certification under way and then sees it, and a
certification waits for the changes under way and then sees them.
"""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from workbench.close.periods import PeriodState, period_of_run
from workbench.errors import WorkbenchError
from workbench.store.db import Store
from workbench.store.schema import ExceptionRow, Period, PeriodSignoff, Run


class PeriodLocked(WorkbenchError):
    """A change to a certified period: refused until the period is reopened."""

    exit_code = 2


def ensure_open(session: Session, *, run_id: int | None = None, exception_key: str | None = None,
                period: str | None = None) -> None:
    """Refuse with ``PeriodLocked`` when the period of this run / exception / name is certified."""
    names: set[str] = set()
    if period:
        names.add(period)
    p = period_of_run(session, run_id)
    if p:
        names.add(p)
    if exception_key is not None:
        names.update(x for x in session.execute(
            select(Run.period).join(ExceptionRow, ExceptionRow.run_id == Run.id)
            .where(ExceptionRow.key == exception_key, Run.period.is_not(None)).distinct()).scalars() if x)
    for name in sorted(names):
        # FOR SHARE (PostgreSQL; SQLite has one writer at a time): held to the commit, so a certification
        # under way is waited for and then seen, and one that starts later waits for this change
        row = session.get(Period, name, with_for_update={"read": True}, populate_existing=True)
        if row is not None and row.state == PeriodState.CERTIFIED:
            raise PeriodLocked(_message(session, name))


def hold(session: Session, name: str) -> Period | None:
    """Take the period's row for a close decision (sign-off, certification, reopening, carry-forward, rates,
    thresholds) before reading what it decides on: changes to the period under way are waited for and
    seen, later ones wait for the decision. The period as it is now (None when it has no row yet)."""
    session.execute(update(Period).where(Period.name == name).values(version=Period.version)
                    .execution_options(synchronize_session=False))
    return session.get(Period, name, populate_existing=True)


def _message(session: Session, name: str) -> str:
    cert = session.execute(select(PeriodSignoff).where(PeriodSignoff.period == name,
                                                       PeriodSignoff.action == "certify")
                           .order_by(PeriodSignoff.id.desc()).limit(1)).scalar_one_or_none()
    who = f" by {cert.actor} on {cert.at:%Y-%m-%d %H:%M} UTC" if cert is not None else ""
    return (f"period {name} is certified{who} and locked: nothing in it can change. To change it, "
            f"reopen it first: workbench close reopen --period {name} --reason \"...\" (approver or admin)")


def locked_reason(store: Store, run_id: int | None) -> str | None:
    """Why the run's period refuses changes (its certification), or None when it is open."""
    try:
        with store.session() as s:
            ensure_open(s, run_id=run_id)
    except PeriodLocked as exc:
        return str(exc)
    return None
