"""The audit chain stays valid when several processes append to one PostgreSQL database at once."""

from __future__ import annotations

import multiprocessing as mp

import pytest
from sqlalchemy import select

from workbench.store import anchor, trail
from workbench.store.schema import AuditEvent

pytestmark = pytest.mark.postgres

WORKERS, EVENTS = 4, 30


def _append_many(url: str, worker: int, start) -> int:
    from workbench.store.db import open_store
    store = open_store(url)
    start.wait(60)
    for i in range(EVENTS):
        with store.session() as s:
            trail.append(s, actor=f"worker{worker}", action="test.append", entity_type="test",
                         entity_id=f"{worker}-{i}", detail={"i": i})
    store.dispose()
    return EVENTS


def test_concurrent_appends_from_several_processes_keep_one_valid_chain(pg_store):
    ctx = mp.get_context("spawn")
    with ctx.Manager() as manager, ctx.Pool(WORKERS) as pool:
        start = manager.Event()
        pending = [pool.apply_async(_append_many, (pg_store.url, w, start)) for w in range(WORKERS)]
        start.set()
        assert sum(p.get(timeout=120) for p in pending) == WORKERS * EVENTS
        pool.close()
        pool.join()
    with pg_store.session() as s:
        check = trail.verify(s)
        assert check.ok, check.reason
        assert check.checked == WORKERS * EVENTS
        ids = set(s.execute(select(AuditEvent.entity_id)).scalars())
        assert ids == {f"{w}-{i}" for w in range(WORKERS) for i in range(EVENTS)}
        # the writers really interleaved (otherwise this test proves nothing about concurrency)
        actors = list(s.execute(select(AuditEvent.actor).order_by(AuditEvent.id)).scalars())
        switches = sum(1 for a, b in zip(actors, actors[1:]) if a != b)
        assert switches >= WORKERS
        # the anchor moved with every commit: it ends where the trail ends, and no writer saw it elsewhere
        count, head_hash = trail.head(s)
        assert anchor.check(s, pg_store.url, count, head_hash).problems == []
        assert anchor.recorded_mismatches(s) == []
