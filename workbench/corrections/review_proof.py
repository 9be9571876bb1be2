"""What the audit trail proves about an exception's assignee and resolution.

Every change to either writes an event that carries the new value: ``exception.assigned``
(``assignee_before``/``assignee_after``), the review screen's ``exception.assign`` /
``exception.resolve`` (``changes: {field: {from, to}}``), and a status change with a reason
(``exception.waived``, ``exception.resolved``: ``reason`` is the resolution). Replaying them gives
the value the trail proves; a table value that differs was changed without an event.

A value no event set is the one the exception was stored with: ``None`` for a new finding, or
what its run carried from the same finding in the run before it (``workbench.store.repo``:
the assignee always, a waiver's resolution with the waiver, "found again after it was resolved"
for a resolved one). That is replayed too, from the earlier finding's events before the run was
stored. The close's automatic immaterial waiver records its resolution as ``reason`` too; one
stored before it did (``exception.auto_waived`` without a ``reason``) leaves the resolution
uncompared from that event on, and verify says how many.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from workbench.close.materiality import AUTO_WAIVED
from workbench.model.states import ExceptionStatus
from workbench.store.repo import previous_run
from workbench.store.schema import AuditEvent, ExceptionRow

FIELDS = ("assignee", "resolution")
FOUND_AGAIN = "found again after it was resolved"  # what a run stores on a resolved finding seen again


class _Unrecorded:
    """The value an event set without saying what it is."""

    def __repr__(self) -> str:
        return "(not recorded)"


UNRECORDED: Any = _Unrecorded()


@dataclass(frozen=True)
class Change:
    event: int
    before_known: bool
    before: Any
    after: Any


def changes(ev: AuditEvent, name: str) -> Change | None:
    """What ``ev`` did to the exception's ``name`` (assignee or resolution); None when it left it alone."""
    d = ev.detail or {}
    change = (d.get("changes") or {}).get(name)
    if isinstance(change, Mapping) and "to" in change:
        return Change(ev.id, True, change.get("from"), change["to"])
    if name == "assignee" and "assignee_after" in d:
        return Change(ev.id, True, d.get("assignee_before"), d["assignee_after"])
    if name == "resolution" and "status_after" in d:  # set_exception_status and the automatic waiver
        if d.get("reason") is not None:
            return Change(ev.id, False, None, d["reason"])
        if ev.action == AUTO_WAIVED and "reason" not in d:
            return Change(ev.id, False, None, UNRECORDED)
    return None


def status_change(ev: AuditEvent) -> tuple[str | None, str] | None:
    """(status before, status after) of an exception event that changed its status; None otherwise."""
    d = ev.detail or {}
    if "status_after" in d:
        return d.get("status_before"), str(d["status_after"])
    change = (d.get("changes") or {}).get("status")
    if isinstance(change, Mapping) and "to" in change:
        return change.get("from"), str(change["to"])
    return None


def _status_changes(events: Iterable[AuditEvent]) -> list[tuple[int, Any, str]]:
    return [(ev.id, c[0], c[1]) for ev in events if (c := status_change(ev)) is not None]


@dataclass(slots=True)  # one per exception of the store: kept small
class _Row:
    id: int
    run_id: int
    key: str
    status: str
    values: dict[str, Any]
    events: list[AuditEvent]


@dataclass
class ReviewCheck:
    problems: list[str] = field(default_factory=list)
    unrecorded: int = 0  # exceptions whose resolution an older automatic waiver set without recording it


def _show(v: Any) -> str:
    return "(none)" if v is None else f"'{v}'" if isinstance(v, str) else repr(v)


