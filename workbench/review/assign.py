"""Assigning exceptions to a person, one audit event per exception changed."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select

from workbench.close.lock import ensure_open
from workbench.store import trail
from workbench.errors import InputError
from workbench.model.changes import ChangedIds, Changes
from workbench.store.db import Store
from workbench.store.repo import carried_copies
from workbench.store.chunks import chunks
from workbench.store.schema import ExceptionRow
from workbench.team.users import require



def assign(store: Store, exception_ids: Sequence[int], user: str, assignee: str | None) -> ChangedIds:
    """Give exceptions to ``assignee`` (None or "" unassigns). Returns the ids that changed."""
    ids = sorted({int(i) for i in exception_ids})
    if not ids:
        raise InputError("no exceptions given")
    who = (assignee or "").strip() or None
    changed: list[int] = []
    with store.session() as s:
        require(s, user, "assign")
        rows: dict[int, ExceptionRow] = {}
        for part in chunks(ids):
            rows.update({e.id: e for e in s.execute(select(ExceptionRow).where(
                ExceptionRow.id.in_(part)).with_for_update()).scalars()})
        missing = [i for i in ids if i not in rows]
        if missing:
            raise InputError(f"exception {missing[0]} does not exist in this store")
        for i in ids:
            exc = rows[i]
            if exc.assignee == who:
                continue
            before = exc.assignee

            def carried(row: ExceptionRow, was: str | None = before) -> bool:
                return row.assignee == was

            # the finding in later runs that carried this assignment from it gets the new one too
            for row in [exc, *carried_copies(s, exc, carried)]:
                ensure_open(s, run_id=row.run_id)
                row.assignee = who
                row.version = (row.version or 1) + 1
                s.flush()
                trail.append(s, actor=user, action="exception.assigned", entity_type="exception", entity_id=row.id,
                             run_id=row.run_id, detail={"key": row.key, "assignee_before": before,
                                                        "assignee_after": who, "version": row.version})
                changed.append(row.id)
    return ChangedIds(changed, Changes.of(exceptions=changed))
