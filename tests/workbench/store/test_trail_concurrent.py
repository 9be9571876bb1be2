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
    start.wait(60)
    for i in range(EVENTS):
        try:
            with store.session() as s:
                trail.append(s, actor=f"worker{worker}", action="test.append", entity_type="test",
                             entity_id=f"{worker}-{i}")
        except Exception as exc:  # the assertion shows what the user would have seen
            failed.append(f"{type(exc).__name__}: {str(exc).splitlines()[0]}")
    store.dispose()
    return failed


def test_processes_appending_at_once_to_a_sqlite_store_lose_nothing(store):
    ctx = mp.get_context("spawn")
    with ctx.Manager() as manager, ctx.Pool(WORKERS) as pool:
        start = manager.Event()
        pending = [pool.apply_async(_append_many, (store.url, w, start)) for w in range(WORKERS)]
        start.set()
        failed = [f for p in pending for f in p.get(timeout=240)]
        pool.close()
        pool.join()
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
        assert sum(1 for a, b in zip(actors, actors[1:]) if a != b) >= WORKERS  # they really interleaved
