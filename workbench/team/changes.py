"""What others changed since I last looked, without reloading a million rows.

Every change anyone makes writes an audit event, so the highest event id is a
change counter. An open app remembers the counter it last saw and, on focus or a
timer, asks ``ChangeWatcher.check`` — one indexed MAX(id) query when nothing changed.
When something did, ``changes_since`` reads only the new events and says which runs,
exceptions, corrections and links they touched; ``changed_exceptions`` fetches just
those rows so the queue can patch them in place.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from collections.abc import Iterable

import pandas as pd
from sqlalchemy import select

from workbench.store.trail import change_counter
from workbench.store.chunks import chunks
from workbench.store.db import Store
from workbench.store.schema import AuditEvent, Correction, ExceptionRow

# Beyond this many new events, patching row by row costs more than reloading the view.
FULL_RELOAD_AFTER = 5000


@dataclass
class ChangeSummary:
    since: int
    counter: int                      # remember this and pass it next time
    events: int = 0
    runs: list[int] = field(default_factory=list)            # runs that completed/failed/changed
    exception_ids: list[int] = field(default_factory=list)   # exceptions whose row changed (status, assignee, ...)
    correction_ids: list[int] = field(default_factory=list)
    link_ids: list[int] = field(default_factory=list)
    users_changed: bool = False
    actors: list[str] = field(default_factory=list)
    full_reload: bool = False         # too much changed (or the database was replaced): reload the view

    @property
    def changed(self) -> bool:
        return self.counter != self.since

    def touches_run(self, run_id: int | None) -> bool:
        """Whether the run on screen needs refreshing (its own rows changed, or a reload is due)."""
        return self.full_reload or (run_id is not None and run_id in self.runs)


def _ints(values: Iterable[Any]) -> list[int]:
    out = set()
    for v in values:
        try:
            out.add(int(v))
        except (TypeError, ValueError):
            continue
    return sorted(out)


def changes_since(store: Store, counter: int) -> ChangeSummary:
    with store.session() as s:
        now = change_counter(s)
        summary = ChangeSummary(since=counter, counter=now)
        if now == counter:
            return summary
        if now < counter:  # the database was restored or replaced under us
            summary.full_reload = True
            return summary
        rows = s.execute(select(AuditEvent.entity_type, AuditEvent.entity_id, AuditEvent.run_id, AuditEvent.actor)
                         .where(AuditEvent.id > counter, AuditEvent.id <= now)
                         .order_by(AuditEvent.id).limit(FULL_RELOAD_AFTER + 1)).all()
        summary.events = len(rows)
        summary.actors = sorted({r.actor for r in rows})
        summary.runs = _ints(r.run_id for r in rows if r.run_id is not None)
        if len(rows) > FULL_RELOAD_AFTER:
            summary.full_reload = True
            return summary
        by_type: dict[str, list[Any]] = {}
        for r in rows:
            by_type.setdefault(r.entity_type, []).append(r.entity_id)
        summary.runs = sorted(set(summary.runs) | set(_ints(by_type.get("run", []))))
        summary.correction_ids = _ints(by_type.get("correction", []))
        summary.link_ids = _ints(by_type.get("customer_link", []) + by_type.get("link", []))
        summary.users_changed = "user" in by_type
        exc = set(_ints(by_type.get("exception", [])))
        if summary.correction_ids:
            # a correction's state shows on its exception's row in the queue
            exc |= set(_ints(s.execute(select(Correction.exception_id)
                                       .where(Correction.id.in_(summary.correction_ids))).scalars()))
        summary.exception_ids = sorted(exc)
        return summary


def changed_exceptions(store: Store, exception_ids: Iterable[int], run_id: int | None = None) -> pd.DataFrame:
    """The current rows of just these exceptions (optionally only those of ``run_id``),
    with the same columns as ``repo.load_exceptions``."""
    from workbench.store.repo import EXCEPTION_STATE_COLUMNS
    from workbench.reconcile.result import EXCEPTION_COLUMNS
    cols = EXCEPTION_COLUMNS + [c for c in EXCEPTION_STATE_COLUMNS if c not in EXCEPTION_COLUMNS]
    ids = list(exception_ids)
    rows: list[tuple[Any, ...]] = []
    with store.session() as s:
        for part in chunks(ids):
            q = select(*[getattr(ExceptionRow, c) for c in cols]).where(ExceptionRow.id.in_(part))
            if run_id is not None:
                q = q.where(ExceptionRow.run_id == run_id)
            rows.extend(tuple(r) for r in s.execute(q).all())
    rows.sort(key=lambda r: r[cols.index("id")])
    return pd.DataFrame(rows, columns=cols, dtype=object)


class ChangeWatcher:
    """Holds the counter an open view last saw; ``check`` is cheap when nothing changed."""

    def __init__(self, store: Store, counter: int | None = None):
        self.store = store
        if counter is None:
            with store.session() as s:
                counter = change_counter(s)
        self.counter = counter

    def check(self) -> ChangeSummary | None:
        """None when nothing changed; otherwise what changed (and the counter moves on)."""
        with self.store.session() as s:
            if change_counter(s) == self.counter:
                return None
        summary = changes_since(self.store, self.counter)
        self.counter = summary.counter
        return summary
