"""Push benchmark: N approved corrections pushed to each sandbox over real HTTP(S).

For each system (Salesforce through simple-salesforce and Composite; Business
Central and Odoo through httpx) it starts the sandbox with N customers, proposes and
approves one correction per customer (its city), pushes them all, and prints: requests the
sandbox served for the push (writes, the compare-before-write reads, the verification
reads; Salesforce's sandbox counts API calls: one query per 200 records read, one describe, one
Composite call per 25 written; Composite against Collections: bench_salesforce_writes.py), seconds,
corrections per second, the process's peak memory, and the end states.
Duplicates are counted from the ERP sandboxes' own per-record write counter (Salesforce's
sandbox keeps none: n/a).

    .venv/bin/python benchmarks/bench_push.py                       # 10,000 per sandbox
    .venv/bin/python benchmarks/bench_push.py --n 1000 --systems business_central

Each system runs in its own subprocess so the memory figure is its own.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import date, datetime, UTC
from pathlib import Path
from typing import Any
from collections.abc import Callable

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

SYSTEMS = ("salesforce", "business_central", "odoo")


@dataclass
class Target:
    system: str
    side: str
    handle: Any
    side_config: dict[str, Any]
    records: list[tuple[str, Any]]  # (record id as the connector reports it, current city)
    requests: Callable[[], int]
    writes: Callable[[str], int] | None = None  # the sandbox's write counter for a record, when it has one
    city: Callable[[str], Any] = lambda rid: None
    extra: dict[str, Any] = field(default_factory=dict)

    def stop(self) -> None:
        self.handle.stop()


def start_target(system: str, n: int, workdir: Path, **connector_options: Any) -> Target:
    """Start the sandbox with ``n`` customers and read them back through the real connector."""
    from workbench.config import from_dict
    from workbench.sources import open_source
    if system == "salesforce":
        import pandas as pd

        from workbench.model import frames
        from workbench.model.records import Customer
        from workbench.sandbox import salesforce as sf
        from workbench.sandbox.scenario_ids import salesforce_ids
        ids = salesforce_ids("001", 1, n)
        custs = frames.from_records("customers", [
            Customer(record_id=str(ids[i]), name=f"Bench Customer {i}", number=f"C{i:06d}", city=f"Oldtown {i}",
                     country="US", currency="USD") for i in range(n)])
        h = sf.start(port=0, state_dir=workdir / "sf", frames={"customers": custs})
        side_cfg = sf.demo_config(h)
        side_cfg["salesforce"].update(connector_options)
        side = "crm"

        def requests() -> int:
            return sum(h.api_calls.values())

        def writes(rid: str) -> int:
            return h.write_count("Account", rid)

        def city(rid: str) -> Any:
            return (h.record("Account", rid) or {}).get("BillingCity")
        _ = pd
    else:
        from workbench.sandbox import erp
        flavor = "business-central" if system == "business_central" else "odoo"
        h = erp.start(flavor=flavor, customers=n, state_dir=workdir / flavor)
        side_cfg = erp.demo_config(h)
        side_cfg[system].update(connector_options)
        side = "erp"
        entity = "customers" if system == "business_central" else "res.partner"

        def requests() -> int:
            return h.requests

        def writes(rid: str) -> int:
            return h.store.get(entity, rid)[1]

        def city(rid: str) -> Any:
            return h.store.get(entity, rid)[0]["city"]
    raw = {"run": {"name": "bench", "as_of": "2026-10-31"}, side: side_cfg,
           ("erp" if side == "crm" else "crm"): {"connector": "files", "system": "files"}}
    src = open_source(side, from_dict(raw))
    try:
        ext = src.pull()
    finally:
        src.close()
    cust = ext.frame("customers")
    recs = list(zip(cust["record_id"].tolist(), cust["city"].tolist()))[:n]
    return Target(system, side, h, side_cfg, recs, requests, writes, city)


def add_corrections(store, t: Target, *, field: str = "city", to=lambda i: f"Newtown {i}",
                    fields_for: Callable[[int], str] | None = None,
                    from_for: Callable[[int, str], Any] | None = None) -> list[int]:
    """One exception + proposal per record, proposed by bob and approved by ann (bulk)."""
    from workbench.corrections import service
    from workbench.store.schema import ExceptionRow, Run
    now = datetime.now(UTC)
    other = "erp" if t.side == "crm" else "crm"
    config = {"run": {"name": "bench", "as_of": "2026-10-31"}, t.side: t.side_config,
              other: {"connector": "files", "system": "files"}}
    with store.session() as s:
        run = Run(name="bench", status="completed", started_at=now, finished_at=now, as_of=date(2026, 10, 31),
                  user_name="bob", software_version="bench", config=config)
        s.add(run)
        s.flush()
        rows = []
        for i, (rid, city) in enumerate(t.records):
            f = fields_for(i) if fields_for else field
            rows.append(ExceptionRow(
                run_id=run.id, key=f"customer.attribute_mismatch|{rid}|{f}", type="customer.attribute_mismatch",
                family="customer", severity="low", field=f, customer_name=f"Customer {i}",
                **{f"{t.side}_object": "customers", f"{t.side}_id": rid},
                proposal={"target_side": t.side, "target_system": t.system, "object": "customers", "record_id": rid,
                          "field": f, "from": from_for(i, f) if from_for else city, "to": to(i),
                          "needs_decision": False},
                first_seen=now, last_seen=now))
        s.add_all(rows)
        s.flush()
        eids = [r.id for r in rows]
    cids = [service.propose(store, e, "bob") for e in eids]
    for k in range(0, len(cids), 1000):
        service.approve(store, cids[k:k + 1000], "ann")
    return cids


def outcome(store, t: Target, before: dict[str, int] | None, expected: Callable[[int], Any]) -> dict[str, Any]:
    """End states, and from the sandbox: duplicates (written twice) and lost (not as the store says)."""
    from sqlalchemy import select

    from workbench.store.trail import verify
    from workbench.store.schema import Correction
    with store.session() as s:
        corr = {c.target_record: c for c in s.execute(select(Correction)).scalars()}
        chain = verify(s).ok
    states: dict[str, int] = {}
    for c in corr.values():
        states[c.state] = states.get(c.state, 0) + 1
    dup = lost = 0
    no_reason = 0
    for i, (rid, _) in enumerate(t.records):
        c = corr[rid]
        w = (t.writes(rid) - before[rid]) if (t.writes and before is not None) else None
        if w is not None and w > 1:
            dup += 1
        if c.state not in ("applied", "conflict", "dead_letter"):
            lost += 1
        elif c.state == "applied" and str(t.city(rid)) != str(expected(i)) and c.field == "city":
            lost += 1
        elif c.state != "applied" and w:
            lost += 1
        if c.state in ("conflict", "dead_letter") and not c.last_error:
            no_reason += 1
    return {"states": states, "duplicates": dup if t.writes else None, "lost": lost, "without_reason": no_reason,
            "chain_ok": chain}


def one(system: str, n: int) -> dict[str, Any]:
    from workbench.corrections import service
    from workbench.corrections.outbox.push import Backoff
    from workbench.store.db import open_store
    with tempfile.TemporaryDirectory(prefix="bench-push-") as tmp:
        work = Path(tmp)
        t = start_target(system, n, work)
        try:
            store = open_store(f"sqlite:///{work / 'store.sqlite3'}")
            add_corrections(store, t)
            before = {rid: t.writes(rid) for rid, _ in t.records} if t.writes else None
            r0 = t.requests()
            t0 = time.perf_counter()
            rep = service.push(store, "ann", backoff=Backoff(base=0.2, cap=5))
            secs = time.perf_counter() - t0
            used = t.requests() - r0
            res = outcome(store, t, before, lambda i: f"Newtown {i}")
            store.dispose()
        finally:
            t.stop()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    n = len(t.records)  # the ERP sandboxes' built-in data may hold a few customers fewer than asked
    return {"system": system, "n": n, "seconds": round(secs, 2), "requests": used, "push_calls": rep.requests,
            "per_second": round(n / secs, 1), "peak_mib": round(peak, 1), "verified": rep.verified, **res}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=10_000)
    ap.add_argument("--systems", default=",".join(SYSTEMS))
    ap.add_argument("--one", help=argparse.SUPPRESS)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    if args.one:
        print(json.dumps(one(args.one, args.n)))
        return 0
    rows = []
    for system in args.systems.split(","):
        p = subprocess.run([sys.executable, __file__, "--one", system, "--n", str(args.n)], capture_output=True,
                           text=True, cwd=str(ROOT))
        if p.returncode != 0:
            print(f"{system}: failed: {p.stderr.strip().splitlines()[-1] if p.stderr.strip() else p.returncode}",
                  file=sys.stderr)
            continue
        rows.append(json.loads(p.stdout.strip().splitlines()[-1]))
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    print(f"{'system':<17} {'corrections':>11} {'seconds':>8} {'per s':>7} {'requests':>9} "
          f"{'peak MiB':>9} {'applied':>8} {'duplicates':>10} {'lost':>5} {'agreed':>7}")
    for r in rows:
        dup = "n/a" if r["duplicates"] is None else r["duplicates"]
        print(f"{r['system']:<17} {r['n']:>11,} {r['seconds']:>8} {r['per_second']:>7} {r['requests']:>9,} "
              f"{r['peak_mib']:>9} {r['states'].get('applied', 0):>8,} {dup:>10} "
              f"{r['lost']:>5} {r['verified'].get('agreed', 0):>7,}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
