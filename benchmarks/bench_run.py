"""`workbench run` end to end against its parts, in one run on the same data (issue 19).

    .venv/bin/python benchmarks/bench_run.py [--size 100000] [--data DIR] [--skip-pg] [--incremental-size N]

Generates the independent corpus (benchmarks/corpus: Salesforce CSV extracts against Business
Central CSV extracts; 100,000 customers give ~980,000 invoices per side) once into ``--data``
(kept, and reused when it was generated at the same size), then measures each step in its own
child process, so every peak RSS is that step's alone:

- pyarrow reading all eight CSV files (the floor for any reader of these files);
- the files connector pulling both sides, and the engine on the pulled extracts;
- `workbench run` end to end on SQLite and on PostgreSQL (a throwaway cluster as tests/pgserver.py
  starts; skipped with --skip-pg or without initdb), with the store's growth;
- the app opening the run (app.data.load_bundle, what the review screen does on its worker);
- a re-run after 1% of the ERP invoices changed (the CRM's unchanged files are taken from the first
  run as stored, the ERP's are read in full);
- an incremental re-run against the Salesforce and Business Central sandboxes (bench_incremental.py's
  measure: full run, 1% of records changed through the systems' APIs, incremental re-run, forced full
  re-run), at ``--incremental-size`` customers (default 20,000; 0 skips it): the sandboxes serve
  from the benchmark's own process, so a million invoices through them would measure the sandbox.

Prints one table (step, seconds, peak RSS, store growth, target) and the ratios the issue sets.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
HEADER = f"{'step':<60} {'seconds':>9} {'CPU s':>7} {'peak MiB':>8} {'store MB':>9}  target"
CHANGED_SHARE = 0.01


# --- steps, each run as `bench_run.py --step NAME ARGS...` in a child process --------------------

def step_read(data: Path) -> dict[str, Any]:
    import pyarrow as pa
    import pyarrow.csv as pcsv

    files = sorted(data.glob("*/*.csv"))
    names_of = {}
    for f in files:  # the header only (the first block), outside the clock
        with pcsv.open_csv(f) as reader:
            names_of[f] = reader.schema.names
    t, c = time.perf_counter(), time.process_time()
    rows = 0
    for f in files:
        names = names_of[f]
        # all columns as text, as the connector reads them: nothing guessed
        table = pcsv.read_csv(f, convert_options=pcsv.ConvertOptions(column_types={c: pa.string() for c in names}))
        rows += table.num_rows
    return {"seconds": time.perf_counter() - t, "cpu": time.process_time() - c, "rows": rows, "files": len(files)}


def step_engine(data: Path) -> dict[str, Any]:
    sys.path.insert(0, str(ROOT))
    from workbench import config as config_mod
    from workbench.reconcile.engine import reconcile
    from workbench.sources import files

    cfg = config_mod.load(data / "run.toml")
    t, c = time.perf_counter(), time.process_time()
    crm, erp = files.create("crm", cfg).pull(), files.create("erp", cfg).pull()
    pull, pull_cpu = time.perf_counter() - t, time.process_time() - c
    held, pull_peak = _memory_mb()
    t, c = time.perf_counter(), time.process_time()
    result = reconcile(crm, erp, cfg)
    return {"pull": pull, "pull_cpu": pull_cpu, "pull_held_mb": held, "pull_peak_mb": pull_peak,
            "seconds": time.perf_counter() - t, "cpu": time.process_time() - c,
            "exceptions": len(result.exceptions), "invoices": len(crm.frame("invoices"))}


def _memory_mb() -> tuple[float | None, float | None]:
    """(resident now, peak so far) of this process in MB, from /proc (None elsewhere)."""
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:
        return None, None
    kb = {k: float(v.split()[0]) for k, _, v in (line.partition(":") for line in status.splitlines())
          if k in ("VmRSS", "VmHWM")}
    return kb.get("VmRSS", 0) / 1024, kb.get("VmHWM", 0) / 1024


def step_run(config: Path, db: str) -> dict[str, Any]:
    sys.path.insert(0, str(ROOT))
    from workbench.cli import main as cli

    t, c = time.perf_counter(), time.process_time()
    try:
        cli(["run", "--config", str(config), "--db", db])
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    if code:
        raise SystemExit(f"workbench run exited {code}")
    return {"seconds": time.perf_counter() - t, "cpu": time.process_time() - c}


def step_open(db: str) -> dict[str, Any]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    sys.path.insert(0, str(ROOT))
    from app import data as app_data
    from workbench.store import repo
    from workbench.store.db import open_store

    store = open_store(db)
    run_id = repo.latest_run_id(store)
    t, c = time.perf_counter(), time.process_time()
    bundle = app_data.load_bundle(store, run_id)
    secs, cpu = time.perf_counter() - t, time.process_time() - c
    rows = len(bundle.frame) if bundle is not None else 0
    store.dispose()
    return {"seconds": secs, "cpu": cpu, "rows": rows}


def step_incremental(customers: str) -> dict[str, Any]:
    from bench_incremental import measure  # this folder is the child's sys.path[0]

    r = measure(int(customers))
    out = {k: r[k] for k in ("customers", "full_records", "first_s", "incremental_s", "full_s",
                             "first_calls", "incremental_calls", "full_calls", "identical")}
    for label in ("incremental", "full"):  # each Business Central $batch counted as the requests it carried
        out[f"{label}_operations"] = r[f"{label}_calls"] - r[f"{label}_erp_calls"] + r[f"{label}_erp_operations"]
    return out


STEPS = {"read": step_read, "engine": step_engine, "run": step_run, "open": step_open,
         "incremental": step_incremental}


def child(name: str, *args: str) -> dict[str, Any]:
    """Run one step in a fresh process; its result plus that process's own peak RSS (MB)."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        proc = subprocess.Popen([sys.executable, __file__, "--step", name, *args], stdout=out, stderr=err,
                                text=True, cwd=ROOT)
        # wait4 reaps this child alone and returns its own rusage (RUSAGE_CHILDREN would mix the steps)
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = code = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        lines, stderr = out.read().strip().splitlines(), err.read()
    if code:
        raise SystemExit(f"step {name} failed: {(stderr.strip().splitlines() or ['?'])[-1]}")
    print(f"  {name}: {json.dumps(lines[-1:])}", file=sys.stderr, flush=True)
    result: dict[str, Any] = json.loads(lines[-1])
    result["peak_mb"] = usage.ru_maxrss / 1024
    return result


