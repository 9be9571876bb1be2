"""One run, end to end: pull both sides, reconcile, store. Used by the CLI, the app and the demo."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, UTC
from decimal import Decimal
from typing import Any

from workbench.close.lock import ensure_open
from workbench.close.materiality import auto_waive
from workbench.config import RunConfig
from workbench.errors import Cancelled, WorkbenchError
from workbench.jsonable import plain
from workbench.progress import NullProgress, check_cancelled, source_line
from workbench.reconcile.result import ReconResult
from workbench.sources import open_source
from workbench.sources.base import Extract
from workbench.sources.ledger import format_ledger
from workbench.store import repo
from workbench.store.db import Store


@dataclass
class RunOutcome:
    run_id: int
    result: ReconResult
    summary: dict[str, Any]


class _SideProgress:
    """Forwards one source's progress to the caller's state, per source when it can show that."""

    def __init__(self, state: object, side: str):
        self.state, self.side = state, side

    @property
    def cancelled(self) -> bool:
        return bool(getattr(self.state, "cancelled", False))

    def set_progress(self, done: int, total: int | None = None, message: str = "") -> None:
        per_source = getattr(self.state, "set_source_progress", None)
        if per_source is not None:
            per_source(self.side, done, total, message)
        else:
            self.state.set_progress(done, total, source_line(self.side, done, message))


def pull_side(side: str, config: RunConfig, state: object | None = None) -> Extract:
    source = open_source(side, config)
    try:
        return _pull(source, side, state)
    finally:
        source.close()


def _pull(source: object, side: str, state: object | None) -> Extract:
    extract = source.pull(_SideProgress(state or NullProgress(), side))
    return extract.finish() if extract.meta.content_hash is None else extract


def execute_run(config: RunConfig, store: Store, *, user: str | None = None,
                state: object | None = None) -> RunOutcome:
    from workbench.team.users import require, resolve_user

    state = state or NullProgress()
    started = datetime.now(UTC)
    with store.session() as s:
        user = resolve_user(s, user)
        require(s, user, "run")
        ensure_open(s, period=config.period)  # a certified period takes no new runs until reopened
    # Open both sources first so a config mistake on either side stops the run before any pull.
    sources: dict[str, object] = {}
    try:
        for side in ("crm", "erp"):
            sources[side] = open_source(side, config)
        return _execute(config, store, sources, user, state, started)
    finally:
        for source in sources.values():
            source.close()


def _execute(config: RunConfig, store: Store, sources: dict[str, object], user: str, state: object,
             started: datetime) -> RunOutcome:
    from workbench.reconcile.engine import reconcile

    try:
        crm = _pull(sources["crm"], "crm", state)
        check_cancelled(state)
        erp = _pull(sources["erp"], "erp", state)
        check_cancelled(state)
        state.set_progress(0, None, "Reconciling")
        result = reconcile(crm, erp, config, state)
        check_cancelled(state)
        summary = build_summary(crm, erp, result)
        state.set_progress(0, None, "Saving the run")
        run_id = repo.save_run(store, config, crm, erp, result, user=user, started_at=started,
                               summary=summary, state=state)
        auto_waive(store, run_id, user)  # the period's materiality rules, each waiver an audit event
    except Cancelled:
        repo.record_fail(store, config, user=user, started_at=started, status="cancelled",
                         error="cancelled by the user")
        raise
    except WorkbenchError as exc:
        repo.record_fail(store, config, user=user, started_at=started, status="failed", error=exc.one_line())
        raise
    state.set_progress(1, 1, "Done")
    return RunOutcome(run_id, result, summary)


def build_summary(crm: Extract, erp: Extract, result: ReconResult) -> dict[str, Any]:
    links = result.links
    by_method = Counter()
    suggested = 0
    if links is not None and not links.empty:
        for method, status in zip(links["method"], links["status"]):
            if status == "suggested":
                suggested += 1
            elif status in ("auto", "confirmed"):
                by_method[method] += 1
    exc = result.exceptions
    per_type = Counter(exc["type"]) if exc is not None and not exc.empty else Counter()
    totals = []
    if result.control_totals is not None and not result.control_totals.empty:
        for rec in result.control_totals.to_dict("records"):
            totals.append({k: (int(v) if k == "invoices" else plain(v)) for k, v in rec.items()})
    stats = dict(result.stats or {})
    return {
        "records": {"crm": dict(crm.meta.row_counts), "erp": dict(erp.meta.row_counts)},
        "sources": {m.side: {"system": m.system, "connector": m.connector, "instance": m.instance,
                             "api_version": m.api_version, "content_hash": m.content_hash}
                    for m in (crm.meta, erp.meta)},
        "links": dict(sorted(by_method.items())),
        "links_total": int(sum(by_method.values())),
        "suggested_links": suggested,
        "exceptions": dict(sorted(per_type.items())),
        "exceptions_total": int(sum(per_type.values())),
        "control_totals": totals,
        "api_usage": {m.side: m.api_usage for m in (crm.meta, erp.meta) if m.api_usage},
        "ledger": {m.side: plain(m.ledger) for m in (crm.meta, erp.meta) if m.ledger},
        "stats": plain(stats),
    }




def format_summary(summary: dict[str, Any], run_id: int | None = None) -> str:
    """The run summary as a plain-text report for the terminal."""
    lines = []
    if run_id is not None:
        lines.append(f"Run {run_id}")
    rec = summary.get("records", {})
    kinds = sorted(set(rec.get("crm", {})) | set(rec.get("erp", {})))
    lines.append("")
    lines.append(f"{'Records':<14}{'CRM':>12}{'ERP':>12}")
    for k in kinds:
        lines.append(f"{k:<14}{rec.get('crm', {}).get(k, 0):>12,}{rec.get('erp', {}).get(k, 0):>12,}")
    lines.append("")
    lines.append(f"Customer links: {summary.get('links_total', 0):,}"
                 + (f"  ({', '.join(f'{m} {n:,}' for m, n in summary.get('links', {}).items())})"
                    if summary.get("links") else "")
                 + f"; suggested for review: {summary.get('suggested_links', 0):,}")
    lines.append("")
    exc = summary.get("exceptions", {})
    lines.append(f"{'Exceptions by type':<44}{'Count':>10}")
    for t, n in exc.items():
        lines.append(f"{t:<44}{n:>10,}")
    lines.append(f"{'Total':<44}{summary.get('exceptions_total', 0):>10,}")
    totals = summary.get("control_totals", [])
    if totals:
        lines.append("")
        lines.append(f"{'Control totals':<16}{'Currency':<10}{'Invoices':>10}{'Total amount':>20}{'Open balance':>20}")
        for t in totals:
            lines.append(f"{t.get('side', '').upper():<16}{t.get('currency', ''):<10}{t.get('invoices', 0):>10,}"
                         f"{_fmt(t.get('total_amount')):>20}{_fmt(t.get('open_balance')):>20}")
        diff = summary.get("stats", {}).get("reconciling")
        if isinstance(diff, dict) and diff:
            lines.append("")
            lines.append(f"{'Open balance difference':<26}{'Currency':<10}{'CRM - ERP':>18}{'Explained':>18}"
                         f"{'Unexplained':>18}")
            for ccy, d in sorted(diff.items()):
                if isinstance(d, dict):
                    lines.append(f"{'':<26}{ccy:<10}{_fmt(d.get('difference')):>18}{_fmt(d.get('explained')):>18}"
                                 f"{_fmt(d.get('unexplained')):>18}")
    lines += format_ledger(summary.get("ledger") or {})
    for warning in summary.get("stats", {}).get("warnings") or ():
        lines.append(f"Warning: {warning}")
    usage = summary.get("api_usage") or {}
    for side, u in usage.items():
        lines.append(f"API usage {side.upper()}: " + ", ".join(f"{k} {v}" for k, v in u.items()))
    return "\n".join(lines)


def _fmt(v: Any) -> str:
    if v in (None, ""):
        return ""
    try:
        return f"{Decimal(str(v)):,}"
    except Exception:
        return str(v)
