"""Team load test: N worker processes approve and push corrections through one PostgreSQL database.

What a month-end close with a whole team looks like to the database: five people (each a
preparer and an approver) proposed corrections; now five app instances approve each
other's work and push at the same time into the Business Central sandbox over HTTP.

It checks, and prints, what a controller would ask afterwards:
- duplicates: records the ERP wrote more than once (must be 0)
- lost: corrections not applied, or applied without the value arriving (must be 0)
- self-approved: corrections approved by their own preparer (must be 0)
- the audit chain verifies; one "applied" event per correction
and the throughput of the approve+push phase.

    .venv/bin/python benchmarks/load_team.py                      # 10,000 corrections, 5 workers
    .venv/bin/python benchmarks/load_team.py --corrections 500 --json
    .venv/bin/python benchmarks/load_team.py --db postgresql+psycopg://user@host/db   # an existing, empty database

Without --db it starts a throwaway PostgreSQL 15 cluster (initdb/pg_ctl on PATH).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import random
import sys
import tempfile
import time
import uuid
from datetime import date, datetime, UTC
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

FIELDS = ("city", "city_to")  # canonical field written, and how the new value is built


def _users(n: int) -> list[str]:
    return [f"controller{i + 1}" for i in range(n)]


# ------------------------------------------------------------------ setup (main process)

def setup_store(url: str, handle: Any, n: int, users: list[str]) -> int:
    """Users, a run whose config points at the sandbox, one exception per ERP customer."""
    from sqlalchemy import insert

    from workbench.sandbox.erp import demo_config
    from workbench.store.db import open_store
    from workbench.store.schema import ExceptionRow, Run
    from workbench.team.users import register_user

    store = open_store(url)
    try:
        config = {"run": {"name": "load test", "as_of": "2026-10-31"},
                  "crm": {"connector": "files", "system": "salesforce"}, "erp": demo_config(handle)}
        now = datetime.now(UTC)
        with store.session() as s:
            register_user(s, "admin", "admin", ["admin"])
            for u in users:
                register_user(s, "admin", u, ["preparer", "approver"])
            run = Run(name="load test", status="completed", started_at=now, finished_at=now,
                      as_of=date(2026, 10, 31), user_name="admin", software_version="load", config=config)
            s.add(run)
            s.flush()
            run_id = run.id
            recs = [d for _, d, _ in handle.store.scan("customers")][:n]
            rows = []
            for i, d in enumerate(recs):
                new_city = f"{d['city']} {i} Nord"
                rows.append({
                    "run_id": run_id, "key": f"customer.attribute_mismatch||{d['id']}|city",
                    "type": "customer.attribute_mismatch", "family": "customer", "severity": "medium",
                    "status": "open", "crm_object": None, "crm_id": None, "erp_object": "customers",
                    "erp_id": d["id"], "customer_name": d["displayName"], "field": "city", "crm_value": new_city,
                    "erp_value": d["city"], "difference": None, "amount_at_risk": Decimal("0"), "currency": None,
                    "diffs": [{"field": "city", "crm": new_city, "erp": d["city"]}],
                    "proposal": {"target_side": "erp", "target_system": "business_central", "object": "customers",
                                 "record_id": d["id"], "field": "city", "from": d["city"], "to": new_city,
                                 "needs_decision": False, "reason": "the CRM holds the current address"},
                    "message": "city differs", "first_seen": now, "last_seen": now, "version": 1})
            for i in range(0, len(rows), 2000):
                s.execute(insert(ExceptionRow), rows[i:i + 2000])
        return run_id
    finally:
        store.dispose()


def seed_sandbox(n: int, state_dir: Path):
    from workbench.sandbox.erp import start
    rng = random.Random(7)
    cities = ["Bologna", "Lyon", "Leeds", "Graz", "Porto", "Utrecht", "Aarhus", "Gent"]
    customers = [{"record_id": str(uuid.UUID(int=rng.getrandbits(128))), "name": f"Customer {i:05d} GmbH",
                  "number": f"C{i:05d}", "city": rng.choice(cities), "country": "DE", "currency": "EUR"}
                 for i in range(n)]
    return start(flavor="business-central", state_dir=state_dir, data={"customers": customers})


# ------------------------------------------------------------------ workers

def propose_share(url: str, me: str, worker: int, workers: int, barrier) -> dict[str, Any]:
    """Phase 1: each controller prepares their share of the corrections."""
    from sqlalchemy import select

    from workbench.corrections import service
    from workbench.store.db import open_store
    from workbench.store.schema import ExceptionRow
    store = open_store(url)
    with store.session() as s:
        mine = [i for i in s.execute(select(ExceptionRow.id).order_by(ExceptionRow.id)).scalars()
                if i % workers == worker]
    barrier.wait()  # timing starts when everyone is ready: process start-up and imports are not the database's
    t0 = time.perf_counter()
    for eid in mine:
        service.propose(store, eid, me)
    store.dispose()
    return {"worker": me, "proposed": len(mine), "seconds": time.perf_counter() - t0}


def approve_and_push(url: str, me: str, seed: int, batch: int, barrier) -> dict[str, Any]:
    """Phase 2: approve a window of others' proposals, push, repeat until nothing is left."""
    from sqlalchemy import func, select

    from workbench.corrections import service
    from workbench.corrections.outbox.push import Backoff
    from workbench.errors import IllegalTransition, StaleState
    from workbench.store.db import open_store
    from workbench.store.schema import Correction
    rng = random.Random(seed)
    store = open_store(url)
    stats = {"worker": me, "approved": 0, "approve_collisions": 0, "pushed": 0, "push_calls": 0, "rounds": 0}
    barrier.wait()
    t0 = time.perf_counter()
    idle = 0
    while True:
        stats["rounds"] += 1
        with store.session() as s:
            todo = list(s.execute(select(Correction.id).where(Correction.state == "proposed",
                                                              Correction.preparer != me)
                                  .order_by(Correction.id)).scalars())
        if todo:
            start = rng.randrange(len(todo))
            window = todo[start:start + batch] or todo[:batch]
            try:
                stats["approved"] += len(service.approve(store, window, me))
            except (StaleState, IllegalTransition):
                stats["approve_collisions"] += 1  # another approver took (part of) this window first
        rep = service.push(store, me, backoff=Backoff(base=0.05, cap=0.5), batch_size=100)
        stats["pushed"] += rep.counts.get("applied", 0) + rep.counts.get("already_applied", 0)
        stats["push_calls"] += rep.requests
        with store.session() as s:
            open_left = s.execute(select(func.count()).select_from(Correction).where(
                Correction.state.in_(["proposed", "approved", "queued", "pushing"]))).scalar()
            mine_left = s.execute(select(func.count()).select_from(Correction).where(
                Correction.state == "proposed", Correction.preparer != me)).scalar()
        if not open_left:
            break
        if not todo and not mine_left and not rep.requests:
            idle += 1  # only others' work is left in flight, or my own proposals wait for someone else
            if idle > 2000:
                stats["gave_up"] = True
                break
            time.sleep(0.02)
        else:
            idle = 0
    store.dispose()
    stats["seconds"] = time.perf_counter() - t0
    return stats