def _step_main(name: str, args: list[str]) -> None:
    result = STEPS[name](*[Path(a) if name in ("read", "engine") else a for a in args])
    print(json.dumps(result))


# --- data ------------------------------------------------------------------------------------------

def ensure_data(data: Path, size: int) -> Path:
    """The corpus at ``size`` customers in ``data`` (generated once, reused when the size matches)."""
    marker = data / "bench_run.json"
    if marker.exists() and json.loads(marker.read_text()).get("customers") == size:
        return data / "run.toml"
    if data.exists():
        shutil.rmtree(data)
    sys.path.insert(0, str(ROOT))
    from benchmarks.corpus import generate

    paths = generate(data, size, 1, "business_central", False)
    marker.write_text(json.dumps({"customers": size}))
    return Path(paths["config"])


def changed_copy(data: Path, into: Path, share: float) -> Path:
    """A copy of the corpus with ``share`` of the ERP invoices' open balances changed (a batch of
    payments posted between two runs); returns its config."""
    shutil.copytree(data, into)
    path = into / "erp" / "salesInvoices.csv"
    with path.open(newline="", encoding="utf-8") as fh:
        reader = csv.reader(fh)
        header = next(reader)
        rows = list(reader)
    col = header.index("remainingAmount")
    step = max(1, round(1 / share))
    for r in rows[::step]:
        r[col] = "0.00" if r[col] not in ("", "0", "0.00") else "1.00"
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)
    return into / "run.toml"


# --- stores ----------------------------------------------------------------------------------------

def sqlite_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in path.parent.glob(path.name + "*")) / 1e6


def start_pg(root: Path) -> Any | None:
    if not shutil.which("initdb") or not shutil.which("pg_ctl"):
        return None
    sys.path.insert(0, str(ROOT))
    from tests.pgserver import PgCluster, _server_user

    cluster = PgCluster(root, _server_user())
    cluster.init()
    cluster.start()
    return cluster


def pg_mb(url: str) -> float:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return float(conn.execute(text("SELECT pg_database_size(current_database())")).scalar_one()) / 1e6
    finally:
        engine.dispose()


def empty_store(url: str) -> None:
    sys.path.insert(0, str(ROOT))
    from workbench.store.db import open_store

    open_store(url, migrate=True).dispose()


# --- the table -------------------------------------------------------------------------------------

def row(step: str, seconds: float | None, cpu: float | None = None, peak: float | None = None,
        store: float | None = None, target: str = "") -> str:
    def num(v: float | None, fmt: str, width: int) -> str:
        return f"{'-':>{width}}" if v is None else format(v, f">{width}{fmt}")
    return (f"{step:<60} {num(seconds, '.1f', 9)} {num(cpu, '.1f', 7)} {num(peak, ',.0f', 8)} "
            f"{num(store, ',.0f', 9)}  {target}").rstrip()


