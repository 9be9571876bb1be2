"""Benchmark: scenario generation and reading it back through the files connector.

Prints one row per size: invoices, seconds to generate, seconds to pull each side with the
files connector (parse, validate, Decimal money, snapshots), the peer (plain
``pandas.read_csv(dtype=str)`` of the same CSV files, no validation, no snapshots) and the
peak memory of the process that did the work. Each size runs in a fresh process so peaks
don't mix.

    .venv/bin/python benchmarks/bench_scenario.py                 # 1k, 10k, 100k customers
    .venv/bin/python benchmarks/bench_scenario.py 100 100000      # chosen sizes (customers)
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def one(customers: int) -> dict:
    sys.path.insert(0, str(ROOT))
    import pandas as pd

    from workbench import config as config_mod
    from workbench.sandbox.scenario import generate
    from workbench.sources import files

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "s"
        t = time.perf_counter()
        generate(7, customers, out)
        gen = time.perf_counter() - t
        meta = json.loads((out / "scenario.json").read_text())
        cfg = config_mod.load(out / "run.toml")
        pulls = {}
        for side in ("crm", "erp"):
            t = time.perf_counter()
            files.create(side, cfg).pull()
            pulls[side] = time.perf_counter() - t
        t = time.perf_counter()
        for f in sorted((out / "crm").glob("*.csv")) + sorted((out / "erp").glob("*.csv")):
            pd.read_csv(f, dtype=str, keep_default_na=False)
        peer = time.perf_counter() - t
        size = sum(f.stat().st_size for f in out.rglob("*.csv"))
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"customers": customers, "invoices": meta["invoices"], "mb": size / 1e6, "generate": gen,
            "crm": pulls["crm"], "erp": pulls["erp"], "peer": peer, "peak_mb": peak_mb}


def main(argv: list[str]) -> None:
    if argv and argv[0] == "--one":
        print(json.dumps(one(int(argv[1]))))
        return
    sizes = [int(a) for a in argv] or [1_000, 10_000, 100_000]
    print(f"{'customers':>10} {'invoices':>10} {'CSV MB':>8} {'generate s':>11} {'pull CRM s':>11} "
          f"{'pull ERP s':>11} {'peer read_csv s':>16} {'peak MB':>8}")
    for n in sizes:
        res = subprocess.run([sys.executable, __file__, "--one", str(n)], capture_output=True, text=True)
        if res.returncode:
            print(f"{n:>10,} failed: {(res.stderr.strip().splitlines() or ['?'])[-1]}", flush=True)
            continue
        r = json.loads(res.stdout.strip().splitlines()[-1])
        print(f"{r['customers']:>10,} {r['invoices']:>10,} {r['mb']:>8.0f} {r['generate']:>11.1f} {r['crm']:>11.1f} "
              f"{r['erp']:>11.1f} {r['peer']:>16.1f} {r['peak_mb']:>8.0f}", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
