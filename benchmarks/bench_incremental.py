"""Incremental re-run benchmark: a full `workbench run` against the Salesforce and Business Central
sandboxes, 1% of the records changed on both sides (updates, inserts, deletions through the systems'
own APIs), then an incremental re-run and a forced full re-run of the same data. Prints seconds and
API calls (counted by the sandboxes) of each, the ratios, whether both re-runs found the same
exceptions, and the process's peak RSS.

    .venv/bin/python benchmarks/bench_incremental.py --customers 3000

``measure(customers, ...)`` returns the same figures as a dict (benchmarks/bench_run.py can call it).
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
import tomllib
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from workbench.config import from_dict
from workbench.pipeline import execute_run
from workbench.sandbox import erp, salesforce
from workbench.sandbox.churn import churn_business_central, churn_salesforce
from workbench.sandbox.scenario import generate
from workbench.store import repo
from workbench.store.db import open_store

COMPARED = ["key", "crm_value", "erp_value", "difference", "amount_at_risk", "currency"]


def _exceptions(store: Any, run_id: int) -> set[tuple[str, ...]]:
    frame = repo.load_exceptions(store, run_id)
    return {tuple(str(v) for v in row) for row in frame[COMPARED].itertuples(index=False)}


def measure(customers: int, invoices_per_customer: int = 10, share: float = 0.01,
            workdir: Path | None = None) -> dict[str, Any]:
    work = Path(workdir or tempfile.mkdtemp(prefix="bench-incremental-"))
    t = time.perf_counter()
    scen = generate(19, customers, work / "scenario", invoices_per_customer=invoices_per_customer)
    sf = salesforce.start(scen, state_dir=work / "salesforce")
    bc = erp.start(scen, flavor="business-central", state_dir=work / "business-central")
    out: dict[str, Any] = {"customers": customers, "setup_s": time.perf_counter() - t}
    try:
        raw = tomllib.loads((scen / "run.toml").read_text(encoding="utf-8"))
        raw["crm"], raw["erp"] = salesforce.demo_config(sf), erp.demo_config(bc)
        config = from_dict(raw, path=scen / "run.toml")
        store = open_store(f"sqlite:///{work / 'store.sqlite3'}")

        def run(label: str, full: bool = False) -> int:
            calls = sf.org.api_used + bc.requests
            t0 = time.perf_counter()
            outcome = execute_run(config, store, user="bench", full=full)
            out[f"{label}_s"] = time.perf_counter() - t0
            out[f"{label}_calls"] = sf.org.api_used + bc.requests - calls
            out[f"{label}_records"] = sum(sum(v.values()) for v in outcome.summary["records"].values())
            return outcome.run_id

        run("first")
        t0 = time.perf_counter()
        churned = churn_salesforce(sf, share), churn_business_central(bc, share)
        out["churn_s"] = time.perf_counter() - t0
        out["changed"] = sum(c.total for c in churned)
        inc = run("incremental")
        full = run("full", full=True)
        out["identical"] = _exceptions(store, inc) == _exceptions(store, full)
        store.dispose()
    finally:
        sf.stop()
        bc.stop()
    out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--customers", type=int, default=3000)
    ap.add_argument("--invoices-per-customer", type=int, default=10)
    ap.add_argument("--share", type=float, default=0.01, help="share of records changed (default 0.01)")
    args = ap.parse_args()
    r = measure(args.customers, args.invoices_per_customer, args.share)
    print(f"customers {r['customers']:,}; records per run (both sides) {r['full_records']:,}; "
          f"changed {r['changed']:,} ({args.share:.0%} of invoices per side)")
    print(f"{'':<34}{'seconds':>10}{'API calls':>12}")
    for label, name in (("first", "full run"), ("incremental", "incremental re-run"),
                        ("full", "forced full re-run, same data")):
        print(f"{name:<34}{r[label + '_s']:>10.1f}{r[label + '_calls']:>12,}")
    print(f"{'incremental / full':<34}{r['incremental_s'] / r['full_s']:>10.0%}"
          f"{r['incremental_calls'] / r['full_calls']:>12.0%}")
    print(f"same exceptions (incremental vs full): {r['identical']}; peak RSS {r['peak_rss_mb']:,.0f} MB; "
          f"setup {r['setup_s']:.0f} s")


if __name__ == "__main__":
    main()
