"""Incremental re-run benchmark: a full `workbench run` against the Salesforce sandbox and an ERP
sandbox (Business Central, or Odoo with ``--erp odoo``), 1% of the records changed on both sides
(updates, inserts, deletions through the systems' own APIs), then an incremental re-run and a forced
full re-run of the same data. Prints seconds and API calls (counted by the sandboxes) of each, the
ERP's HTTP calls and operations (a Business Central $batch counted as its inner requests) apart, the
ratios, whether both re-runs found the same exceptions, and the process's peak RSS; then each run's
seconds per step (plan, both sides' pulls, engine, save; inside the pulls, which ask the two systems at
once, each side's own steps: reading the previous run's extract, the system's pull, merge, and the
time spent waiting for each system, whose sandbox serves from this same process) and its API calls
per purpose (changes, counts, key-only reads for deletions, next pages, sign-in).

    .venv/bin/python benchmarks/bench_incremental.py --customers 3000 [--erp odoo] [--latency-ms 150]
        [--sandboxes apart]

``--latency-ms`` answers every HTTP API request of the three runs that much later, as a service elsewhere
on the network would (default 0: the sandboxes answer at once). ``--sandboxes apart`` serves both sandboxes
from a process of their own, so that what they do to answer is not done under the runs' interpreter lock
(default ``here``: this process).

``measure(customers, ...)`` returns the same figures as a dict (benchmarks/bench_run.py can call it).
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import resource
import sys
import tempfile
import threading
import time
import tomllib
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import requests

import workbench.pipeline as pipeline
import workbench.reconcile.engine as engine
import workbench.store.snapshots as snapshots
from workbench.config import from_dict
from workbench.pipeline import execute_run
from workbench.sandbox import erp, salesforce
from workbench.sandbox.churn import churn_business_central, churn_odoo, churn_salesforce
from workbench.sandbox.scenario import generate
from workbench.sources.business_central import BusinessCentralSource
from workbench.sources.http_common import HttpClient
from workbench.sources.odoo import OdooSource
from workbench.sources.salesforce import SalesforceSource
from workbench.store import repo
from workbench.store.db import open_store

COMPARED = ["key", "crm_value", "erp_value", "difference", "amount_at_risk", "currency"]


def _exceptions(store: Any, run_id: int) -> set[tuple[str, ...]]:
    frame = repo.load_exceptions(store, run_id)
    return {tuple(str(v) for v in row) for row in frame[COMPARED].itertuples(index=False)}


# The steps of a run whose seconds the benchmark reports: (label, owner, attribute).
STEPS: list[tuple[str, Any, str]] = [
    ("plan (find the previous run)", pipeline, "plan_pulls"),
    ("pull both sides (at once: two services)", pipeline, "_pull_sides"),
    ("engine", engine, "reconcile"),
    ("save the run", repo, "save_run"),
    ("materiality waivers (in the save's transaction)", pipeline, "waive_immaterial"),
]

# Inside the pulls, per side (the two sides' threads each count their own, so these may add up to more
# than the pulls' seconds): reported apart.
PULL_STEPS: list[tuple[str, Any, str]] = [
    ("read the previous run's extract", snapshots, "load_previous"),
    ("Salesforce pull (full)", SalesforceSource, "pull"),
    ("Salesforce changes", SalesforceSource, "pull_changes"),
    ("Business Central pull (full)", BusinessCentralSource, "pull"),
    ("Business Central changes", BusinessCentralSource, "pull_changes"),
    ("Odoo pull (full)", OdooSource, "pull"),
    ("Odoo changes", OdooSource, "pull_changes"),
    ("merge", pipeline, "merge"),
    ("derive over the merged data", BusinessCentralSource, "derive"),
    ("derive over the merged data (Odoo)", OdooSource, "derive"),
]


# Time the connectors spend waiting for an answer (the sandboxes serve from this same process, so
# this is where their own work shows): counted inside the steps above, reported apart.
WAITS: list[tuple[str, Any, str]] = [
    ("waiting for Salesforce", requests.Session, "request"),
    ("waiting for the ERP", HttpClient, "request"),
]


@contextmanager
def timed_steps() -> Iterator[dict[str, float]]:
    """Seconds spent in each of ``STEPS``, ``PULL_STEPS`` and ``WAITS`` while the block runs (per thread,
    outermost calls only: a full pull inside ``pull_changes`` counts once, as changes)."""
    seconds: defaultdict[str, float] = defaultdict(float)
    local = threading.local()
    timed_ones = STEPS + PULL_STEPS + WAITS
    saved = [(owner, name, getattr(owner, name)) for _, owner, name in timed_ones]
    waits = {label for label, _, _ in WAITS}

    def wrap(label: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            active: list[str] = local.__dict__.setdefault("active", [])
            if active and label not in waits:
                return fn(*args, **kwargs)
            if label in waits:
                t0 = time.perf_counter()
                try:
                    return fn(*args, **kwargs)
                finally:
                    seconds[label] += time.perf_counter() - t0
            active.append(label)
            t0 = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                seconds[label] += time.perf_counter() - t0
                active.pop()
        return timed

    for (label, owner, name), (_, _, fn) in zip(timed_ones, saved, strict=True):
        setattr(owner, name, wrap(label, fn))
    try:
        yield seconds
    finally:
        for owner, name, fn in saved:
            setattr(owner, name, fn)


def _purpose_bc(shape: str) -> str:
    """What a Business Central request shape (``GET salesInvoices ?$filter,$select``) was for."""
    if shape.split("?")[0].endswith(" token"):
        return "auth (token)"
    if shape.startswith("POST $batch"):
        return "$batch requests"
    if "$metadata" in shape:
        return "metadata"
    if "companies" in shape.split("?")[0]:
        return "company lookup"
    if "$count" in shape:
        return "counts"
    key_only = "$select=id" in shape and "$expand" not in shape  # an expand reads the orders' lines
    if "$skiptoken" in shape:
        return "next pages (" + ("key-only" if key_only else "records") + ")"
    if key_only:
        return "key-only reads (deletions)"
    if "$filter" in shape:
        return "changed records"
    return "records (full)"


CHURN = {"business-central": churn_business_central, "odoo": churn_odoo}
ERP_NAMES = {"business-central": "Business Central", "odoo": "Odoo"}


def measure(customers: int, invoices_per_customer: int = 10, share: float = 0.01,
            workdir: Path | None = None, erp_flavor: str = "business-central", latency: float = 0.0,
            apart: bool = False) -> dict[str, Any]:
    """The figures of one benchmark in ``workdir`` (kept), or in a temporary folder removed after it (the
    sandboxes' state and the store take about 260 MB at 20,000 customers). ``latency``: seconds every API
    request of the runs waits before it is answered (see ``--latency-ms``); ``apart``: the sandboxes serve
    from a process of their own (see ``--sandboxes``)."""
    if workdir is not None:
        return _measure(customers, invoices_per_customer, share, Path(workdir), erp_flavor, latency, apart)
    with tempfile.TemporaryDirectory(prefix="bench-incremental-") as tmp:
        return _measure(customers, invoices_per_customer, share, Path(tmp), erp_flavor, latency, apart)


class _Services:
    """The Salesforce and ERP sandboxes of one benchmark, started in this process."""

    def __init__(self, scen: Path, work: Path, flavor: str) -> None:
        self.flavor = flavor
        self.sf = salesforce.start(scen, state_dir=work / "salesforce")
        self.box = erp.start(scen, flavor=flavor, state_dir=work / flavor)

    def configs(self) -> tuple[dict[str, Any], dict[str, Any], dict[str, str]]:
        """The ``[crm]`` and ``[erp]`` tables, and the environment variables holding their secrets."""
        before = dict(os.environ)
        crm, erp_table = salesforce.demo_config(self.sf), erp.demo_config(self.box)
        return crm, erp_table, {k: v for k, v in os.environ.items() if before.get(k) != v}

    def counters(self) -> dict[str, Any]:
        """What the sandboxes counted so far (API calls, requests, per shape)."""
        sf, box = self.sf, self.box
        return {"sf_api": sf.org.api_used, "sf_calls": Counter(sf.org.calls), "erp_requests": box.requests,
                "erp_calls": Counter(box.calls), "erp_inner": Counter(box.inner_calls),
                "erp_batch_ops": box.batch_operations}

    def latency(self, seconds: float) -> None:
        """Every API request answered ``seconds`` late from now on (a sleep, which lets the interpreter lock
        go as a wait for a service elsewhere does; a Business Central ``$batch`` is one round trip, whatever
        it carries); sign-ins are not delayed."""
        self.sf.org.faults.slow_seconds = self.box.faults.round_trip = seconds

    def churn(self, share: float) -> int:
        """``share`` of the records changed on both sides through the systems' own APIs; how many."""
        return sum(c.total for c in (churn_salesforce(self.sf, share), CHURN[self.flavor](self.box, share)))

    def stop(self) -> None:
        self.sf.stop()
        self.box.stop()


def _serve_apart(conn: Any, scen: Path, work: Path, flavor: str) -> None:
    """A process of the sandboxes' own: ``_Services`` run here, told what to do over ``conn``."""
    services = _Services(scen, work, flavor)
    try:
        conn.send(services.configs())
        while True:
            what, arg = conn.recv()
            if what == "stop":
                break
            conn.send(getattr(services, what)(*arg))
    finally:
        services.stop()
        conn.send(None)


class _ServicesApart:
    """The same sandboxes in a process of their own, as services elsewhere: what they do to serve a
    request is not done under this process's interpreter lock, nor on its core."""

    def __init__(self, scen: Path, work: Path, flavor: str) -> None:
        ctx = multiprocessing.get_context("spawn")
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(target=_serve_apart, args=(child, scen, work, flavor), name="bench-sandboxes")
        self.proc.start()
        self._configs = self.conn.recv()

    def configs(self) -> tuple[dict[str, Any], dict[str, Any], dict[str, str]]:
        return self._configs

    def _ask(self, what: str, *arg: Any) -> Any:
        self.conn.send((what, arg))
        return self.conn.recv()

    def counters(self) -> dict[str, Any]:
        return self._ask("counters")

    def latency(self, seconds: float) -> None:
        self._ask("latency", seconds)

    def churn(self, share: float) -> int:
        return self._ask("churn", share)

    def stop(self) -> None:
        self.conn.send(("stop", ()))
        self.conn.recv()
        self.proc.join(60)


@contextmanager
def round_trips(services: _Services | _ServicesApart, latency: float) -> Iterator[None]:
    """Every API request to both sandboxes answered ``latency`` seconds late while the block runs."""
    services.latency(latency)
    try:
        yield
    finally:
        services.latency(0.0)


def _measure(customers: int, invoices_per_customer: int, share: float, work: Path, flavor: str,
             latency: float = 0.0, apart: bool = False) -> dict[str, Any]:
    t = time.perf_counter()
    scen = generate(19, customers, work / "scenario", invoices_per_customer=invoices_per_customer)
    services = (_ServicesApart if apart else _Services)(scen, work, flavor)
    name = ERP_NAMES[flavor]
    out: dict[str, Any] = {"customers": customers, "erp": name, "setup_s": time.perf_counter() - t,
                           "apart": apart}
    try:
        raw = tomllib.loads((scen / "run.toml").read_text(encoding="utf-8"))
        raw["crm"], raw["erp"], secrets = services.configs()
        os.environ.update(secrets)
        config = from_dict(raw, path=scen / "run.toml")
        store = open_store(f"sqlite:///{work / 'store.sqlite3'}")

        def run(label: str, full: bool = False) -> int:
            before = services.counters()
            t0 = time.perf_counter()
            with timed_steps() as steps, round_trips(services, latency):
                outcome = execute_run(config, store, user="bench", full=full)
            out[f"{label}_s"] = time.perf_counter() - t0
            after = services.counters()
            out[f"{label}_steps"] = dict(steps)
            out[f"{label}_calls"] = after["sf_api"] + after["erp_requests"] - before["sf_api"] - before["erp_requests"]
            # the ERP: HTTP calls, and operations (a Business Central $batch counted as the inner requests it
            # carried: whether those count one by one against the service's request limits is not documented)
            batches = after["erp_calls"].get("POST $batch", 0) - before["erp_calls"].get("POST $batch", 0)
            requests_made = after["erp_requests"] - before["erp_requests"]
            out[f"{label}_erp_calls"] = requests_made
            out[f"{label}_erp_operations"] = requests_made - batches + after["erp_batch_ops"] - before["erp_batch_ops"]
            purposes: Counter[str] = Counter()
            for kind, n in (after["sf_calls"] - before["sf_calls"]).items():
                purposes[f"Salesforce {kind}"] += n
            for shape, n in (after["erp_calls"] - before["erp_calls"]).items():
                purposes[f"{name} {_purpose_bc(shape) if flavor == 'business-central' else shape}"] += n
            for shape, n in (after["erp_inner"] - before["erp_inner"]).items():
                purposes[f"{name} {_purpose_bc(shape)}, in $batch"] += n
            out[f"{label}_purposes"] = dict(purposes)
            out[f"{label}_records"] = sum(sum(v.values()) for v in outcome.summary["records"].values())
            return outcome.run_id

        run("first")
        t0 = time.perf_counter()
        out["changed"] = services.churn(share)
        out["churn_s"] = time.perf_counter() - t0
        inc = run("incremental")
        full = run("full", full=True)
        out["identical"] = _exceptions(store, inc) == _exceptions(store, full)
        store.dispose()
    finally:
        services.stop()
    out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--customers", type=int, default=3000)
    ap.add_argument("--invoices-per-customer", type=int, default=10)
    ap.add_argument("--share", type=float, default=0.01, help="share of records changed (default 0.01)")
    ap.add_argument("--erp", choices=["business-central", "odoo"], default="business-central")
    ap.add_argument("--latency-ms", type=float, default=0.0,
                    help="milliseconds every API request of the three runs waits before it is answered, as a "
                         "service elsewhere on the network would (default 0: the sandboxes answer at once)")
    ap.add_argument("--sandboxes", choices=["here", "apart"], default="here",
                    help="where the sandboxes serve from: this process (default; what they do to answer shares "
                         "its interpreter lock and counts in the runs' seconds), or a process of their own, as "
                         "services elsewhere")
    args = ap.parse_args()
    r = measure(args.customers, args.invoices_per_customer, args.share, erp_flavor=args.erp,
                latency=args.latency_ms / 1000, apart=args.sandboxes == "apart")
    print(f"customers {r['customers']:,}; records per run (both sides) {r['full_records']:,}; "
          f"changed {r['changed']:,} ({args.share:.0%} of invoices per side); "
          f"added round trip per API request {args.latency_ms:g} ms; sandboxes serve from "
          f"{'a process of their own' if r['apart'] else 'this process'}")
    print(f"{'':<34}{'seconds':>10}{'API calls':>12}{'ERP calls':>10}{'ERP operations':>15}")
    for label, name in (("first", "full run"), ("incremental", "incremental re-run"),
                        ("full", "forced full re-run, same data")):
        print(f"{name:<34}{r[label + '_s']:>10.1f}{r[label + '_calls']:>12,}{r[label + '_erp_calls']:>10,}"
              f"{r[label + '_erp_operations']:>15,}")
    print(f"{'incremental / full':<34}{r['incremental_s'] / r['full_s']:>10.0%}"
          f"{r['incremental_calls'] / r['full_calls']:>12.0%}{r['incremental_erp_calls'] / r['full_erp_calls']:>10.0%}"
          f"{r['incremental_erp_operations'] / r['full_erp_operations']:>15.0%}")
    if args.erp == "business-central":
        print(f"ERP: {r['erp']}; operations: HTTP requests with each Business Central $batch counted as the inner "
              "requests it carried\n(whether those count one by one against Business Central's request limits is "
              "not documented)")
    else:
        print(f"ERP: {r['erp']}; it sends no batches: operations are its HTTP requests")
    print(f"same exceptions (incremental vs full): {r['identical']}; peak RSS {r['peak_rss_mb']:,.0f} MB; "
          f"setup {r['setup_s']:.0f} s")
    labels = ("first", "incremental", "full")
    width = 54  # the step column
    print(f"\n{'seconds per step':<{width}}" + "".join(f"{x:>13}" for x in labels))
    for step, _, _ in STEPS:
        if any(r[f"{x}_steps"].get(step) for x in labels):
            print(f"{step:<{width}}" + "".join(f"{r[f'{x}_steps'].get(step, 0):>13.2f}" for x in labels))
    steps = {step for step, _, _ in STEPS}
    print(f"{'other':<{width}}" + "".join(
        f"{r[f'{x}_s'] - sum(v for k, v in r[f'{x}_steps'].items() if k in steps):>13.2f}" for x in labels))
    for step, _, _ in PULL_STEPS + WAITS:
        if any(r[f"{x}_steps"].get(step) for x in labels):
            print(f"{'  of the pulls: ' + step:<{width}}" + "".join(f"{r[f'{x}_steps'].get(step, 0):>13.2f}"
                                                           for x in labels))
    print(f"\n{'API calls per purpose':<{width}}" + "".join(f"{x:>13}" for x in labels))
    for purpose in sorted({p for x in labels for p in r[f"{x}_purposes"]}):
        print(f"{purpose:<{width}}" + "".join(f"{r[f'{x}_purposes'].get(purpose, 0):>13,}" for x in labels))

if __name__ == "__main__":
    main()
