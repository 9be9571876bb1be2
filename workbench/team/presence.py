"""Who else is working: each open app (or long CLI task) refreshes a heartbeat row.

A row per (user, host, process). Heartbeats are not audit events on purpose: they
change nothing a user decides, and writing them to the chain would make every
open app look like a change to all the others.
"""

from __future__ import annotations

import os
import socket
from datetime import datetime, timedelta, UTC
from typing import Any, cast

from sqlalchemy import CursorResult, and_, delete, select
from sqlalchemy.dialects import postgresql, sqlite

from workbench.store.db import Store
from workbench.store.schema import Presence, User

DEFAULT_WITHIN = timedelta(minutes=2)  # the app beats every 30 s; a missed beat or two is still "here"


def _utc(at: datetime) -> datetime:
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)


def heartbeat(store: Store, user: str, *, run_id: int | None = None, host: str | None = None,
              pid: int | None = None, now: datetime | None = None) -> None:
    """Say "I am here (looking at run_id)"; call it periodically while the app is open."""
    values = {"user_name": user, "host": host or socket.gethostname(), "pid": pid if pid is not None else os.getpid(),
              "run_id": run_id, "last_seen": _utc(now or datetime.now(UTC))}
    dialect = postgresql if store.is_postgres else sqlite
    stmt = dialect.insert(Presence).values(**values)
    stmt = stmt.on_conflict_do_update(index_elements=["user_name", "host", "pid"],
                                      set_={"run_id": stmt.excluded.run_id, "last_seen": stmt.excluded.last_seen})
    with store.session() as s:
        s.execute(stmt)


def leave(store: Store, user: str, *, host: str | None = None, pid: int | None = None) -> None:
    """Remove this session's row when the app closes (stale rows also age out of who_is_here)."""
    with store.session() as s:
        s.execute(delete(Presence).where(and_(Presence.user_name == user,
                                              Presence.host == (host or socket.gethostname()),
                                              Presence.pid == (pid if pid is not None else os.getpid()))))


def who_is_here(store: Store, within: timedelta = DEFAULT_WITHIN, *, now: datetime | None = None,
                exclude: str | None = None) -> list[dict[str, Any]]:
    """Users with a heartbeat in the last ``within``: one entry per user, latest session first.

    ``exclude`` leaves out the asking user (the app shows "who *else* is here").
    """
    now = _utc(now or datetime.now(UTC))
    with store.session() as s:
        rows = s.execute(select(Presence, User.display_name)
                         .join(User, User.name == Presence.user_name, isouter=True)
                         .where(Presence.last_seen >= now - within)
                         .order_by(Presence.last_seen.desc())).all()
    out: dict[str, dict[str, Any]] = {}
    for p, display in rows:
        if p.user_name == exclude:
            continue
        entry = out.setdefault(p.user_name, {"user": p.user_name, "display_name": display or p.user_name,
                                             "last_seen": _utc(p.last_seen), "run_id": p.run_id, "sessions": []})
        entry["sessions"].append({"host": p.host, "pid": p.pid, "run_id": p.run_id, "last_seen": _utc(p.last_seen)})
    return list(out.values())


def prune(store: Store, older_than: timedelta = timedelta(days=1), *, now: datetime | None = None) -> int:
    """Delete heartbeats of sessions that ended without saying goodbye (crash, lost network)."""
    now = _utc(now or datetime.now(UTC))
    with store.session() as s:
        # A DELETE executes to a CursorResult (which has rowcount); Session.execute is typed as the general Result.
        done = cast(CursorResult[Any], s.execute(delete(Presence).where(Presence.last_seen < now - older_than)))
        return done.rowcount or 0
