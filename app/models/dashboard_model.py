"""What the dashboard shows, computed from the store (plain functions, run on the database worker).

Amounts at risk are summed per currency, never across currencies: a EUR total and a JPY
total added together would be a number nobody can tie out.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from workbench.close.aging import AgingSummary


@dataclass
class Dashboard:
    run: dict[str, Any]
    by_type: list[tuple[str, int]]                          # (type, count), most first
    by_status: list[tuple[str, int]]
    at_risk: dict[str, dict[str, Decimal]]                  # type -> currency -> amount at risk
    currencies: list[str]                                   # most exceptions at risk first
    match_rate: float | None                                # linked CRM customers / CRM customers
    linked: int
    crm_customers: int
    unmatched: dict[str, int]                               # side -> customers no link covers
    latency_days: dict[str, float | int] = field(default_factory=dict)  # count, median, p90, max
    propagation: dict[str, Any] = field(default_factory=dict)           # matched, same_status, rate
    trend: list[dict[str, Any]] = field(default_factory=list)           # per completed run: id, when, total, open
    aging: AgingSummary | None = None                                   # open items by age bucket, overdue
    critical: set[str] = field(default_factory=set)                     # types with a critical exception
    warnings: list[str] = field(default_factory=list)                   # what the run warned of, in words


def top_and_rest(rows: list[tuple[str, Any]], bars: int) -> tuple[list[tuple[str, Any]], list[tuple[str, Any]]]:
    """The rows a chart of ``bars`` bars shows one by one, and the rest it gathers on one "N more" bar
    (which opens them: a small but critical type is one click away, never silently left out)."""
    if len(rows) <= bars:
        return rows, []
    return rows[:bars - 1], rows[bars - 1:]


def _dec(v: Any) -> Decimal | None:
    if v is None or v == "":
        return None
    try:
        return v if isinstance(v, Decimal) else Decimal(str(v))
    except (ArithmeticError, ValueError):
        return None


def _date(v: Any) -> date | None:
    if isinstance(v, date):
        return v
    try:
        return date.fromisoformat(str(v)[:10]) if v else None
    except ValueError:
        return None


def order_to_invoice_latency(store, run_id: int, side: str = "erp") -> dict[str, float | int]:
    """Days from order date to invoice date for the invoices that name their order."""
    from workbench.store import snapshots
    orders: dict[str, date] = {}
    pairs: list[tuple[str, date]] = []
    with store.session() as s:
        pulled = [("orders", canon) for _, _, canon in snapshots.records(s, run_id, "orders", side)]
        pulled += [("invoices", canon) for _, _, canon in snapshots.records(s, run_id, "invoices", side)]
        for kind, canon in pulled:
            c = canon or {}
            if kind == "orders":
                d = _date(c.get("order_date"))
                if d is not None:
                    for key in (c.get("record_id"), c.get("number")):
                        if key:
                            orders[str(key)] = d
            elif c.get("order_ref") and not c.get("is_credit_note"):
                d = _date(c.get("invoice_date"))
                if d is not None:
                    pairs.append((str(c["order_ref"]), d))
    days = sorted((inv - orders[ref]).days for ref, inv in pairs if ref in orders)
    if not days:
        return {"count": 0}
    p90 = days[min(len(days) - 1, int(round(0.9 * (len(days) - 1))))]
    return {"count": len(days), "median": statistics.median(days), "p90": p90, "max": days[-1]}


def _exception_figures(store, run_id: int):
    """(type, status, amount at risk, currency, severity) of each exception: five columns, not the whole row."""
    from sqlalchemy import select
    from workbench.store.schema import ExceptionRow
    with store.session() as s:
        return s.execute(select(ExceptionRow.type, ExceptionRow.status, ExceptionRow.amount_at_risk,
                                ExceptionRow.currency, ExceptionRow.severity)
                         .where(ExceptionRow.run_id == run_id)).all()


def load_dashboard(store, run_id: int | None) -> Dashboard | None:
    from workbench.reconcile.summary import RunSummary, read_summary
    from workbench.store import repo
    if run_id is None:
        run_id = repo.latest_run_id(store)
        if run_id is None:
            return None
    run = repo.load_run(store, run_id)
    summary = read_summary(run.get("summary")) or RunSummary()
    types, statuses = Counter(), Counter()
    at_risk: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    ccy_total: dict[str, Decimal] = defaultdict(Decimal)
    ccy_count: Counter = Counter()
    critical: set[str] = set()
    for t, status, amt, ccy, severity in _exception_figures(store, run_id):
        types[t] += 1
        statuses[status] += 1
        if severity == "critical":
            critical.add(t)
        a = _dec(amt)
        if a is not None and a != 0 and ccy:
            at_risk[t][ccy] += abs(a)
            ccy_total[ccy] += abs(a)
            ccy_count[ccy] += 1
    crm_customers = summary.records.get("crm", {}).get("customers", 0)
    links = repo.load_links(store, run_id)
    linked = 0
    if not links.empty:
        ok = links[links["status"].isin(["auto", "confirmed"])]
        linked = int(ok["crm_id"].dropna().nunique())
    unmatched = {side: int(len(f)) for side, f in repo.unmatched_customers(store, run_id).items()}
    matched_inv = sum(int(v) for v in (summary.stats.get("invoices_matched") or {}).values())
    mism = int(types.get("invoice.status_mismatch", 0))
    propagation = {"matched": matched_inv, "differ": mism,
                   "rate": (matched_inv - mism) / matched_inv if matched_inv else None}
    trend = []
    for r in reversed(repo.list_runs(store)):
        if r.get("status") != "completed":
            continue
        s = read_summary(r.get("summary")) or RunSummary()
        rec = s.records.get("crm", {}).get("customers", 0)
        trend.append({"id": r["id"], "when": r.get("finished_at") or r.get("started_at"),
                      "total": s.exceptions_total, "match_rate": s.links_total / rec if rec else None})
    from workbench.close.aging import run_aging
    with store.session() as s:
        aging = run_aging(s, run_id, date.today())
    return Dashboard(run=run, by_type=types.most_common(), by_status=statuses.most_common(),
                     at_risk={t: dict(v) for t, v in at_risk.items()},
                     # the currency most exceptions are in first (a JPY total is large only in digits)
                     currencies=sorted(ccy_total, key=lambda c: (-ccy_count[c], -ccy_total[c], c)),
                     match_rate=(linked / crm_customers) if crm_customers else None, linked=linked,
                     crm_customers=crm_customers, unmatched=unmatched,
                     latency_days=order_to_invoice_latency(store, run_id), propagation=propagation, trend=trend,
                     warnings=[str(w) for w in summary.stats.get("warnings") or ()],
                     aging=aging, critical=critical)