# ------------------------------------------------------------------ checks

def check(url: str, handle: Any, run_id: int) -> dict[str, Any]:
    from sqlalchemy import func, select

    from workbench.store.trail import verify
    from workbench.store.db import open_store
    from workbench.store.schema import AuditEvent, Correction
    store = open_store(url)
    try:
        with store.session() as s:
            corrs = list(s.execute(select(Correction.id, Correction.target_record, Correction.to_value,
                                          Correction.state, Correction.preparer, Correction.approver)))
            applied_events = dict(s.execute(select(AuditEvent.entity_id, func.count())
                                            .where(AuditEvent.action == "correction.applied")
                                            .group_by(AuditEvent.entity_id)).all())
            chain = verify(s)
    finally:
        store.dispose()
    states: dict[str, int] = {}
    for c in corrs:
        states[c.state] = states.get(c.state, 0) + 1
    duplicates = lost = wrong_value = 0
    for c in corrs:
        got = handle.store.get("customers", c.target_record)
        rec, version = got if got else ({}, 0)
        writes = version - 1  # seeded at version 1; every accepted write adds one
        if writes > 1:
            duplicates += 1
        if c.state != "applied" or writes < 1:
            lost += 1
        elif rec.get("city") != c.to_value:
            wrong_value += 1
    return {"corrections": len(corrs), "states": states, "duplicates": duplicates, "lost": lost,
            "wrong_value": wrong_value,
            "self_approved": sum(1 for c in corrs if c.approver == c.preparer),
            "unapproved_applied": sum(1 for c in corrs if c.state == "applied" and not c.approver),
            "applied_events_not_one": sum(1 for c in corrs if applied_events.get(str(c.id), 0) != 1),
            "audit_chain_ok": chain.ok, "audit_events": chain.checked}


