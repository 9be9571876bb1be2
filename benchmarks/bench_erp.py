"""ERP connector benchmark: pull 100,000 customers and 1,000,000 invoices from the Business
Central sandbox, and push 10,000 corrections with some of them made stale on purpose.

The sandbox runs in its own process (as a real ERP would), so the memory figures are the
connector's alone. Peer: the same pages fetched with plain httpx + json.loads (no mapping,
no canonical frames, no snapshots), to show what the connector adds on top of the wire.

    .venv/bin/python benchmarks/bench_erp.py                 # full sizes
    .venv/bin/python benchmarks/bench_erp.py --customers 10000 --invoices 100000 --corrections 1000
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime, UTC
from decimal import Decimal
from pathlib import Path

import httpx
import psutil

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from workbench.config import from_dict
from workbench.sources import open_source
from workbench.sources.base import WriteRequest


def seed(state_dir: Path, customers: int, invoices: int) -> None:
    """Write the sandbox store directly (chunked: a million invoices never sit in memory at once)."""
    from workbench.sandbox.erp import business_central as bc
    from workbench.sandbox.erp import fixture
    from workbench.sandbox.erp.store import RecordStore

    store = RecordStore(state_dir / "business-central.sqlite3")
    custs = fixture.customers(customers, seed=1)
    for entity, rows in bc.from_canonical({"customers": custs}):
        store.insert_many(entity, rows)
    by_id = {c["record_id"]: c for c in custs}
    stamp = bc.now_iso()
    chunk: list = []
    for inv in fixture.invoices(custs, invoices, seed=1):
        chunk.append(bc.invoice_record(inv, by_id, {}, stamp))
        if len(chunk) == 50_000:
            store.insert_many("salesInvoices", chunk)
            chunk = []
    if chunk:
        store.insert_many("salesInvoices", chunk)
    store.set_meta("seeded", "1")
    store.close()


class PeakRss:
    """Peak resident memory of this process above a baseline, sampled every 20 ms."""

    def __init__(self) -> None:
        self.proc = psutil.Process()
        self.base = self.proc.memory_info().rss
        self.peak = self.base
        self._stop = threading.Event()
        self._t = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(0.02):
            self.peak = max(self.peak, self.proc.memory_info().rss)

    def __enter__(self) -> PeakRss:
        self._t.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._t.join()
        self.peak = max(self.peak, self.proc.memory_info().rss)

    @property
    def mib(self) -> float:
        return (self.peak - self.base) / 2**20


def start_server(state_dir: Path) -> tuple[subprocess.Popen, dict]:
    proc = subprocess.Popen([sys.executable, "-m", "workbench.sandbox.erp.cli", "erp", "--flavor",
                             "business-central", "--state-dir", str(state_dir)],
                            stdout=subprocess.PIPE, text=True, cwd=Path(__file__).resolve().parents[1])
    return proc, json.loads(proc.stdout.readline())


def connector(info: dict, objects: list[str]):
    os.environ["BENCH_BC_SECRET"] = info["client_secret"]
    table = {"connector": "business_central", "system": "business_central", "business_central": {
        "tenant": info["tenant"], "environment": info["environment"], "company": info["company_id"],
        "base_url": info["base_url"], "token_url": info["token_url"], "client_id": info["client_id"],
        "client_secret_env": "BENCH_BC_SECRET", "timeout": 300},
        "objects": {k: {"enabled": False} for k in ("customers", "products", "prices", "orders", "order_lines",
                                                    "invoices", "payments") if k not in objects}}
    return open_source("erp", from_dict({"crm": {"connector": "files"}, "erp": table}))


def peer_pull(info: dict, entity: str) -> tuple[int, int]:
    """Plain httpx + json.loads(parse_float=Decimal) following @odata.nextLink."""
    headers = {"Authorization": f"Bearer {info['access_token']}"}
    url, n, calls = f"{info['api_root']}/{entity}", 0, 0
    with httpx.Client(timeout=300) as client:
        while url:
            body = json.loads(client.get(url, headers=headers).content, parse_float=Decimal)
            calls += 1
            n += len(body["value"])
            url = body.get("@odata.nextLink")
    return n, calls


def phase(args: argparse.Namespace) -> dict:
    """One measured step, run in a fresh process so its peak memory is its own."""
    info = json.loads(os.environ["BENCH_INFO"])
    if args.phase == "pull":
        src = connector(info, [args.kind])
        with PeakRss() as mem:
            t = time.perf_counter()
            ex = src.pull()
            secs = time.perf_counter() - t
        return {"records": len(ex.frames[args.kind]), "requests": src.http.requests, "seconds": secs,
                "mib": mem.mib, "snapshots": len(ex.snapshots)}
    if args.phase == "peer":
        with PeakRss() as mem:
            t = time.perf_counter()
            n, calls = peer_pull(info, args.kind)
            secs = time.perf_counter() - t
        return {"records": n, "requests": calls, "seconds": secs, "mib": mem.mib}
    src = connector(info, ["customers"])
    custs = src.pull().frames["customers"].head(args.corrections)
    reqs = [WriteRequest(i, f"bench-{i}", "customers", r["record_id"], "city", r["city"], f"Newtown {i}",
                         seen_version=r["version"]) for i, r in enumerate(custs.to_dict("records"))]
    stale = sorted(random.Random(1).sample(range(len(reqs)), int(len(reqs) * args.stale_share)))
    other = connector(info, ["customers"])
    other.push([WriteRequest(10**6 + i, f"other-{i}", "customers", reqs[i].record_id, "name",
                             custs.iloc[i]["name"], custs.iloc[i]["name"] + " (renamed)",
                             seen_version=reqs[i].seen_version) for i in stale])
    before = src.http.requests
    with PeakRss() as mem:
        t = time.perf_counter()
        results = src.push(reqs)
        secs = time.perf_counter() - t
    outcomes: dict[str, int] = {}
    for r in results:
        outcomes[r.outcome] = outcomes.get(r.outcome, 0) + 1
    return {"records": len(reqs), "requests": src.http.requests - before, "seconds": secs, "mib": mem.mib,
            "stale": len(stale), "outcomes": outcomes}


def run_phase(info: dict, *argv: str) -> dict:
    out = subprocess.run([sys.executable, __file__, "--phase", *argv],
                         env={**os.environ, "BENCH_INFO": json.dumps(info)},
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--customers", type=int, default=100_000)
    ap.add_argument("--invoices", type=int, default=1_000_000)
    ap.add_argument("--corrections", type=int, default=10_000)
    ap.add_argument("--stale-share", type=float, default=0.05)
    ap.add_argument("--phase", choices=("pull", "peer", "push"))
    ap.add_argument("kind", nargs="?")
    args = ap.parse_args()
    if args.phase:
        print(json.dumps(phase(args)))
        return
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-erp-") as tmp:
        state = Path(tmp)
        t0 = time.perf_counter()
        seed(state, args.customers, args.invoices)
        print(f"seeded {args.customers:,} customers and {args.invoices:,} invoices in "
              f"{time.perf_counter() - t0:.1f}s", file=sys.stderr)
        server, info = start_server(state)
        try:
            for kind, entity, size in (("customers", "customers", args.customers),
                                       ("invoices", "salesInvoices", args.invoices)):
                r = run_phase(info, "pull", kind)
                assert r["records"] == size == r["snapshots"], (kind, r)
                rows.append((f"pull {kind}", f"{size:,}", r["requests"], f"{r['seconds']:.1f}",
                             f"{size / r['seconds']:,.0f}", f"{r['mib']:,.0f}", "canonical frames + raw snapshots"))
                r = run_phase(info, "peer", entity)
                rows.append((f"  peer: httpx+json {entity}", f"{r['records']:,}", r["requests"],
                             f"{r['seconds']:.1f}", f"{r['records'] / r['seconds']:,.0f}", f"{r['mib']:,.0f}",
                             "pages decoded, nothing kept"))
            r = run_phase(info, "push", "--corrections", str(args.corrections), "--stale-share",
                          str(args.stale_share))
            o = r["outcomes"]
            rows.append(("push corrections", f"{r['records']:,}", r["requests"], f"{r['seconds']:.1f}",
                         f"{r['records'] / r['seconds']:,.0f}", f"{r['mib']:,.0f}",
                         f"conflicts detected {o.get('conflict', 0):,} of {r['stale']:,} made stale; "
                         f"applied {o.get('applied', 0):,}"))
        finally:
            server.terminate()
            server.wait(timeout=30)
    head = ("what", "records", "requests", "seconds", "records/s", "peak MiB", "notes")
    widths = [max(len(str(r[i])) for r in rows + [head]) for i in range(len(head))]
    load = os.getloadavg()[0]
    print(f"ERP benchmark: Business Central sandbox in its own process; {os.cpu_count()} cores, load {load:.1f}; "
          f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC")
    for r in [head] + rows:
        print("  ".join(str(c).ljust(w) if i in (0, 6) else str(c).rjust(w)
                        for i, (c, w) in enumerate(zip(r, widths))))


if __name__ == "__main__":
    main()
