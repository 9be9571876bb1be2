"""Kill test: push corrections from a subprocess, SIGKILL it at random points, restart, repeat.

What it proves, from the Business Central sandbox's own per-record write counter (each
accepted write bumps the record's version by one):
- duplicates: records written more than once (must be 0)
- lost: corrections that are not applied at the end, or applied without their value in
  the ERP, or records written with no applied correction to show for it (must be 0)
- the audit chain verifies, and every interrupted push was resolved by reading the target.

Kill points are chosen at random in terms of the sandbox's request count (so they fall
before, during and after writes, and between a write and its recording), plus a random
few milliseconds, with small claim batches so claims, writes and records interleave.

    .venv/bin/python benchmarks/kill_push.py                  # 60 kill points, 150 corrections
    .venv/bin/python benchmarks/kill_push.py --points 100 --corrections 300 --json
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from datetime import UTC

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

CHILD = r"""
import sys
from workbench.store.db import open_store
from workbench.corrections import service
from workbench.corrections.outbox.push import Backoff
store = open_store(sys.argv[1])
print("ready", flush=True)
service.push(store, "ann", backoff=Backoff(base=0.05, cap=0.2), batch_size=int(sys.argv[2]),
             recovery_grace=float(sys.argv[3]))
print("done", flush=True)
"""


def setup(workdir: Path, n: int) -> tuple[Any, str, list[int], list[dict[str, Any]]]:
    """A Business Central sandbox with ``n`` customers whose city is to change, proposed and approved
    (the sandbox's built-in data may hold a customer or two fewer than asked)."""
    from datetime import date, datetime

    from workbench.corrections import service
    from workbench.sandbox.erp import demo_config, start
    from workbench.store.db import open_store
    from workbench.store.schema import ExceptionRow, Run

    handle = start(flavor="business-central", customers=n, state_dir=workdir / "bc")
    url = f"sqlite:///{workdir / 'store.sqlite3'}"
    store = open_store(url)
    recs = [d for _, d, _ in handle.store.scan("customers")][:n]
    now = datetime.now(UTC)
    config = {"run": {"name": "kill test", "as_of": "2026-10-31"},
              "crm": {"connector": "files", "system": "salesforce"}, "erp": demo_config(handle)}
    with store.session() as s:
        run = Run(name="kill test", status="completed", started_at=now, finished_at=now, as_of=date(2026, 10, 31),
                  user_name="bob", software_version="bench", config=config)
        s.add(run)
        s.flush()
        rows = [ExceptionRow(run_id=run.id, key=f"customer.attribute_mismatch||{d['id']}|city",
                             type="customer.attribute_mismatch", family="customer", severity="low",
                             erp_object="customers", erp_id=d["id"], customer_name=d["displayName"], field="city",
                             crm_value=f"Newtown {i}", erp_value=d["city"],
                             proposal={"target_side": "erp", "target_system": "business_central",
                                       "object": "customers", "record_id": d["id"], "field": "city",
                                       "from": d["city"], "to": f"Newtown {i}", "needs_decision": False},
                             first_seen=now, last_seen=now) for i, d in enumerate(recs)]
        s.add_all(rows)
        s.flush()
        eids = [r.id for r in rows]
    cids = [service.propose(store, e, "bob") for e in eids]
    service.approve(store, cids, "ann")
    store.dispose()
    return handle, url, cids, recs


def kill_run(points: int, corrections: int, *, seed: int = 1, batch_size: int = 5, grace: float = 5.0,
             workdir: Path | None = None) -> dict[str, Any]:
    from sqlalchemy import select

    from workbench.store.trail import verify
    from workbench.store.db import open_store
    from workbench.store.schema import AuditEvent, Correction

    rng = random.Random(seed)
    tmp = None
    if workdir is None:
        tmp = tempfile.TemporaryDirectory(prefix="kill-push-")
        workdir = Path(tmp.name)
    handle, url, cids, recs = setup(workdir, corrections)
    before = {r["id"]: handle.store.get("customers", r["id"])[1] for r in recs}
    started = time.perf_counter()
    kills = finished_early = 0
    try:
        while kills < points:
            proc = subprocess.Popen([sys.executable, "-c", CHILD, url, str(batch_size), str(grace)],
                                    stdout=subprocess.PIPE,
                                    stderr=subprocess.PIPE, text=True, cwd=str(ROOT))
            if proc.stdout.readline().strip() != "ready":
                raise RuntimeError(f"push subprocess did not start: {proc.stderr.read()[-2000:]}")
            # a few corrections' worth of requests (read + write + verify each), so the queue
            # survives many kills instead of finishing after a handful
            target = handle.requests + rng.randint(0, 3 * batch_size)
            while proc.poll() is None and handle.requests < target:
                try:
                    proc.wait(timeout=0.001)
                except subprocess.TimeoutExpired:
                    pass
            if proc.poll() is None and rng.random() < 0.5:
                try:  # land some kills between requests, not only right after one arrives
                    proc.wait(timeout=rng.uniform(0, 0.02))
                except subprocess.TimeoutExpired:
                    pass
            if proc.poll() is None:
                os.kill(proc.pid, signal.SIGKILL)
                kills += 1
            else:
                finished_early += 1
            proc.wait()
            proc.stdout.close()
            proc.stderr.close()
            if _remaining(url) == 0 and proc.returncode == 0:
                break
        # the restart that finishes the queue
        final = subprocess.run([sys.executable, "-c", CHILD, url, str(batch_size), str(grace)], capture_output=True,
                               text=True,
                               cwd=str(ROOT))
        if final.returncode != 0:
            raise RuntimeError(f"final push failed: {final.stderr[-2000:]}")
        seconds = time.perf_counter() - started
        store = open_store(url)
        try:
            with store.session() as s:
                corr = {c.id: c for c in s.execute(select(Correction)).scalars()}
                chain = verify(s)
                recovered = s.execute(select(AuditEvent).where(AuditEvent.action.in_(
                    ["correction.applied", "correction.queued", "correction.conflict"]))).scalars()
                recovered = [e for e in recovered if (e.detail or {}).get("recovered_from_claim")]
        finally:
            store.dispose()
        by_record = {c.target_record: c for c in corr.values()}
        writes = {rid: handle.store.get("customers", rid)[1] - v for rid, v in before.items()}
        states: dict[str, int] = {}
        for c in corr.values():
            states[c.state] = states.get(c.state, 0) + 1
        duplicates = sum(1 for w in writes.values() if w > 1)
        lost = 0
        for i, r in enumerate(recs):
            c = by_record[r["id"]]
            value = handle.store.get("customers", r["id"])[0]["city"]
            if c.state in ("queued", "pushing", "approved", "failed"):
                lost += 1
            elif c.state == "applied" and (value != f"Newtown {i}" or writes[r["id"]] != 1):
                lost += 1
            elif c.state != "applied" and writes[r["id"]] != 0:
                lost += 1  # written, but the workbench does not know it
        return {"corrections": len(cids), "kill_points": kills, "finished_before_kill": finished_early,
                "states": states, "duplicates": duplicates, "lost": lost, "chain_ok": chain.ok,
                "events": chain.checked, "recovered": {"applied": sum(e.action == "correction.applied"
                                                                      for e in recovered),
                                                       "requeued": sum(e.action == "correction.queued"
                                                                       for e in recovered),
                                                       "conflict": sum(e.action == "correction.conflict"
                                                                       for e in recovered)},
                "seconds": round(seconds, 1)}
    finally:
        handle.stop()
        if tmp is not None:
            tmp.cleanup()


def _remaining(url: str) -> int:
    from sqlalchemy import create_engine, text
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return conn.execute(text("SELECT count(*) FROM corrections WHERE state NOT IN "
                                     "('applied', 'conflict', 'dead_letter', 'rejected', 'waived')")).scalar()
    finally:
        engine.dispose()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--points", type=int, default=60)
    ap.add_argument("--corrections", type=int, default=150)
    ap.add_argument("--batch-size", type=int, default=5)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--grace", type=float, default=5.0, help="seconds a recovered correction waits before it is "
                                                               "sent again (the push's recovery_grace)")
    ap.add_argument("--workdir", type=Path, help="keep the sandbox and store here for inspection")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    if args.workdir:
        args.workdir.mkdir(parents=True, exist_ok=True)
    res = kill_run(args.points, args.corrections, seed=args.seed, batch_size=args.batch_size, grace=args.grace,
                   workdir=args.workdir)
    if args.json:
        print(json.dumps(res, indent=2))
        return 0 if res["duplicates"] == res["lost"] == 0 and res["chain_ok"] else 1
    print(f"{'corrections':>11} {'kills':>6} {'applied':>8} {'conflict':>9} {'dead':>5} {'duplicates':>11} "
          f"{'lost':>5} {'recov.applied':>14} {'recov.requeued':>15} {'chain':>6} {'seconds':>8}")
    st, rc = res["states"], res["recovered"]
    print(f"{res['corrections']:>11} {res['kill_points']:>6} {st.get('applied', 0):>8} {st.get('conflict', 0):>9} "
          f"{st.get('dead_letter', 0):>5} {res['duplicates']:>11} {res['lost']:>5} {rc['applied']:>14} "
          f"{rc['requeued']:>15} {'ok' if res['chain_ok'] else 'BROKEN':>6} {res['seconds']:>8}")
    return 0 if res["duplicates"] == res["lost"] == 0 and res["chain_ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