def main(argv: list[str]) -> int:
    if argv and argv[0] == "--step":
        _step_main(argv[1], argv[2:])
        return 0
    ap = argparse.ArgumentParser(prog="bench_run.py", description=__doc__.split("\n")[0])
    ap.add_argument("--size", type=int, default=100_000, help="customers (invoices are ~10 per customer)")
    ap.add_argument("--data", type=Path, default=None, help="where the corpus is kept (default: a temporary folder)")
    ap.add_argument("--skip-pg", action="store_true", help="no PostgreSQL row")
    ap.add_argument("--incremental-size", type=int, default=20_000,
                    help="customers for the incremental re-run against the sandboxes (0: skip it)")
    args = ap.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="bench-run-") as tmp:
        work = Path(tmp)
        config = ensure_data(args.data or work / "data", args.size)
        data = config.parent
        lines = [HEADER]

        read = child("read", str(data))
        lines.append(row(f"pyarrow read of the {read['files']} CSV extracts ({read['rows']:,} rows)",
                         read["seconds"], read["cpu"], read["peak_mb"]))
        eng = child("engine", str(data))
        held = eng["pull_held_mb"]
        lines.append(row(f"files connector: pull both sides ({eng['invoices']:,} invoices a side)", eng["pull"],
                         eng["pull_cpu"], eng["pull_peak_mb"],
                         target="" if held is None else f"{held:,.0f} MiB held after the pull"))
        lines.append(row(f"engine alone on the pulled extracts ({eng['exceptions']:,} exceptions)", eng["seconds"],
                         eng["cpu"], eng["peak_mb"]))
        floor = read["seconds"] + eng["seconds"]

        db = work / "store.sqlite3"
        url = f"sqlite:///{db}"
        empty_store(url)
        before = sqlite_mb(db)
        run = child("run", str(config), url)
        grown = sqlite_mb(db) - before
        lines.append(row("workbench run end to end, SQLite", run["seconds"], run["cpu"], run["peak_mb"], grown,
                         f"≤ 2× (read + engine) = {2 * floor:.1f} s; ≤ 3 GB (2,861 MiB); store ≤ 400 MB (decimal)"))
        opened = child("open", url)
        lines.append(row(f"app opens the run ({opened['rows']:,} exceptions)", opened["seconds"], opened["cpu"],
                         opened["peak_mb"],
                         target="≤ 3 s at 1M exceptions"))

        changed = changed_copy(data, work / "changed", CHANGED_SHARE)
        before = sqlite_mb(db)
        rerun = child("run", str(changed), url)
        lines.append(row(f"re-run, {CHANGED_SHARE:.0%} of ERP invoices changed (CRM files reused)", rerun["seconds"],
                         rerun["cpu"], rerun["peak_mb"], sqlite_mb(db) - before))
        if args.incremental_size:
            inc = child("incremental", str(args.incremental_size))
            lines.append(row(f"sandboxes, {inc['customers']:,} customers: forced full re-run",
                             inc["full_s"], target=f"{inc['full_calls']:,} API calls"))
            lines.append(row(f"sandboxes: incremental re-run, {CHANGED_SHARE:.0%} of records changed",
                             inc["incremental_s"], peak=inc["peak_mb"],
                             target=f"{inc['incremental_calls']:,} API calls; "
                                    f"{inc['incremental_s'] / inc['full_s']:.0%} of the time and "
                                    f"{inc['incremental_calls'] / inc['full_calls']:.0%} of the calls "
                                    f"(target ≤ 10%); counting each $batch as its inner requests "
                                    f"{inc['incremental_operations']:,} operations, "
                                    f"{inc['incremental_operations'] / inc['full_operations']:.0%}; "
                                    f"same exceptions as the full re-run: {'yes' if inc['identical'] else 'NO'}"))

        pg_line = row("workbench run end to end, PostgreSQL", None, target="skipped (--skip-pg or no initdb)")
        pg_run: dict[str, Any] | None = None
        if not args.skip_pg:
            # its own folder, not under `work`: as root the server runs as another user, who must reach it
            pg_root = Path(tempfile.mkdtemp(prefix="bench-run-pg-"))
            cluster = start_pg(pg_root)
            if cluster is None:
                shutil.rmtree(pg_root, ignore_errors=True)
            else:
                try:
                    pg_url = cluster.url
                    empty_store(pg_url)
                    before = pg_mb(pg_url)
                    pg_run = child("run", str(config), pg_url)
                    pg_line = row("workbench run end to end, PostgreSQL", pg_run["seconds"], pg_run["cpu"],
                                  pg_run["peak_mb"],
                                  pg_mb(pg_url) - before, f"≤ 1.5× SQLite = {1.5 * run['seconds']:.1f} s")
                finally:
                    cluster.stop()
                    shutil.rmtree(pg_root, ignore_errors=True)
        lines.insert(5, pg_line)

        print("\n".join(lines))
        print()
        print(f"ratio: workbench run (SQLite) / (pyarrow read + engine) = {run['seconds'] / floor:.1f}× wall, "
          f"{run['cpu'] / (read['cpu'] + eng['cpu']):.1f}× CPU  (target ≤ 2×)")
        if pg_run is not None:
            print(f"ratio: PostgreSQL / SQLite = {pg_run['seconds'] / run['seconds']:.1f}× wall  (target ≤ 1.5×)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