# ------------------------------------------------------------------ main

def run(url: str, corrections: int, workers: int, batch: int) -> dict[str, Any]:
    import psutil
    ctx = mp.get_context("spawn")
    users = _users(workers)
    with tempfile.TemporaryDirectory(prefix="load-team-") as tmp:
        t0 = time.perf_counter()
        handle = seed_sandbox(corrections, Path(tmp) / "bc")
        try:
            run_id = setup_store(url, handle, corrections, users)
            setup_s = time.perf_counter() - t0
            with ctx.Manager() as mgr, ctx.Pool(workers) as pool:
                barrier = mgr.Barrier(workers)
                props = [pool.apply_async(propose_share, (url, u, i, workers, barrier)) for i, u in enumerate(users)]
                propose_s = max(p.get(timeout=3600)["seconds"] for p in props)
                barrier = mgr.Barrier(workers)
                jobs = [pool.apply_async(approve_and_push, (url, u, 100 + i, batch, barrier))
                        for i, u in enumerate(users)]
                per_worker = [j.get(timeout=3600) for j in jobs]
                push_s = max(w["seconds"] for w in per_worker)
            result = check(url, handle, run_id)
            result.update({"workers": workers, "setup_seconds": round(setup_s, 2),
                           "propose_seconds": round(propose_s, 2), "approve_push_seconds": round(push_s, 2),
                           "throughput_per_second": round(corrections / push_s, 1) if push_s else None,
                           "sandbox_requests": handle.requests, "per_worker": per_worker,
                           "peak_rss_mb": round(psutil.Process().memory_info().rss / 2 ** 20, 1)})
            return result
        finally:
            handle.stop()


def _local_cluster():
    from tests.pgserver import PgCluster, _server_user
    root = Path(tempfile.mkdtemp(prefix="load-team-pg-"))
    cluster = PgCluster(root, _server_user())
    cluster.init()
    cluster.start()
    return cluster, root


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corrections", type=int, default=10_000)
    ap.add_argument("--workers", type=int, default=5)
    ap.add_argument("--batch", type=int, default=200, help="corrections approved per approval")
    ap.add_argument("--db", help="an empty PostgreSQL database (default: start a throwaway cluster)")
    ap.add_argument("--json", action="store_true", help="print the result as JSON")
    args = ap.parse_args(argv)
    cluster = root = None
    url = args.db
    if url is None:
        import shutil
        cluster, root = _local_cluster()
        from tests.pgserver import create_database
        url = create_database(cluster.url, "load_team")
    try:
        from workbench.store.pg import upgrade_database
        upgrade_database(url)
        res = run(url, args.corrections, args.workers, args.batch)
    finally:
        if cluster is not None:
            cluster.stop()
            import shutil
            shutil.rmtree(root, ignore_errors=True)
    if args.json:
        print(json.dumps(res, default=str))
    else:
        print(f"{'corrections':<14}{'workers':>8}{'approve+push s':>16}{'per second':>12}{'propose s':>11}"
              f"{'duplicates':>12}{'lost':>6}{'self-approved':>15}{'chain':>7}{'peak MB':>9}")
        print(f"{res['corrections']:<14,}{res['workers']:>8}{res['approve_push_seconds']:>16.1f}"
              f"{res['throughput_per_second']:>12.1f}{res['propose_seconds']:>11.1f}{res['duplicates']:>12}"
              f"{res['lost']:>6}{res['self_approved']:>15}{'ok' if res['audit_chain_ok'] else 'BROKEN':>7}"
              f"{res['peak_rss_mb']:>9.0f}")
        print(f"states: {res['states']}; sandbox HTTP requests: {res['sandbox_requests']:,}; "
              f"approval collisions: {sum(w['approve_collisions'] for w in res['per_worker'])}")
    ok = (res["duplicates"] == res["lost"] == res["self_approved"] == res["wrong_value"] == 0
          and res["audit_chain_ok"] and res["applied_events_not_one"] == 0)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
