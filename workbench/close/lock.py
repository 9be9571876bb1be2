"""The period lock: once a period is certified, nothing may change its state until it is reopened.

Enforced here, in the core, for every caller (CLI, app, library): each action that changes an
exception, correction, link, assignment, comment or attachment calls ``ensure_open`` first.
"""

from __future__ import annotations

from sqlalchemy import select
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
        row = session.get(Period, name)  # the identity map makes repeated checks in one transaction cheap
        if row is not None and row.state == PeriodState.CERTIFIED:
            raise PeriodLocked(_message(session, name))


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
