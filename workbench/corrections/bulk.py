"""Acting on a big selection of exceptions (the queue's "all matching": up to a million ids),
a chunk of ids per transaction, so no SQL IN list goes past a database's parameter limit."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from workbench.corrections import service
from workbench.model.changes import ChangedIds, Changes
from workbench.store.chunks import chunks
from workbench.store.db import Store

def waive(store: Store, exception_ids: Sequence[int], user: str, reason: str) -> ChangedIds:
    """``service.waive`` over any number of exceptions; returns those waived."""
    return _in_chunks(exception_ids, lambda chunk: service.waive(store, chunk, user, reason))


def approve_for(store: Store, exception_ids: Sequence[int], user: str) -> ChangedIds:
    """Approve the proposed corrections of these exceptions that ``user`` did not prepare."""
    return _in_chunks(exception_ids, lambda chunk: service.approve_matching(store, user, exception_id=chunk))


def _in_chunks(ids: Sequence[int], act: Callable[[list[int]], ChangedIds]) -> ChangedIds:
    done: list[int] = []
    changes = Changes()
    for ids_part in chunks(ids):
        part = act([int(x) for x in ids_part])
        done.extend(part)
        changes |= part.changes
    return ChangedIds(done, changes)
