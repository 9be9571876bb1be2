"""The month-end close in the audit workbook: the cover's close block and the Close sheet.

The cover states the run's period, its certification chain (who prepared and reviewed it, and when,
or "not certified"), the run's open amounts at risk per currency and in the reporting currency with
the FX table used, and the materiality settings. The Close sheet lists what an auditor checks item by
item: the auto-waivers (rule and threshold), the items carried forward, the comments and the evidence
files with their SHA-256.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from workbench.close.fx import rates_of
from workbench.close.materiality import AUTO_WAIVED, materiality_of
from workbench.close.signoff import OPEN_STATUSES, carried_forward, history
from workbench.export.workbook_content import Col, Styled
from workbench.export.workbook_styles import amount_style
from workbench.model.money import quantize
from workbench.store.db import Store
from workbench.store.schema import Attachment, AuditEvent, Comment, ExceptionRow, Period

CLOSE_SHEET = "Close"
CLOSE_DESCRIPTION = "auto-waivers by materiality (rule, threshold), items carried forward, comments, evidence hashes"
CLOSE_COLS = [
    Col("Kind", "text"), Col("Exception key", "text"), Col("At (UTC)", "datetime", 20), Col("Who", "text"),
    Col("Detail", "text"), Col("Amount", "amount", 14, currency_col=6), Col("Currency", "text", 9),
    Col("SHA-256", "text", 66),
]
_ACTION_NAMES = {"signoff": "Signed off (preparer)", "certify": "Certified (reviewer)", "reopen": "Reopened"}


def _label(text: str) -> Styled:
    return Styled(text, "wb label")


def cover_rows(store: Store, run_id: int, period_name: str | None) -> list[list[Any]]:
    """The cover's close block: period state, certification chain, reporting-currency totals, FX, materiality."""
    rows: list[list[Any]] = [[Styled("Month-end close", "wb section")]]
    if not period_name:
        return rows + [["(the run names no period: set [run] period to close it)"], []]
    with store.session() as s:
        period = s.get(Period, period_name)
        chain = history(s, period_name)
        state = period.state.replace("_", " ") if period is not None else "open"
        certified = period is not None and period.state == "certified"
        rows.append([_label("Period"), period_name])
        rows.append([_label("State"), state if certified else f"{state} — not certified"])
        rows.append([Styled(h, "wb header") for h in ("Certification chain", "By", "At (UTC)", "Reason or note",
                                                      "Snapshot SHA-256", "Audit trail head")])
        for h in chain:
            head = f"{h.trail_count:,} events, {h.trail_head}" if h.trail_head else None
            rows.append([_ACTION_NAMES.get(h.action, h.action), h.actor, Styled(h.at, "wb datetime"), h.reason,
                         Styled(h.snapshot_hash, "wb mono"), head])
        if not chain:
            rows.append(["(not signed off, not certified)"])
        rows += _totals_rows(s, run_id, period)
        rows += _materiality_rows(period)
    rows.append([])
    return rows


def _totals_rows(s: Session, run_id: int, period: Period | None) -> list[list[Any]]:
    totals: dict[str, Decimal] = {}
    for amount, currency in s.execute(select(ExceptionRow.amount_at_risk, ExceptionRow.currency)
                                      .where(ExceptionRow.run_id == run_id, ExceptionRow.status.in_(OPEN_STATUSES),
                                             ExceptionRow.amount_at_risk.is_not(None))):
        if currency and amount is not None:
            totals[currency] = totals.get(currency, Decimal(0)) + amount
    rows: list[list[Any]] = [[Styled(h, "wb header") for h in ("Open at risk", "Amount", "FX rate",
                                                                "In reporting currency")]]
    cur = period.reporting_currency if period is not None else None
    rates = rates_of(s, period.name) if period is not None else {}
    converted: list[Decimal] = []
    for code, amount in sorted(totals.items()):
        rate = rates.get(code)
        value = quantize(amount * rate, cur) if cur and rate is not None else None
        if value is not None:
            converted.append(value)
        rows.append([code, Styled(amount, amount_style(code, amount)), rate,
                     Styled(value, amount_style(cur, value)) if value is not None else "(no rate)"])
    if not totals:
        rows.append(["(nothing open with an amount at risk)"])
    if cur:
        missing = [c for c in totals if c not in rates]
        in_cur = sum(converted, Decimal(0))
        total: Any = Styled(in_cur, amount_style(cur, in_cur)) if not missing else \
            f"not converted: no rate for {', '.join(sorted(missing))}"
        rows.append([_label(f"Total in {cur}"), total])
        rows.append([_label("FX table"), period.fx_source if period is not None else None])
    else:
        rows.append([_label("Reporting currency"), "(none: no FX table loaded for the period)"])
    return rows


def _materiality_rows(period: Period | None) -> list[list[Any]]:
    rules = materiality_of(period) if period is not None else None
    if rules is None or rules.empty or period is None:
        return [[_label("Materiality"), "(none: nothing is auto-waived)"]]
    cur = period.reporting_currency or ""
    rows: list[list[Any]] = []
    if rules.absolute is not None:
        rows.append([_label("Materiality, absolute"), f"{rules.absolute} {cur} (not critical items)"])
    for severity, value in sorted(rules.by_severity.items()):
        rows.append([_label(f"Materiality, {severity}"), f"{value} {cur}"])
    return rows


def close_rows(store: Store, run_id: int, period_name: str | None) -> list[tuple[Any, ...]]:
    """The Close sheet: auto-waivers, carried-forward items, comments and evidence of this run's items."""
    out: list[tuple[Any, ...]] = []
    with store.session() as s:
        for ev in s.execute(select(AuditEvent).where(AuditEvent.run_id == run_id, AuditEvent.action == AUTO_WAIVED)
                            .order_by(AuditEvent.id)).scalars():
            d = ev.detail or {}
            out.append(("Auto-waiver", d.get("key"), ev.at, ev.actor,
                        f"rule {d.get('rule')}: {d.get('amount_reporting')} {d.get('reporting_currency')} ≤ "
                        f"threshold {d.get('threshold')} {d.get('reporting_currency')}",
                        _dec(d.get("amount")), d.get("currency"), ev.hash))
        if period_name:
            for key, c in carried_forward(s, period_name).items():
                out.append(("Carried forward", key, c.at, c.actor, c.reason, None, None, None))
        keys = select(ExceptionRow.key).where(ExceptionRow.run_id == run_id).scalar_subquery()
        for cm in s.execute(select(Comment).where(Comment.exception_key.in_(keys)).order_by(Comment.id)).scalars():
            out.append(("Comment", cm.exception_key, cm.at, cm.author, cm.text, None, None, None))
        cols = (Attachment.exception_key, Attachment.at, Attachment.uploader, Attachment.file_name, Attachment.size,
                Attachment.sha256)  # never the content: the hash is the evidence's fingerprint
        for key, at, uploader, name, size, sha in s.execute(select(*cols).where(Attachment.exception_key.in_(keys))
                                                            .order_by(Attachment.id)):
            out.append(("Evidence file", key, at, uploader, f"{name} ({size:,} bytes)", None, None, sha))
    return out


def _dec(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))
