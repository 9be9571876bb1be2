"""One run, end to end: pull both sides, reconcile, store. Used by the CLI, the app and the demo."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, UTC
from typing import Any

from workbench.close.lock import ensure_open
from workbench.close.materiality import auto_waive
from workbench.config import RunConfig
from workbench.errors import Cancelled, WorkbenchError
from workbench.model.labels import type_label
from workbench.model.missing import is_missing
from workbench.model.money import amount_text
from workbench.progress import NullProgress, Progress, TaskState, check_cancelled
from workbench.reconcile.result import ReconResult
from workbench.reconcile.summary import RunSummary, read_summary
from workbench.sources import open_source
from workbench.sources.base import Extract, Source
from workbench.sources.ledger import format_ledger
from workbench.store import repo
from workbench.store.db import Store


@dataclass
class RunOutcome:
    run_id: int
    result: ReconResult
    summary: dict[str, Any]


class _SideProgress(Progress):
    """Forwards one source's progress to the caller's state as that source's progress."""

    def __init__(self, state: TaskState, side: str) -> None:
        self.state, self.side = state, side

    @property
    def cancelled(self) -> bool:
        return self.state.cancelled

    def set_progress(self, done: int, total: int | None = None, message: str = "") -> None:
        self.state.set_source_progress(self.side, done, total, message)


def _pull(source: Source, side: str, state: TaskState | None) -> Extract:
    extract = source.pull(_SideProgress(state or NullProgress(), side))
    return extract.finish() if extract.meta.content_hash is None else extract


def execute_run(config: RunConfig, store: Store, *, user: str | None = None,
                state: TaskState | None = None) -> RunOutcome:
    from workbench.team.users import require, resolve_user

    state = state or NullProgress()
    started = datetime.now(UTC)
    with store.session() as s:
        user = resolve_user(s, user)
        require(s, user, "run")
        ensure_open(s, period=config.period)  # a certified period takes no new runs until reopened
    # Open both sources first so a config mistake on either side stops the run before any pull.
    sources: dict[str, Source] = {}
    try:
        try:
            for side in ("crm", "erp"):
                sources[side] = open_source(side, config)
        except WorkbenchError as exc:
            repo.record_fail(store, config, user=user, started_at=started, status="failed", error=exc.one_line())
            raise
        return _execute(config, store, sources, user, state, started)
    finally:
        for source in sources.values():
            source.close()


def _execute(config: RunConfig, store: Store, sources: dict[str, Source], user: str, state: TaskState,
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
        summary = RunSummary.build(crm, erp, result).to_json()
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


def format_summary(summary: dict[str, Any], run_id: int | None = None) -> str:
    """The run summary as a plain-text report for the terminal: labels from the label table
    (with the type code ``--type`` takes), amounts to their currency's minor units, no Python reprs."""
    run = read_summary(summary) or RunSummary()
    lines = []
    if run_id is not None:
        lines.append(f"Run {run_id}")
    rec = run.records
    kinds = sorted(set(rec.get("crm", {})) | set(rec.get("erp", {})))
    lines.append("")
    lines.append(f"{'Records':<14}{'CRM':>12}{'ERP':>12}")
    for k in kinds:
        lines.append(f"{k:<14}{rec.get('crm', {}).get(k, 0):>12,}{rec.get('erp', {}).get(k, 0):>12,}")
    lines.append("")
    lines.append(f"Customer links: {run.links_total:,}"
                 + (f"  ({', '.join(f'{m} {n:,}' for m, n in run.links.items())})"
                    if run.links else "")
                 + f"; suggested for review: {run.suggested_links:,}")
    lines.append("")
    exc = run.exceptions
    lines.append(f"{'Exceptions by type':<44}{'Count':>10}  Code")
    for kind, n in exc.items():
        lines.append(f"{type_label(kind)[:43]:<44}{n:>10,}  {kind}")
    lines.append(f"{'Total':<44}{run.exceptions_total:>10,}")
    totals = run.control_totals
    if totals:
        lines.append("")
        lines.append(f"{'Control totals':<16}{'Currency':<10}{'Invoices':>10}{'Total amount':>20}{'Open balance':>20}")
        for t in totals:
            ccy = t.get("currency") or ""
            lines.append(f"{str(t.get('side', '')).upper():<16}{ccy:<10}{t.get('invoices', 0):>10,}"
                         f"{amount_text(t.get('total_amount'), ccy):>20}{amount_text(t.get('open_balance'), ccy):>20}")
        diff = run.stats.get("reconciling")
        if isinstance(diff, dict) and diff:
            lines.append("")
            lines.append(f"{'Open balance difference':<26}{'Currency':<10}{'CRM - ERP':>18}{'Explained':>18}"
                         f"{'Unexplained':>18}")
            for ccy, d in sorted(diff.items()):
                if isinstance(d, dict):
                    lines.append(f"{'':<26}{ccy:<10}{amount_text(d.get('difference'), ccy):>18}"
                                 f"{amount_text(d.get('explained'), ccy):>18}"
                                 f"{amount_text(d.get('unexplained'), ccy):>18}")
    lines += format_ledger(run.ledger)
    for warning in run.stats.get("warnings") or ():
        lines.append(f"Warning: {warning}")
    for side, u in run.api_usage.items():
        lines.append(f"API usage {side.upper()}: {_usage_text(u)}")
    return "\n".join(lines)


def _usage_text(value: Any) -> str:
    """A connector's usage figures in words: "calls 15, by resource: query 14, sobjects 1, max 15,000"."""
    if isinstance(value, dict):
        parts = [f"{str(k).replace('_', ' ')}{':' if isinstance(v, dict) else ''} {_usage_text(v)}"
                 for k, v in value.items() if not is_missing(v) and v != {}]
        return ", ".join(parts) if parts else "none"
    if isinstance(value, (list, tuple)):
        return ", ".join(_usage_text(v) for v in value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)
