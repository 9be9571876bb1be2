"""Benchmark: the audit workbook of a run with many exceptions.

    .venv/bin/python benchmarks/bench_workbook.py [--rows 1000000] [--workdir DIR]

Builds (once, cached in --workdir) a SQLite store holding one run with N exceptions and
10,000 linked customers, then measures, each in its own process so peak memory is per phase:

  store read      streaming the Exceptions rows out of the store, nothing written
  openpyxl floor  openpyxl write-only writing the same Exceptions cells read the same way,
                  no styling, no tables, no hashing (the floor for this library)
  audit workbook  write_workbook: every sheet, styles, tables, protection, manifest
  verify          verify_workbook of that file: every cell re-read and compared with the store

Prints a table: rows, wall and CPU seconds, peak RSS, file size, and the workbook's time
relative to the floor (wall and CPU; on a shared machine CPU seconds are the fairer measure).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import time
from datetime import date, datetime, timedelta, UTC
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CURRENCIES = ["EUR", "EUR", "USD", "GBP", "JPY", "KWD", "CHF"]
TYPES = [("invoice.status_mismatch", "invoice", "status"), ("invoice.balance_mismatch", "invoice", "open_balance"),
         ("pricing.price_mismatch", "pricing", "unit_price"), ("customer.attribute_mismatch", "customer", "city"),
         ("invoice.due_date_mismatch", "invoice", "due_date"), ("customer.missing_in_erp", "customer", None)]
SEVERITIES = ["critical", "high", "medium", "low"]
STATUSES = ["open", "open", "open", "in_review", "waived", "resolved"]


def build(db: Path, rows: int, customers: int = 10_000) -> None:
    from sqlalchemy import insert

    from workbench.store import trail
    from workbench.store.db import open_store
    from workbench.store.schema import CustomerLink, ExceptionRow, Run, RunSource, Snapshot

    store = open_store(f"sqlite:///{db}")
    rnd = random.Random(7)
    started = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)
    with store.session() as s:
        run = Run(name="Benchmark close", status="completed", started_at=started,
                  finished_at=started + timedelta(minutes=9), as_of=date(2026, 10, 31), period="2026-10",
                  user_name="bench", config={"run": {"name": "Benchmark close"}, "crm": {"connector": "files"},
                                             "erp": {"connector": "files"},
                                             "rules": {"tolerances": {"price_abs": "0.01"}}},
                  software_version="0.1.0", summary={"control_totals": []})
        s.add(run)
        s.flush()
        rid = run.id
        for side in ("crm", "erp"):
            s.add(RunSource(run_id=rid, side=side, system="files", connector="files", instance=f"/data/{side}",
                            extracted_at=started, row_counts={"customers": customers}, content_hash="0" * 64))
        snaps, links = [], []
        for i in range(customers):
            for side, cid in (("crm", f"001{i:015d}"), ("erp", f"C{i:06d}")):
                snaps.append({"run_id": rid, "side": side, "object": "customers", "kind": "customers",
                              "record_id": cid, "query": None, "content_hash": "0" * 64, "payload": "{}",
                              "canonical": json.dumps({"record_id": cid, "name": f"Customer {i} GmbH"})})
            links.append({"run_id": rid, "crm_id": f"001{i:015d}", "erp_id": f"C{i:06d}", "method": "xref_crm",
                          "confidence": 1.0, "evidence": None, "status": "auto", "version": 1})
        s.execute(insert(Snapshot), snaps)
        s.execute(insert(CustomerLink), links)
        trail.append(s, actor="bench", action="run.completed", entity_type="run", entity_id=rid, run_id=rid)
        batch = []
        for i in range(rows):
            typ, fam, fld = TYPES[i % len(TYPES)]
            ccy = CURRENCIES[rnd.randrange(len(CURRENCIES))]
            amount = Decimal(rnd.randrange(1, 10_000_000)).scaleb(-2)
            cust = rnd.randrange(customers)
            batch.append({
                "run_id": rid, "key": f"{typ}|{i}", "type": typ, "family": fam,
                "severity": SEVERITIES[i % 4], "status": STATUSES[rnd.randrange(len(STATUSES))],
                "crm_object": "invoices", "crm_id": f"a0B{i:015d}", "erp_object": "salesInvoices",
                "erp_id": f"INV-{i:08d}", "customer_name": f"Customer {cust} GmbH", "field": fld,
                "crm_value": str(amount), "erp_value": str(amount - 1), "difference": Decimal(1),
                "amount_at_risk": amount, "currency": ccy, "diffs": None, "proposal": None,
                "message": f"CRM and ERP disagree on {fld or 'the record'} of invoice INV-{i:08d}.",
                "assignee": "maria" if i % 7 == 0 else None,
                "first_seen": started - timedelta(days=i % 40), "last_seen": started, "resolution": None,
                "version": 1})
            if len(batch) == 50_000:
                s.execute(insert(ExceptionRow), batch)
                batch = []
        if batch:
            s.execute(insert(ExceptionRow), batch)
    store.dispose()


def exception_count(store) -> int:
    from sqlalchemy import func, select

    from workbench.store.schema import ExceptionRow
    with store.session() as s:
        return s.execute(select(func.count()).select_from(ExceptionRow)).scalar()


def phase(name: str, db: Path, out: Path) -> dict:
    from workbench.store.db import open_store
    store = open_store(f"sqlite:///{db}")
    t0 = time.perf_counter()
    start = resource.getrusage(resource.RUSAGE_SELF)
    cpu0 = start.ru_utime + start.ru_stime
    n = 0
    if name == "read":
        from workbench.export.workbook_content import Content
        for _ in Content(store, 1).exceptions():
            n += 1
    elif name == "floor":
        from openpyxl import Workbook

        from workbench.export.workbook_content import EXCEPTION_COLS, Content
        wb = Workbook(write_only=True)
        ws = wb.create_sheet("Exceptions")
        ws.append([c.header for c in EXCEPTION_COLS])
        for row in Content(store, 1).exceptions():
            ws.append([v.astimezone(UTC).replace(tzinfo=None) if isinstance(v, datetime) and v.tzinfo
                       else v for v in row])
            n += 1
        wb.save(out)
    elif name == "verify":
        from workbench.export.workbook import verify_workbook
        rep = verify_workbook(store, out.with_name("workbook.xlsx"))
        if not rep.ok:
            raise SystemExit("\n".join(rep.lines()))
        n = exception_count(store)
    else:
        from workbench.export.workbook import write_workbook
        info = write_workbook(store, 1, out)
        n = dict(info.sheets)["Exceptions"] + sum(r for s, r in info.sheets if s.startswith("Exceptions ("))
    seconds = time.perf_counter() - t0
    usage = resource.getrusage(resource.RUSAGE_SELF)
    peak_mb = usage.ru_maxrss / 1024
    return {"rows": n, "seconds": seconds, "cpu": usage.ru_utime + usage.ru_stime - cpu0, "peak_mb": peak_mb,
            "size_mb": out.stat().st_size / 1e6 if out.exists() else 0.0}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--workdir", default=str(ROOT / ".bench" / "workbook"))
    ap.add_argument("--phase", help=argparse.SUPPRESS)
    ap.add_argument("--db", help=argparse.SUPPRESS)
    ap.add_argument("--out", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.phase:
        print(json.dumps(phase(args.phase, Path(args.db), Path(args.out))))
        return
    work = Path(args.workdir)
    work.mkdir(parents=True, exist_ok=True)
    db = work / f"bench_{args.rows}.sqlite3"
    if not db.exists():
        t0 = time.perf_counter()
        tmp = db.with_suffix(".building")
        tmp.unlink(missing_ok=True)
        build(tmp, args.rows)
        tmp.rename(db)
        print(f"built a store with {args.rows:,} exceptions in {time.perf_counter() - t0:.1f} s ({db})")
    results = {}
    for name in ("read", "floor", "workbook", "verify"):
        out = work / f"{name}.xlsx"
        if name != "verify":
            out.unlink(missing_ok=True)
        proc = subprocess.run([sys.executable, __file__, "--phase", name, "--db", str(db), "--out", str(out)],
                              capture_output=True, text=True, env={**os.environ, "PYTHONHASHSEED": "0"})
        if proc.returncode != 0:
            sys.exit(f"phase {name} failed:\n{proc.stderr}")
        results[name] = json.loads(proc.stdout.strip().splitlines()[-1])
    floor, floor_cpu = results["floor"]["seconds"], results["floor"]["cpu"]
    labels = {"read": "store read (no writing)", "floor": "openpyxl write-only, plain (floor)",
              "workbook": "audit workbook (write_workbook)", "verify": "verify_workbook (file vs store)"}
    print(f"\n{'what':<36}{'exceptions':>11}{'wall s':>9}{'CPU s':>9}{'peak MB':>9}{'file MB':>9}"
          f"{'× floor wall':>14}{'× floor CPU':>13}")
    for name, r in results.items():
        ratio = f"{r['seconds'] / floor:.2f}" if name in ("floor", "workbook") else ""
        ratio_cpu = f"{r['cpu'] / floor_cpu:.2f}" if name in ("floor", "workbook") else ""
        print(f"{labels[name]:<36}{r['rows']:>11,}{r['seconds']:>9.1f}{r['cpu']:>9.1f}{r['peak_mb']:>9.0f}"
              f"{r['size_mb']:>9.1f}{ratio:>14}{ratio_cpu:>13}")
    print(f"(load average while measuring: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; "
          "CPU seconds are the fairer comparison on a busy machine)")

if __name__ == "__main__":
    main()
