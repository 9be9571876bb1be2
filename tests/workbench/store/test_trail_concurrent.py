"""Several processes writing to one SQLite store at once: every event is kept and the chain holds.

A transaction whose first write is its audit event held no database lock when the chain's head
was read (pysqlite begins a transaction at the first INSERT/UPDATE/DELETE), so two processes chained
onto the same head and the second failed with an IntegrityError: its change was lost."""

from __future__ import annotations

import multiprocessing as mp

from sqlalchemy import select

from workbench.store import anchor, trail
from workbench.store.schema import AuditEvent

WORKERS, EVENTS = 3, 10


def _append_many(url: str, worker: int, start) -> list[str]:
    from workbench.store.db import open_store
    store = open_store(url, migrate=False)
    failed = []
    start.wait(60)  # every worker started and its store open: they write at once
    for i in range(EVENTS):
        try:
            with store.session() as s:
                trail.append(s, actor=f"worker{worker}", action="test.append", entity_type="test",
                             entity_id=f"{worker}-{i}")
        except Exception as exc:  # the assertion shows what the user would have seen
            failed.append(f"{type(exc).__name__}: {str(exc).splitlines()[0]}")
    store.dispose()
    return failed


def _round(url: str) -> list[str]:
    """The workers' appends to the store at ``url``, all at once: what failed."""
    ctx = mp.get_context("spawn")
    with ctx.Manager() as manager, ctx.Pool(WORKERS) as pool:
        # a barrier, not an event set at once: a worker spawned late found the event set and the others done
        start = manager.Barrier(WORKERS)
        pending = [pool.apply_async(_append_many, (url, w, start)) for w in range(WORKERS)]
        failed = [f for p in pending for f in p.get(timeout=240)]
        pool.close()
        pool.join()
    return failed


def test_processes_appending_at_once_to_a_sqlite_store_lose_nothing(tmp_path):
    from workbench.store.db import open_store
    # A round whose workers happened to write one after another (the OS ran one to its end before the others
    # woke) proves nothing about writing at once: such a round is run again, on a store of its own.
    for attempt in range(5):
        store = open_store(f"sqlite:///{tmp_path / f'round{attempt}.sqlite3'}")
        try:
            failed = _round(store.url)
            assert failed == []
            with store.session() as s:
                check = trail.verify(s)
                assert check.ok, check.reason
                assert check.checked == WORKERS * EVENTS
                assert set(s.execute(select(AuditEvent.entity_id)).scalars()) == {
                    f"{w}-{i}" for w in range(WORKERS) for i in range(EVENTS)}
                assert not s.execute(select(AuditEvent).where(AuditEvent.action == anchor.MISMATCH)).first()
                count, head = trail.head(s)
                assert [p for p in anchor.check(s, store.url, count, head).problems if "MAC" not in p] == []
                actors = list(s.execute(select(AuditEvent.actor).order_by(AuditEvent.id)).scalars())
        finally:
            store.dispose()
        if sum(1 for a, b in zip(actors, actors[1:]) if a != b) >= WORKERS:  # they really interleaved
            return
    raise AssertionError("in 5 rounds the workers never wrote at once: nothing was tested")
