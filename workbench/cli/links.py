"""`workbench links`: every customer link of a run with its method, confidence and evidence.

Suggested links (found by evidence between the two thresholds, waiting for a person)
are listed apart from the links the run relies on.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from collections.abc import Hashable
from typing import Any, TextIO

from workbench.cli.output import fit

COLUMNS = ["crm_id", "erp_id", "method", "confidence", "status", "evidence"]
RELIED_ON = ("auto", "confirmed")


def _evidence_text(ev: Any) -> str:
    """Compact evidence for the table: scores as numbers, key checks as +/-."""
    if not isinstance(ev, dict):
        return ""
    parts = []
    for k, v in ev.items():
        if isinstance(v, bool):
            parts.append(f"{k}{'+' if v else '-'}")
        elif isinstance(v, (int, float)) and k != "score":
            parts.append(f"{k} {v:.2f}")
    return " ".join(parts)


def _record(rec: dict[Hashable, Any]) -> dict[str, Any]:
    conf = rec.get("confidence")
    return {"crm_id": rec.get("crm_id"), "erp_id": rec.get("erp_id"), "method": rec.get("method"),
            "confidence": None if conf is None else round(float(conf), 4), "status": rec.get("status"),
            "evidence": rec.get("evidence") or {}}


def cmd_links(args: argparse.Namespace) -> int:
    from workbench.store import repo
    from workbench.store.db import open_store

    store = open_store(args.db)
    run = repo.load_run(store, args.run)
    frame = repo.load_links(store, run["id"])
    records = [_record(r) for r in frame.to_dict("records")]
    linked = [r for r in records if r["status"] in RELIED_ON]
    suggested = [r for r in records if r["status"] == "suggested"]
    rejected = [r for r in records if r["status"] not in RELIED_ON and r["status"] != "suggested"]
    out = sys.stdout
    if args.format == "json":
        json.dump({"run": run["id"], "links": linked, "suggested": suggested, "rejected": rejected},
                  out, indent=2, ensure_ascii=False)
        out.write("\n")
    elif args.format == "csv":
        from workbench.export.excel_safe import csv_row
        w = csv.writer(out)
        w.writerow(COLUMNS)
        for r in linked + suggested + rejected:  # names from the sources: the workbook's formula guard
            w.writerow(csv_row(json.dumps(r[c], ensure_ascii=False, sort_keys=True) if c == "evidence" else
                               ("" if r[c] is None else r[c]) for c in COLUMNS))
    else:
        _table(out, f"Run {run['id']}: {len(linked):,} customer links", linked)
        _table(out, f"Suggested links to confirm: {len(suggested):,}", suggested)
        if rejected:
            _table(out, f"Rejected links: {len(rejected):,}", rejected)
    return 0


def _table(out: TextIO, title: str, rows: list[dict[str, Any]]) -> None:
    out.write(title + "\n")
    if not rows:
        out.write("  (none)\n\n")
        return
    out.write(f"  {'CRM id':<20}{'ERP id':<38}{'Method':<11}{'Conf':>6}  Evidence\n")
    for r in rows:
        conf = "" if r["confidence"] is None else f"{r['confidence']:.2f}"
        out.write(f"  {fit(r['crm_id'], 19):<20}{fit(r['erp_id'], 37):<38}{fit(r['method'], 10):<11}"
                  f"{conf:>6}  {_evidence_text(r['evidence'])}\n")
    out.write("\n")


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from workbench.cli import add_db_option

    p = sub.add_parser("links", help="list the customer links of a run (method, confidence, evidence)")
    p.add_argument("--run", type=int, help="run id (default: the latest completed run)")
    p.add_argument("--format", choices=["table", "csv", "json"], default="table",
                   help="table for people; csv or json (with the full evidence) for tools")
    add_db_option(p)
    p.set_defaults(func=cmd_links)
