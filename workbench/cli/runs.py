"""`workbench run`, `workbench runs`, `workbench exceptions`."""

from __future__ import annotations

import argparse
import csv
import json
import sys
from decimal import Decimal

from workbench.cli import add_db_option
from workbench.cli import close as close_cli
from workbench.cli.progress import ConsoleProgress
from workbench.jsonable import plain


def cmd_run(args: argparse.Namespace) -> int:
    from workbench import config as cfg
    from workbench.pipeline import execute_run, format_summary
    from workbench.store.db import open_store
    from workbench.team.users import acting_user

    config = cfg.load(args.config)
    store = open_store(args.db)
    progress = ConsoleProgress()
    try:
        with store.session() as s:
            user = acting_user(s, args.user)
        outcome = execute_run(config, store, user=user, state=progress, full=args.full)
    finally:
        progress.close()
        store.dispose()
    print(format_summary(outcome.summary, outcome.run_id))
    return 0


def cmd_runs(args: argparse.Namespace) -> int:
    from workbench.reconcile.summary import read_summary
    from workbench.store import repo
    from workbench.store.db import open_store

    store = open_store(args.db)
    runs = repo.list_runs(store)
    if args.format == "json":
        print(json.dumps([plain(r) for r in runs], indent=2, ensure_ascii=False))
        return 0
    print(f"{'Run':>5}  {'Started (UTC)':<20}{'Status':<11}{'User':<14}{'As of':<12}{'Exceptions':>11}  Name")
    for r in runs:
        summary = read_summary(r["summary"])
        print(f"{r['id']:>5}  {r['started_at']:%Y-%m-%d %H:%M}    {r['status']:<11}{r['user_name'][:13]:<14}"
              f"{r['as_of']!s:<12}{summary.exceptions_total if summary else '':>11}  {r['name'] or ''}")
    return 0


EXPORT_COLUMNS = ["id", "key", "type", "family", "severity", "status", "crm_object", "crm_id", "erp_object", "erp_id",
                  "crm_number", "erp_number", "customer_name", "field", "crm_value", "erp_value", "difference",
                  "amount_at_risk", "currency",
                  "assignee", "first_seen", "last_seen", "message", "diffs", "proposal"]




def cmd_exceptions(args: argparse.Namespace) -> int:
    from workbench.store import repo
    from workbench.store.db import open_store

    store = open_store(args.db)
    run = repo.load_run(store, args.run)
    frame = repo.load_exceptions(store, run["id"])
    if args.type:
        frame = frame[frame["type"].isin(args.type)]
    if args.severity:
        frame = frame[frame["severity"].isin(args.severity)]
    records = [{c: plain(rec.get(c)) for c in EXPORT_COLUMNS} for rec in frame.to_dict("records")]
    out = sys.stdout
    if args.format == "json":
        json.dump({"run": run["id"], "exceptions": records}, out, indent=2, ensure_ascii=False)
        out.write("\n")
    elif args.format == "csv":
        from workbench.export.excel_safe import csv_row
        w = csv.writer(out)
        w.writerow(EXPORT_COLUMNS)
        for r in records:  # source text could be a formula to a spreadsheet: the workbook's guard
            w.writerow(csv_row(json.dumps(r[c], ensure_ascii=False) if isinstance(r[c], (dict, list)) else
                               ("" if r[c] is None else r[c]) for c in EXPORT_COLUMNS))
    else:
        print(f"Run {run['id']}: {len(records):,} exceptions")
        print(f"{'Id':>7}  {'Type':<34}{'Sev':<9}{'Status':<10}{'Number':<16}{'Customer':<28}{'Field':<14}"
              f"{'CRM':>16}{'ERP':>16}{'At risk':>16}")
        for r in records:
            risk = f"{Decimal(r['amount_at_risk']):,} {r['currency'] or ''}" if r["amount_at_risk"] else ""
            number = r["erp_number"] or r["crm_number"] or ""
            print(f"{r['id']:>7}  {r['type'][:33]:<34}{r['severity']:<9}{r['status']:<10}{number[:15]:<16}"
                  f"{(r['customer_name'] or '')[:27]:<28}{(r['field'] or '')[:13]:<14}"
                  f"{(r['crm_value'] or '')[:15]:>16}{(r['erp_value'] or '')[:15]:>16}{risk:>16}")
    return 0


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("run", help="pull both sides, reconcile, store the run and print its summary")
    p.add_argument("--config", required=True, help="run config (TOML)")
    p.add_argument("--user", help="who runs it (default: your OS login)")
    p.add_argument("--full", action="store_true",
                   help="pull everything again instead of only what changed since the last run of this config")
    add_db_option(p)
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("runs", help="list the runs in the database")
    p.add_argument("--format", choices=["table", "json"], default="table")
    add_db_option(p)
    p.set_defaults(func=cmd_runs)

    p = sub.add_parser("exceptions", help="list a run's exceptions (default: the latest run)")
    p.add_argument("--run", type=int, help="run id (default: the latest completed run)")
    p.add_argument("--format", choices=["table", "csv", "json"], default="table")
    p.add_argument("--type", action="append", help="only this exception type (repeatable)")
    p.add_argument("--severity", action="append", help="only this severity (repeatable)")
    add_db_option(p)
    p.set_defaults(func=cmd_exceptions)
    close_cli.register_exception_actions(p)  # exceptions comment|attach|assign|evidence
