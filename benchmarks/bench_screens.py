"""The Run, Approvals and Dashboard screens under load, offscreen.

    .venv/bin/python benchmarks/bench_screens.py [--exceptions 10000,100000] [--customers 200,1000]

Prints one table: step, size, seconds, peak RSS, the target. Measured:
- Dashboard over a run of N exceptions: the database-worker side (load + aggregate, off the
  GUI thread) and the GUI-thread side (drawing the charts), which must stay under 100 ms.
- Run screen pulling the demo through both sandboxes: wall time and the longest the GUI
  thread was kept from its event loop (a 5 ms timer measures the gaps), target < 100 ms.
- Approvals screen: listing N corrections (worker) and filling the table (GUI thread).
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from datetime import date, datetime, UTC
from decimal import Decimal
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

ROWS: list[tuple[str, int, float, float, str]] = []


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def record(step: str, n: int, seconds: float, target: str = "") -> None:
    ROWS.append((step, n, seconds, peak_mb(), target))
    print(f"  {step:<46} {n:>9,} {seconds * 1000:10.1f} ms", file=sys.stderr)


def seed(store, n: int, corrections: int = 0) -> int:
    """A completed run with n exceptions over 8 types, 3 currencies, 4 statuses (bulk insert)."""
    from sqlalchemy import insert
    from workbench.store.schema import Correction, ExceptionRow, Run
    now = datetime.now(UTC)
    types = ["invoice.status_mismatch", "invoice.balance_mismatch", "pricing.price_mismatch",
             "customer.missing_in_erp", "customer.attribute_mismatch", "order.amount_mismatch",
             "timing.event_not_reflected", "data_quality.missing_tax_id"]
    with store.session() as s:
        run = Run(name=f"bench {n}", status="completed", started_at=now, finished_at=now, as_of=date(2026, 10, 31),
                  user_name="bench", config={"crm": {"connector": "files"}, "erp": {"connector": "files"}},
                  summary={"exceptions_total": n, "records": {"crm": {"customers": n // 4}}}, software_version="b")
        s.add(run)
        s.flush()
        rid = run.id
        batch = []
        for i in range(n):
            t = types[i % len(types)]
            batch.append({"run_id": rid, "key": f"{t}|{i}", "type": t, "family": t.split(".")[0],
                          "severity": ("critical", "high", "medium", "low")[i % 4],
                          "status": ("open", "open", "in_review", "resolved")[i % 4], "first_seen": now,
                          "last_seen": now, "version": 1, "diffs": [], "customer_name": f"Customer {i // 7}",
                          "crm_object": "invoices", "crm_id": f"C{i}", "erp_object": "invoices", "erp_id": f"E{i}",
                          "field": "status", "crm_value": "open", "erp_value": "paid",
                          "amount_at_risk": Decimal(i % 5000) + Decimal("0.25"),
                          "currency": ("EUR", "USD", "JPY")[i % 3]})
            if len(batch) == 20000:
                s.execute(insert(ExceptionRow), batch)
                batch = []
        if batch:
            s.execute(insert(ExceptionRow), batch)
        if corrections:
            from sqlalchemy import select
            ids = s.execute(select(ExceptionRow.id).where(ExceptionRow.run_id == rid).limit(corrections)).scalars()
            s.execute(insert(Correction), [
                {"exception_id": eid, "run_id": rid, "target_side": "crm", "target_system": "salesforce",
                 "target_object": "invoices", "target_record": f"C{eid}", "field": "status", "from_value": "open",
                 "to_value": "paid", "state": "proposed", "reason": "bench", "preparer": "bench",
                 "prepared_at": now, "attempts": 0, "idempotency_key": f"bench-{eid}", "version": 1}
                for eid in ids])
    return rid


def bench_dashboard(app, sizes: list[int]) -> None:
    from app.main_window import build_window
    from app.models.dashboard_model import load_dashboard
    from workbench.store.db import open_store
    for n in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            store = open_store(f"sqlite:///{tmp}/b.sqlite3")
            try:
                run_id = seed(store, n, corrections=min(n, 10000))
                t = time.perf_counter()
                d = load_dashboard(store, run_id)
                record("dashboard: load + aggregate (DB worker)", n, time.perf_counter() - t)
                win = build_window(store, user="bench")
                dash = win.screens["dashboard"]
                while win.ctx.db.busy or win.ctx.jobs.busy:  # the screens' own first loads
                    app.processEvents()
                    time.sleep(0.001)
                for label in ("first draw", "redraw"):
                    t = time.perf_counter()
                    dash.show_dashboard(d)
                    app.processEvents()
                    record(f"dashboard: {label} of the charts (GUI thread)", n, time.perf_counter() - t,
                           "< 0.100 s")
                from app.views.approvals import list_rows
                appr = win.screens["approvals"]
                m = min(n, 10000)
                t = time.perf_counter()
                rows = list_rows(store, ["proposed"])
                record("approvals: list corrections (DB worker)", m, time.perf_counter() - t)
                t = time.perf_counter()
                appr.model.set_rows(rows)
                app.processEvents()
                record("approvals: fill the table (GUI thread)", m, time.perf_counter() - t, "< 0.100 s")
                win.close()
                app.processEvents()
            finally:
                store.dispose()


def bench_run(app, sizes: list[int]) -> None:
    from PySide6.QtCore import QTimer

    from app.main_window import build_window
    from app.models.run_config_model import run_config_doc
    from workbench import demo as demo_mod
    from workbench.store.db import open_store
    for customers in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            store = open_store(f"sqlite:///{tmp}/b.sqlite3")
            demo = demo_mod.prepare_demo(Path(tmp) / "demo", customers=customers)
            try:
                win = build_window(store, user="bench")
                win.show()
                run_config_doc(win.ctx).open(demo.config_path)
                screen = win.screens["run"]
                outcome: list[str] = []
                finished: list = []
                screen.finished.connect(lambda status, x: (outcome.append(status), finished.append(x)))  # noqa: B023 - connected to this iteration's window only
                gaps = [0.0, ""]
                last = [time.perf_counter()]

                def tick() -> None:
                    now = time.perf_counter()
                    if now - last[0] > gaps[0]:  # noqa: B023 - ticks only while this iteration's run goes
                        gaps[0], gaps[1] = now - last[0], screen.step.text()  # noqa: B023
                    last[0] = now  # noqa: B023

                timer = QTimer()
                timer.setInterval(5)
                timer.timeout.connect(tick)
                t = time.perf_counter()
                screen.start_run()
                last[0] = time.perf_counter()
                timer.start()
                while not outcome:
                    app.processEvents()
                    time.sleep(0.001)  # a benchmark driving the event loop, not a test
                timer.stop()
                total = time.perf_counter() - t
                if outcome[0] != "completed":
                    raise SystemExit(f"run {outcome[0]}: {screen.error.text()}")
                from workbench.store import repo
                rec = (repo.load_run(store, finished[0])["summary"].get("records") or {})
                records = sum(int(v) for side in ("crm", "erp") for v in (rec.get(side) or {}).values())
                print(f"  longest stall while: {gaps[1]!r}", file=sys.stderr)
                record(f"run: pull + reconcile demo ({customers} customers), records", records, total)
                record("run: longest GUI-thread stall during it", records, gaps[0], "< 0.100 s")
                win.close()
                app.processEvents()
            finally:
                demo.stop()
                store.dispose()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--exceptions", default="10000,100000")
    ap.add_argument("--customers", default="200,1000")
    args = ap.parse_args()
    from app.main_window import make_app
    import app.data  # pandas: the app imports it at startup, before any screen loads
    app = make_app()
    tmp_config = tempfile.mkdtemp()
    os.environ["XDG_CONFIG_HOME"] = tmp_config  # never the user's saved layout
    bench_dashboard(app, [int(x) for x in args.exceptions.split(",") if x])
    bench_run(app, [int(x) for x in args.customers.split(",") if x])
    print(f"{'step':<48}{'size':>10}{'seconds':>10}{'peak MB':>10}  target")
    for step, n, sec, mb, target in ROWS:
        print(f"{step:<48}{n:>10,}{sec:>10.3f}{mb:>10.0f}  {target}")


if __name__ == "__main__":
    main()
