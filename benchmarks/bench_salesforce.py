"""Salesforce connector at scale against the sandbox org (default 100,000 accounts, 10,000 corrections).

    .venv/bin/python benchmarks/bench_salesforce.py [--accounts 100000] [--corrections 10000]

The sandbox runs in a child process, so the connector's memory and time are measured
alone. Prints one table: step, records, API calls, seconds, records/s, peak memory
(resident memory above the step's start, sampled), and the target from issue 3
(pull through Bulk 2.0 in at most 10 calls; push in at most ceil(n/200) writes plus
the re-reads it needs). The peer is the REST pull of the same records.
"""

from __future__ import annotations

import argparse
import math
import multiprocessing as mp
import sys
import tempfile
import time
from datetime import datetime, UTC
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def frames_for(n: int):
    from workbench.model import frames
    stamp = datetime(2026, 10, 1, tzinfo=UTC)
    countries = ["DE", "US", "GB", "FR", "JP"]
    ccy = {"DE": "EUR", "US": "USD", "GB": "GBP", "FR": "EUR", "JP": "JPY"}
    rows = [{"record_id": f"c{i}", "name": f"Customer {i:06d}", "number": f"A-{i:06d}", "xref": f"C{i}",
             "street": f"{i} Main Street", "city": "Berlin", "postcode": f"{10000 + i % 89999}",
             "country": countries[i % 5], "currency": ccy[countries[i % 5]], "last_modified": stamp}
            for i in range(n)]
    return {"customers": frames.from_records("customers", rows)}


def serve(n: int, state_dir: str, q) -> None:
    from workbench.sandbox import salesforce as sandbox
    h = sandbox.start(frames=frames_for(n), state_dir=Path(state_dir), api_max=1_000_000)
    q.put(h.info)
    threading_event = __import__("threading").Event()
    threading_event.wait()


def connector(info: dict, **settings):
    from workbench.config import from_dict
    from workbench.sources import open_source
    sf = {"auth": "jwt", "login_url": info["login_url"], "instance_url": info["instance_url"],
          "api_version": info["api_version"], "ca_bundle": info["ca_bundle"], "bulk_poll_seconds": 0.2,
          "username": info["credentials"]["jwt"]["username"],
          "consumer_key": info["credentials"]["jwt"]["consumer_key"],
          "private_key_file": info["credentials"]["jwt"]["private_key_file"], **settings}
    return open_source("crm", from_dict({"crm": {"connector": "salesforce", "system": "salesforce",
                                                 "salesforce": sf, "objects": {"customers": {}}},
                                         "erp": {"connector": "files"}}))


def measure(fn):
    """Run fn; seconds and the peak resident memory above the start (sampled every 20 ms)."""
    import threading
    import psutil
    proc = psutil.Process()
    base = proc.memory_info().rss
    peak = [base]
    done = threading.Event()

    def sample():
        while not done.wait(0.02):
            peak[0] = max(peak[0], proc.memory_info().rss)
    th = threading.Thread(target=sample, daemon=True)
    th.start()
    t = time.perf_counter()
    out = fn()
    seconds = time.perf_counter() - t
    done.set()
    th.join()
    peak[0] = max(peak[0], proc.memory_info().rss)
    return out, seconds, (peak[0] - base) / 2**20


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--accounts", type=int, default=100_000)
    ap.add_argument("--corrections", type=int, default=10_000)
    args = ap.parse_args()
    from workbench.sources.base import WriteRequest

    ctx = mp.get_context("spawn")
    q = ctx.Queue()
    with tempfile.TemporaryDirectory() as tmp:
        t = time.perf_counter()
        proc = ctx.Process(target=serve, args=(args.accounts, tmp, q), daemon=True)
        proc.start()
        info = q.get(timeout=900)
        print(f"sandbox seeded with {args.accounts:,} accounts in {time.perf_counter() - t:.1f} s", file=sys.stderr)
        rows = []
        try:
            src = connector(info, query_mode="rest")
            rest, s, peak = measure(src.pull)
            n = len(rest.frame("customers"))
            rows.append(("pull, REST query (peer)", n, src.client.meter.calls, s, peak,
                         f"{math.ceil(n / 2000) + 0} pages of 2,000"))
            src = connector(info, query_mode="auto", bulk_threshold=10_000)
            bulk, s, peak = measure(src.pull)
            rows.append(("pull, Bulk API 2.0", len(bulk.frame("customers")), src.client.meter.calls, s, peak,
                         "<= 10 calls"))
            acc = bulk.frame("customers").head(args.corrections)
            reqs = [WriteRequest(i, f"k{i}", "customers", rid, "city", city, f"Town {i}", ver)
                    for i, (rid, city, ver) in enumerate(zip(acc["record_id"], acc["city"], acc["version"]))]
            src = connector(info)
            results, s, peak = measure(lambda: src.push(reqs))
            outcomes = {o: sum(1 for r in results if r.outcome == o) for o in {r.outcome for r in results}}
            k = math.ceil(len(reqs) / 200)
            rows.append((f"push {outcomes}", len(reqs), src.client.meter.calls, s, peak,
                         f"<= {k} writes + {k} re-reads"))
            print(f"  push calls by resource: {src.client.meter.by_resource}", file=sys.stderr)
        finally:
            proc.terminate()
    print(f"\n{'step':<44} {'records':>9} {'API calls':>10} {'seconds':>9} {'records/s':>10} {'+RSS MiB':>9}  target")
    for step, n, calls, s, peak, target in rows:
        print(f"{step:<44} {n:>9,} {calls:>10,} {s:>9.2f} {n / s:>10,.0f} {peak:>9.1f}  {target}")


if __name__ == "__main__":
    main()
