"""`workbench run`, `workbench runs`, `workbench exceptions`."""

from __future__ import annotations

import argparse
import csv
import sys
from collections.abc import Iterable
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from workbench.cli import add_db_option
from workbench.cli import close as close_cli
from workbench.cli.output import check_choices, csv_value, dumps, fit, timestamp
from workbench.cli.progress import ConsoleProgress
from workbench.model.labels import (exception_status_label, field_label, severity_label, type_label,
                                    value_text)
from workbench.model.missing import is_missing

if TYPE_CHECKING:
    import pandas as pd


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
        print(dumps(runs))
        return 0
    print(f"{'Run':>5}  {'Started (UTC)':<20}{'Status':<11}{'User':<14}{'As of':<12}{'Exceptions':>11}  Name")
    for r in runs:
        summary = read_summary(r["summary"])
        total = f"{summary.exceptions_total:,}" if summary else ""
        started = timestamp(r["started_at"])[:16].replace("T", " ") if r["started_at"] else ""
        print(f"{r['id']:>5}  {started:<20}"
              f"{fit(r['status'], 10):<11}{fit(r['user_name'], 13):<14}{fit(r['as_of'], 11):<12}{total:>11}  "
              f"{fit(r['name'], 40)}")
    return 0


EXPORT_COLUMNS = ["id", "key", "type", "type_label", "family", "severity", "status", "crm_object", "crm_id",
                  "erp_object", "erp_id", "crm_number", "erp_number", "customer_name", "field", "field_label",
                  "crm_value", "erp_value", "difference", "amount_at_risk", "currency",
                  "assignee", "first_seen", "last_seen", "message", "diffs", "proposal"]


def _filter(frame: pd.DataFrame, column: str, option: str, wanted: list[str] | None,
            valid: Iterable[str]) -> pd.DataFrame:
    if not wanted:
        return frame
    values = [v.strip() for w in wanted for v in w.split(",") if v.strip()]
    check_choices(option, values, valid)
    return frame[frame[column].isin(values)]


def cmd_exceptions(args: argparse.Namespace) -> int:
    from workbench.model.states import ExceptionStatus
    from workbench.reconcile.rules import SEVERITIES, TYPE_SEVERITY
    from workbench.store import repo
    from workbench.store.db import open_store

    store = open_store(args.db)
    run = repo.load_run(store, args.run)
    frame = repo.load_exceptions(store, run["id"])
    # a type this version no longer makes may still be stored: it exists, so it filters
    frame = _filter(frame, "type", "--type", args.type, [*TYPE_SEVERITY, *frame["type"].dropna().unique()])
    frame = _filter(frame, "severity", "--severity", args.severity, SEVERITIES)
    frame = _filter(frame, "status", "--status", args.status, [str(s) for s in ExceptionStatus])
    records = [{c: rec.get(c) for c in EXPORT_COLUMNS} | {"type_label": type_label(rec.get("type")),
                                                          "field_label": field_label(rec.get("field"))
                                                          if rec.get("field") else None}
               for rec in frame.to_dict("records")]
    out = sys.stdout
    if args.format == "json":
        out.write(dumps({"run": run["id"], "exceptions": records}) + "\n")
    elif args.format == "csv":
        from workbench.export.excel_safe import csv_row
        w = csv.writer(out)
        w.writerow(EXPORT_COLUMNS)
        for r in records:  # source text could be a formula to a spreadsheet: the workbook's guard
            w.writerow(csv_row(csv_value(r[c]) for c in EXPORT_COLUMNS))
    else:
        _exceptions_table(run["id"], records)
    return 0


def _exceptions_table(run_id: int, records: list[dict[str, Any]]) -> None:
    """What a controller reads first: severity, what is wrong, the document, both values and the
    amount at risk in its currency; the codes are in csv/json and ``--type`` takes them."""
    print(f"Run {run_id}: {len(records):,} exceptions")
    print(f"{'Id':>7}  {'Severity':<9}{'Type':<32}{'Status':<10}{'Document':<14}{'Customer':<24}{'Field':<16}"
          f"{'CRM':>19}{'ERP':>19}{'At risk':>18}")
    for r in records:
        ccy, fld = r["currency"], r["field"]
        number = r["erp_number"] or r["crm_number"]
        print(f"{r['id']:>7}  {fit(severity_label(r['severity']), 8):<9}{fit(r['type_label'], 31):<32}"
              f"{fit(exception_status_label(r['status']), 9):<10}{fit(number, 13):<14}"
              f"{fit(r['customer_name'], 23):<24}{fit(r['field_label'], 15):<16}"
              f"{fit(_value(r['crm_value'], fld, ccy), 18):>19}{fit(_value(r['erp_value'], fld, ccy), 18):>19}"
              f"{fit(_risk(r['amount_at_risk'], ccy), 17):>18}")


def _risk(amount: Any, currency: str | None) -> str:
    """Money at risk in its currency; nothing when none is (a customer record has no amount)."""
    if is_missing(amount) or (not currency and Decimal(str(amount)) == 0):
        return ""
    return value_text(amount, "amount", currency)


def _value(value: Any, field: str | None, currency: str | None) -> str:
    return "" if is_missing(value) else value_text(value, field, currency)


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("run", help="pull both sides, reconcile, store the run and print its summary")
    p.add_argument("--config", required=True, help="run config (TOML)")
    p.add_argument("--user", help="who runs it (default: your OS login)")
    p.add_argument("--full", action="store_true",
                   help="pull everything again instead of only what changed since the last run of this config")
    add_db_option(p)
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("runs", help="list the runs in the database")
    p.add_argument("--format", choices=["table", "json"], default="table",
                   help="table for people, json for scripts (timestamps ISO 8601 in UTC)")
    add_db_option(p)
    p.set_defaults(func=cmd_runs)

    p = sub.add_parser("exceptions", help="list a run's exceptions (default: the latest run)")
    p.add_argument("--run", type=int, help="run id (default: the latest completed run)")
    p.add_argument("--format", choices=["table", "csv", "json"], default="table",
                   help="table (labels, money with currency) for people; csv or json (codes, exact amounts) for tools")
    p.add_argument("--type", action="append", metavar="TYPE",
                   help="only this exception type, e.g. invoice.status_mismatch (repeatable or comma-separated; "
                        "an unknown type is an error listing the known ones)")
    p.add_argument("--severity", action="append", metavar="SEVERITY",
                   help="only this severity: critical, high, medium or low (repeatable or comma-separated)")
    p.add_argument("--status", action="append", metavar="STATUS",
                   help="only this status: open, in_review, reopened, resolved or waived (repeatable or "
                        "comma-separated)")
    add_db_option(p)
    p.set_defaults(func=cmd_exceptions)
    close_cli.register_exception_actions(p)  # exceptions comment|attach|assign|evidence
