"""Salesforce write paths compared in one run: Composite (conditional, what the connector uses) against
sObject Collections (what it used before; no conditional headers, so a late edit is overwritten).

Both start from the same sandbox org with N customers (N = 10,000 by default), re-read the records in
200-id queries, and write one changed field (the city) per record:

- composite:   the connector's own push (25 PATCH subrequests per ``POST composite``, each with
               If-Unmodified-Since), including its one describe call;
- collections: ``PATCH composite/sobjects`` with 200 records per call, as the connector did before.

Prints write calls, all API calls, seconds, and the figures scaled to 10,000 corrections. API calls are
counted by the sandbox, as Salesforce counts them against the org's daily limit.

    .venv/bin/python benchmarks/bench_salesforce_writes.py [--n 10000]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.bench_push import start_target  # noqa: E402


def _source(t):
    from workbench.config import from_dict
    from workbench.sources import open_source
    return open_source("crm", from_dict({"run": {"name": "bench", "as_of": "2026-10-31"}, "crm": t.side_config,
                                         "erp": {"connector": "files", "system": "files"}}))


def composite(t) -> None:
    from workbench.sources.base import WriteRequest
    src = _source(t)
    try:
        out = src.push([WriteRequest(i, f"k{i}", "customers", rid, "city", city, f"Newtown {i}")
                        for i, (rid, city) in enumerate(t.records)])
    finally:
        src.close()
    bad = [r for r in out if r.outcome != "applied"]
    if bad:
        raise SystemExit(f"composite: {len(bad)} not applied, first: {bad[0].message}")


def collections(t) -> None:
    from workbench.sources.salesforce_client import json_body
    src = _source(t)
    try:
        m = src.map_for("customers")
        for i in range(0, len(t.records), 200):
            chunk = t.records[i:i + 200]
            src.read_raw(m, [rid for rid, _ in chunk], ["BillingCity"])
            body = {"allOrNone": False, "records": [{"attributes": {"type": "Account"}, "id": rid,
                                                     "BillingCity": f"Newtown {i + j}"}
                                                    for j, (rid, _) in enumerate(chunk)]}
            res = src.client.call("sObject Collections update", lambda sf, b=body: sf.restful(
                "composite/sobjects", method="PATCH", data=json_body(b).encode("utf-8")))
            if not all(r.get("success") for r in res):
                raise SystemExit(f"collections: a record failed: {res}")
    finally:
        src.close()


def run(path: str, n: int) -> dict:
    with tempfile.TemporaryDirectory(prefix=f"bench-sf-{path}-") as tmp:
        t = start_target("salesforce", n, Path(tmp))
        try:
            before = dict(t.handle.api_calls)
            t0 = time.perf_counter()
            (composite if path == "composite" else collections)(t)
            secs = time.perf_counter() - t0
            after = dict(t.handle.api_calls)
            calls = {k: after.get(k, 0) - before.get(k, 0) for k in after}
            assert all(t.city(rid) == f"Newtown {i}" for i, (rid, _) in enumerate(t.records[:50]))
        finally:
            t.stop()
    return {"path": path, "n": len(t.records), "seconds": secs, "writes": calls.get("composite", 0),
            "calls": sum(calls.values())}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=10_000)
    args = ap.parse_args()
    rows = [run(p, args.n) for p in ("composite", "collections")]
    print("| path | corrections | write calls | API calls | seconds | write calls / 10k | seconds / 10k |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        k = 10_000 / r["n"]
        print(f"| {r['path']} | {r['n']:,} | {r['writes']:,} | {r['calls']:,} | {r['seconds']:.1f} | "
              f"{r['writes'] * k:,.0f} | {r['seconds'] * k:.1f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
