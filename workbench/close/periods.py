"""Periods: a period (``2026-10``) groups the runs whose config names it (``[run] period``).

A period is *open* until its preparer signs it off, *signed_off* until a different reviewer certifies it,
then *certified* (locked) until someone who may reopen it does so with a reason.
"""

from __future__ import annotations

from datetime import datetime, UTC
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from workbench.config.schema import PERIOD_NAME
from workbench.errors import InputError
from workbench.store.schema import Period, Run


class PeriodState(StrEnum):
    OPEN = "open"
    SIGNED_OFF = "signed_off"
    CERTIFIED = "certified"


def check_name(name: str) -> str:
    """A period's name as written in run configs: ``YYYY-MM``, ``YYYY-Qn`` or ``YYYY``."""
    text = (name or "").strip()
    if not PERIOD_NAME.match(text):
        raise InputError(f"period {name!r}: expected YYYY-MM (e.g. 2026-10), YYYY-Qn or YYYY")
    return text


def known_periods(session: Session) -> list[str]:
    """Every period that has runs or close records, newest first."""
    from_runs = set(session.execute(select(Run.period).where(Run.period.is_not(None))).scalars())
    from_close = set(session.execute(select(Period.name)).scalars())
    return sorted({p for p in from_runs | from_close if p}, reverse=True)


def get_period(session: Session, name: str, *, create: bool = False) -> Period:
    """The period's close record; created (open) on first use when runs name it or ``create`` is set.

    An unknown period (no run names it) is a clear refusal naming the periods that exist."""
    name = check_name(name)
    row = session.get(Period, name)
    if row is not None:
        return row
    has_runs = session.execute(select(Run.id).where(Run.period == name).limit(1)).first() is not None
    if not (has_runs or create):
        known = known_periods(session)
        hint = f"known periods: {', '.join(known)}" if known else "no run names a period yet: set [run] period"
        raise InputError(f"period {name}: no run belongs to it ({hint})")
    row = Period(name=name, state=PeriodState.OPEN, created_at=datetime.now(UTC), version=1)
    session.add(row)
    session.flush()
    return row


def latest_run(session: Session, name: str) -> Run | None:
    """The period's most recent completed run: the one a sign-off freezes."""
    return session.execute(select(Run).where(Run.period == name, Run.status == "completed")
                           .order_by(Run.id.desc()).limit(1)).scalar_one_or_none()


def period_of_run(session: Session, run_id: int | None) -> str | None:
    if run_id is None:
        return None
    run = session.get(Run, int(run_id))  # identity map: one query per run and transaction
    return run.period if run is not None else None
