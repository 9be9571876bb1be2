"""What saving a run costs the store: seconds, bytes added, and reading its exceptions back.

    .venv/bin/python benchmarks/bench_store.py [--customers 100000 | --config RUN_TOML] [--workdir DIR] [--runs 2]

Generates a scenario (cached in the work dir; or takes the run config ``--config`` names),
pulls it through its connectors and reconciles it once (not timed), then saves the same run
``--runs`` times into a fresh SQLite store, printing per save: wall and CPU seconds of
``repo.save_run``, the store's growth, the app's read of the run's exceptions
(``repo.load_exceptions``), reading each side's pulled data back (``snapshots.load_extract``,
what an incremental re-run starts from) and the peak RSS. The second save shows what a re-run
on unchanged data adds. Run it from an older checkout to compare.
"""

from __future__ import annotations

import argparse
import gc
import resource
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from workbench import config as cfg_mod
from workbench.reconcile.engine import reconcile
from workbench.reconcile.summary import RunSummary
from workbench.sandbox.scenario import generate
from workbench.sources import open_source
from workbench.store import repo, snapshots
from workbench.store.db import open_store


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--customers", type=int, default=100_000)
    ap.add_argument("--config", help="a run config to pull instead of a generated scenario")
    ap.add_argument("--runs", type=int, default=2)
    ap.add_argument("--workdir", default=str(Path(__file__).resolve().parents[1] / ".bench" / "store"))
    a = ap.parse_args()
    work = Path(a.workdir)
    work.mkdir(parents=True, exist_ok=True)
    if a.config:
        conf = cfg_mod.load(Path(a.config))
    else:
        scenario = work / f"scenario-7-{a.customers}"
        if not (scenario / "run.toml").exists():
            generate(7, a.customers, scenario)
        conf = cfg_mod.load(scenario / "run.toml")
    db = work / f"store-{a.customers}.sqlite3"
    for old in work.glob(db.name + "*"):
        old.unlink()
    store = open_store(f"sqlite:///{db}")

    def size() -> int:
        with store.engine.connect() as c:
            c.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        return sum(p.stat().st_size for p in work.glob(db.name + "*"))

    def pull(side: str):
        source = open_source(side, conf)
        try:
            return source.pull()
        finally:
            source.close()

    t = time.perf_counter()
    crm, erp = pull("crm"), pull("erp")
    result = reconcile(crm, erp, conf)
    summary = RunSummary.build(crm, erp, result).to_json()
    what = a.config or f"{a.customers:,} customers"
    print(f"{what}: {len(crm.snapshots):,} CRM and {len(erp.snapshots):,} ERP records pulled, "
          f"{len(result.exceptions):,} exceptions (pull and reconcile {time.perf_counter() - t:.0f} s, not timed)")
    print("| save | save_run wall | save_run CPU | store growth | load_exceptions wall | CPU "
          "| load_extract (both sides) wall | CPU | peak RSS |")
    print("|---|---|---|---|---|---|---|---|---|")
    for i in range(1, a.runs + 1):
        before = size()
        gc.collect()
        t, c = time.perf_counter(), time.process_time()
        run_id = repo.save_run(store, conf, crm, erp, result, user="bench", started_at=datetime.now(UTC),
                               summary=summary)
        secs, cpu = time.perf_counter() - t, time.process_time() - c
        grown = size() - before
        t, c = time.perf_counter(), time.process_time()
        repo.load_exceptions(store, run_id)
        load, load_cpu = time.perf_counter() - t, time.process_time() - c
        t, c = time.perf_counter(), time.process_time()
        for side in ("crm", "erp"):
            snapshots.load_extract(store, run_id, side)
        back, back_cpu = time.perf_counter() - t, time.process_time() - c
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"| run {i} | {secs:.1f} s | {cpu:.1f} s | {grown / 1e6:,.1f} MB | {load:.1f} s | {load_cpu:.1f} s "
              f"| {back:.1f} s | {back_cpu:.1f} s | {peak:,.0f} MB |", flush=True)
    store.dispose()


if __name__ == "__main__":
    main()