class _Replay:
    def __init__(self, session: Session, by_exc: Mapping[str, list[AuditEvent]], stored_at: Mapping[int, int]):
        self.s, self.by_exc, self.stored_at = session, by_exc, stored_at
        self.rows: dict[int, _Row] = {}
        self.by_run_key: dict[int, dict[str, int]] = {}
        self._initial: dict[tuple[int, str], Any] = {}
        self._previous: dict[int, int | None] = {}

    def load(self) -> None:
        q = select(ExceptionRow.id, ExceptionRow.run_id, ExceptionRow.key, ExceptionRow.status,
                   ExceptionRow.assignee, ExceptionRow.resolution).order_by(ExceptionRow.id)
        for eid, run_id, key, status, assignee, resolution in self.s.execute(q):
            self.rows[eid] = _Row(eid, run_id, key, status, {"assignee": assignee, "resolution": resolution},
                                  self.by_exc.get(str(eid), []))
            self.by_run_key.setdefault(run_id, {})[key] = eid

    def _carried_from(self, row: _Row) -> _Row | None:
        if row.run_id not in self._previous:  # once per run, not per finding
            self._previous[row.run_id] = previous_run(self.s, row.run_id)
        prev = self._previous[row.run_id]
        eid = self.by_run_key.get(prev, {}).get(row.key) if prev is not None else None
        return self.rows.get(eid) if eid is not None else None

    def first_status(self, row: _Row) -> str:
        st = _status_changes(row.events)
        return str(st[0][1]) if st and st[0][1] is not None else row.status

    def status_at(self, row: _Row, before: int | None) -> str:
        st = [c for c in _status_changes(row.events) if before is None or c[0] < before]
        return st[-1][2] if st else self.first_status(row)

    def initial(self, row: _Row, name: str) -> Any:
        """The value ``row`` was stored with: none for a new finding, else what its run carried on."""
        memo = self._initial.get((row.id, name), self)
        if memo is not self:
            return memo
        src = self._carried_from(row)
        value: Any = None
        if src is not None:
            at = self.stored_at.get(row.run_id)
            if name == "assignee":
                value = self.value_at(src, name, at)
            elif self.first_status(row) == ExceptionStatus.WAIVED:
                value = self.value_at(src, name, at)
            elif self.first_status(row) == ExceptionStatus.REOPENED and \
                    self.status_at(src, at) == ExceptionStatus.RESOLVED:
                value = FOUND_AGAIN
        self._initial[(row.id, name)] = value
        return value

    def value_at(self, row: _Row, name: str, before: int | None) -> Any:
        done = [c for ev in row.events if (c := changes(ev, name)) is not None and (before is None or c.event < before)]
        return done[-1].after if done else self.initial(row, name)

    def check(self, row: _Row, name: str, out: ReviewCheck) -> bool:
        """Report where the trail and the table disagree on ``name``; False when it cannot be compared."""
        where = f"exception {row.id}"
        proven, last = self.initial(row, name), None
        for ev in row.events:
            c = changes(ev, name)
            if c is None:
                continue
            if c.before_known and proven is not UNRECORDED and c.before != proven:
                had = f"the trail had it {_show(proven)} (event {last})" if last else \
                    f"it was stored with {_show(proven)}"
                out.problems.append(f"{where}: event {c.event} changes its {name} from {_show(c.before)} but {had}: "
                                    f"its {name} was changed without an event in between")
            proven, last = c.after, c.event
        if proven is UNRECORDED:
            return False
        if row.values[name] != proven:
            by = f"(event {last})" if last else "(the value it was stored with; no event changed it)"
            out.problems.append(f"{where}: the table says {name} {_show(row.values[name])}, the trail proves "
                                f"{_show(proven)} {by}")
        return True


def check_review(session: Session, by_exc: Mapping[str, list[AuditEvent]], stored_at: Mapping[int, int]) -> ReviewCheck:
    """Every exception's assignee and resolution against the trail (``by_exc``: exception events by id;
    ``stored_at``: each run's ``run.completed`` event id, before which its findings were carried on)."""
    out = ReviewCheck()
    replay = _Replay(session, by_exc, stored_at)
    replay.load()
    for row in replay.rows.values():
        for name in FIELDS:
            if not replay.check(row, name, out):
                out.unrecorded += 1
    return out
