"""What the audit workbook says: every sheet's rows, read from the store.

The writer (workbook.py) turns these rows into styled cells; ``verify_workbook``
regenerates the same rows to compare with a file cell by cell. Everything here is
derived from the store alone (timestamps come from the run, never from the clock),
so the same run and the same data give the same cells.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, UTC
from decimal import Decimal
from typing import Any, overload
from collections.abc import Callable, Iterable, Iterator

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from sqlalchemy import ColumnElement, String, and_, cast, func, or_, select
from sqlalchemy.orm import Session

from workbench.store import trail
from workbench.export.excel_safe import EXCEL_MAX_TEXT, Scrubber, cell_text, env_secrets
from workbench.export.workbook_styles import amount_style
from workbench.export.readable import (VERIFICATION_LABELS, detail_text, evidence_text, preparer_reason,
                                       proposal_rule, proposal_text)
from workbench.model.labels import (SIDE_LABELS, correction_state_label, exception_status_label, field_label,
                                    severity_label, type_label, value_text)
from workbench.model.missing import is_missing
from workbench.model.records import DATE_FIELDS, DECIMAL_FIELDS
from workbench.reconcile.result import UNREPORTED_LABELS
from workbench.store.chunks import chunks
from workbench.sources.ledger import conventions_rows, ledger_rows
from workbench.store import repo
from workbench.store.db import Store
from workbench.store.exports import Anchor
from workbench.store import snapshots
from workbench.store.schema import AuditEvent, Correction, CustomerLink, ExceptionRow

FORMAT_VERSION = "3"  # 2: export id and the trail anchor on the Cover; 3: typed values, labels, trail
STREAM_BATCH = 5_000


@dataclass
class Col:
    header: str
    kind: str = "text"  # text | int | amount | value | date | datetime | percent | score | severity | status
    width: int | None = None  # characters; None = measured from the data
    currency_col: int | None = None  # amount and value columns: index of the row's currency column
    code_col: int | None = None      # value columns: index of the row's field code (money, date or text)
    hidden: bool = False             # secondary columns (raw JSON for the manifest): hidden on screen and paper


@dataclass
class Styled:
    """A cell of a free-form sheet (Cover, Summary) with its style and optional in-workbook link."""
    value: Any
    style: str | None = None
    link: str | None = None  # a sheet name


@dataclass
class Sheet:
    name: str
    columns: list[Col] | None        # None: a free-form sheet (no table, no header row)
    rows: Callable[[], Iterable[tuple[Any, ...]]]
    total: int = 0                   # rows expected, for progress
    description: str = ""
    widths: list[int | None] = field(default_factory=list)  # column widths (None: fit the header)


def prepare(value: Any) -> Any:
    """The exact value written to a cell (and hashed): text made writable, times in UTC to the second."""
    if value is None:
        return None
    t = type(value)
    if t is str:
        return cell_text(value) if value else None
    if t is datetime:
        v = value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo else value
        from workbench.export.manifest import round_second
        return round_second(v)
    if t in (int, Decimal, date, bool):
        return value
    if t is float:
        return value if value == value else None
    if isinstance(value, (dict, list)):
        return cell_text(json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(", ", ": ")))
    if isinstance(value, datetime):
        return prepare(datetime(value.year, value.month, value.day, value.hour, value.minute, value.second,
                                value.microsecond, value.tzinfo))
    if isinstance(value, (date, int, Decimal)):
        return value
    return cell_text(str(value))


def prepare_row(row: tuple[Any, ...]) -> list[Any]:
    """``prepare`` for a whole row, with the common cases (plain text, numbers, None) inlined."""
    out = list(row)
    for i, v in enumerate(out):
        t = type(v)
        if t is str:
            if not v or len(v) > EXCEL_MAX_TEXT or ILLEGAL_CHARACTERS_RE.search(v):
                out[i] = prepare(v)
        elif v is None or t is int or t is Decimal:
            continue
        else:
            out[i] = prepare(v)
    return out


@overload
def _utc(dt: datetime) -> datetime: ...


@overload
def _utc(dt: None) -> None: ...


def _utc(dt: datetime | None) -> datetime | None:
    if dt is None:
        return None
    return dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt.astimezone(UTC)


def _flatten(obj: Any, prefix: str = "") -> Iterator[tuple[str, Any]]:
    if isinstance(obj, dict):
        for k in sorted(obj, key=str):
            yield from _flatten(obj[k], f"{prefix}.{k}" if prefix else str(k))
    elif isinstance(obj, list) and any(isinstance(v, (dict, list)) for v in obj):
        for i, v in enumerate(obj):
            yield from _flatten(v, f"{prefix}[{i}]")
    else:
        yield prefix, obj


def _display(v: Any) -> Any:
    if isinstance(v, (dict, list)):
        return json.dumps(v, sort_keys=True, ensure_ascii=False)
    if isinstance(v, bool):
        return "true" if v else "false"
    return v


def _dec(v: Any) -> Decimal | None:
    if v in (None, ""):
        return None
    try:
        return Decimal(str(v))
    except Exception:
        return None


EXCEPTION_COLS = [
    Col("Exception id", "int", 12), Col("Type", "text"), Col("Severity", "severity", 10),
    Col("Status", "status", 11), Col("Customer", "text"), Col("CRM object", "text"), Col("CRM record", "text"),
    Col("ERP object", "text"), Col("ERP record", "text"), Col("Field", "text"),
    Col("CRM value", "value", 16, currency_col=14, code_col=21), Col("ERP value", "value", 16, currency_col=14,
                                                                      code_col=21),
    Col("Difference (CRM − ERP)", "amount", 18, currency_col=14),
    Col("Amount at risk", "amount", 18, currency_col=14), Col("Currency", "text", 10),
    Col("Assignee", "text"), Col("First seen (UTC)", "datetime", 20), Col("Age (days)", "int", 11),
    Col("Resolution", "text"), Col("Message", "text"), Col("Type code", "text"), Col("Field code", "text"),
    Col("CRM number", "text"), Col("ERP number", "text"),  # invoice, order, item or customer number
]
# store column measured for each measured text column (widths that fit); labels are measured as codes
_EXC_MEASURE = {1: ExceptionRow.type, 4: ExceptionRow.customer_name, 5: ExceptionRow.crm_object,
                6: ExceptionRow.crm_id, 7: ExceptionRow.erp_object, 8: ExceptionRow.erp_id, 9: ExceptionRow.field,
                15: ExceptionRow.assignee, 18: ExceptionRow.resolution, 19: ExceptionRow.message,
                20: ExceptionRow.type, 21: ExceptionRow.field, 22: ExceptionRow.crm_number,
                23: ExceptionRow.erp_number}

CORRECTION_COLS = [
    Col("Correction id", "int", 13), Col("Exception id", "int", 12), Col("Type", "text"), Col("Customer", "text"),
    Col("Target side", "text", 11), Col("Target system", "text"), Col("Object", "text"), Col("Record", "text"),
    Col("Field", "text"), Col("Before", "value", 16, currency_col=11, code_col=31),
    Col("After", "value", 16, currency_col=11, code_col=31), Col("Currency", "text", 10),
    Col("State", "status", 14), Col("Prepared by", "text"), Col("Prepared at (UTC)", "datetime", 20),
    Col("Preparer's reason", "text"), Col("Engine's proposal", "text"), Col("Rule", "text"),
    Col("Decision", "text", 10), Col("Approved or rejected by", "text"),
    Col("Approved or rejected at (UTC)", "datetime", 20), Col("Approval or rejection reason", "text"),
    Col("Pushed by", "text"), Col("Pushed at (UTC)", "datetime", 20), Col("Push attempts", "int", 13),
    Col("Response id", "text"), Col("Error", "text"), Col("Verified at (UTC)", "datetime", 20),
    Col("Verification", "text"), Col("Verification detail", "text"), Col("State code", "text"),
    Col("Field code", "text"), Col("Type code", "text"), Col("Further changes", "text"),
]

LINK_COLS = [
    Col("CRM record", "text"), Col("CRM name", "text"), Col("ERP record", "text"), Col("ERP name", "text"),
    Col("Method", "text"), Col("Confidence", "score", 11), Col("Status", "status", 11), Col("Decided by", "text"),
    Col("Decided at (UTC)", "datetime", 20), Col("Evidence", "text"), Col("Evidence (JSON)", "text", hidden=True),
]

UNMATCHED_FIELDS = [("record_id", "Record"), ("name", "Name"), ("number", "Number"), ("xref", "Cross-reference"),
                    ("street", "Street"), ("city", "City"), ("postcode", "Postcode"), ("country", "Country"),
                    ("tax_id", "Tax id"), ("currency", "Currency"), ("blocked", "Blocked")]

AUDIT_COLS = [
    Col("Event id", "int", 10), Col("At (UTC)", "datetime", 20), Col("Actor", "text"), Col("Action", "text"),
    Col("Entity", "text"), Col("Entity id", "text"), Col("Detail", "text"), Col("Previous hash", "text", 66),
    Col("Hash", "text", 66), Col("Detail (JSON, as hashed)", "text", hidden=True),
]

PARAM_COLS = [Col("Section", "text"), Col("Setting", "text"), Col("Value", "text")]


class Content:
    """The rows of every sheet of one run's workbook, produced in an order where
    aggregates (Summary) are known after the detail sheets that feed them."""

    def __init__(self, store: Store, run_id: int, anchor: Anchor | None = None):
        self.store = store
        self.run_id = run_id
        self.anchor = anchor
        self.run = repo.load_run(store, run_id)
        self.config = self.run.get("config") or {}
        self.scrub = Scrubber(env_secrets(self.config))
        self.as_of_time = _utc(self.run["finished_at"] or self.run["started_at"])
        self.exc_agg: dict[tuple[str, str, str], list[Any]] = defaultdict(lambda: [0, Decimal(0)])
        self.counts: dict[str, int] = {}
        self._names: dict[str, dict[str, str | None]] | None = None
        self._crm_tax_ids: dict[str, str] = {}  # filled with the names: named in the links' evidence
        self._count_all()

    # ---- sizes ------------------------------------------------------------------------------------
    def _count_all(self) -> None:
        r = self.run_id
        with self.store.session() as s:
            self.counts["exceptions"] = s.execute(select(func.count()).select_from(ExceptionRow)
                                                  .where(ExceptionRow.run_id == r)).scalar() or 0
            self.counts["corrections"] = s.execute(select(func.count()).select_from(Correction)
                                                   .where(Correction.run_id == r)).scalar() or 0
            self.counts["links"] = s.execute(select(func.count()).select_from(CustomerLink)
                                             .where(CustomerLink.run_id == r)).scalar() or 0
            self.counts["audit"] = s.execute(select(func.count()).select_from(AuditEvent)
                                             .where(self._audit_filter())).scalar() or 0
            self.counts["crm_customers"] = snapshots.count(s, r, "crm", "customers")

    def exception_widths(self) -> list[int | None]:
        """Column widths that fit the longest value (measured in the database, not by reading every row)."""
        widths: list[int | None] = [c.width for c in EXCEPTION_COLS]
        with self.store.session() as s:
            cols = list(_EXC_MEASURE.items())
            row = s.execute(select(*[func.max(func.length(c)) for _, c in cols])
                            .where(ExceptionRow.run_id == self.run_id)).one()
        for (i, _), n in zip(cols, row):
            widths[i] = n or 0
        return widths

    def known_masked(self, row: tuple[Any, ...]) -> tuple[Any, ...]:
        """A row with the run config's known secret values masked in its plain texts (see ``_known``)."""
        return tuple(_known(v, self.scrub) if type(v) is str else v for v in row) if self.scrub.secrets else row

    # ---- detail sheets ----------------------------------------------------------------------------
    def exceptions(self) -> Iterator[tuple[Any, ...]]:
        ref = self.as_of_time
        ref_date = ref.date() if ref else None
        mask = self.scrub.mask_known if self.scrub.secrets else None
        agg = self.exc_agg
        labels: dict[tuple[Any, ...], tuple[str, str, str, str]] = {}
        q = (select(ExceptionRow.id, ExceptionRow.type, ExceptionRow.severity, ExceptionRow.status,
                    ExceptionRow.customer_name, ExceptionRow.crm_object, ExceptionRow.crm_id,
                    ExceptionRow.erp_object, ExceptionRow.erp_id, ExceptionRow.field, ExceptionRow.crm_value,
                    ExceptionRow.erp_value, ExceptionRow.difference, ExceptionRow.amount_at_risk,
                    ExceptionRow.currency, ExceptionRow.assignee, ExceptionRow.first_seen,
                    ExceptionRow.resolution, ExceptionRow.message, ExceptionRow.crm_number, ExceptionRow.erp_number)
             .where(ExceptionRow.run_id == self.run_id).order_by(ExceptionRow.id)
             .execution_options(yield_per=STREAM_BATCH))
        with self.store.session() as s:
            for row in s.execute(q):
                (eid, typ, sev, status, cust, crm_obj, crm_id, erp_obj, erp_id, fld, crm_v, erp_v, diff, risk,
                 ccy, assignee, first_seen, resolution, message, crm_number, erp_number) = row
                a = agg[(typ, status, ccy or "")]
                a[0] += 1
                if risk is not None:
                    a[1] += risk
                age = None
                if first_seen is not None and ref_date is not None:
                    age = max(0, (ref_date - _utc(first_seen).date()).days)
                # a run has a few dozen types and fields: their words are looked up once each
                words = labels.get((typ, sev, status, fld))
                if words is None:
                    words = labels[(typ, sev, status, fld)] = (type_label(typ), severity_label(sev),
                                                               exception_status_label(status), field_label(fld))
                out: tuple[Any, ...] = (eid, words[0], words[1], words[2], cust, crm_obj, crm_id, erp_obj, erp_id,
                                        words[3], typed_value(crm_v, fld), typed_value(erp_v, fld), diff, risk, ccy,
                                        assignee, first_seen, age, resolution, message, typ, fld, crm_number,
                                        erp_number)
                if mask is not None:
                    out = tuple(mask(v) if type(v) is str else v for v in out)
                yield out

    def corrections(self) -> Iterator[tuple[Any, ...]]:
        """One row per correction with its whole trail: prepared, approved or rejected, pushed, verified."""
        q = (select(Correction, ExceptionRow.type, ExceptionRow.customer_name, ExceptionRow.currency,
                    ExceptionRow.proposal)
             .outerjoin(ExceptionRow, ExceptionRow.id == Correction.exception_id)
             .where(Correction.run_id == self.run_id).order_by(Correction.id)
             .execution_options(yield_per=STREAM_BATCH))
        sc = self.scrub
        with self.store.session() as s:
            rows = list(s.execute(q))
            steps = _correction_steps(s, [c.id for c, *_ in rows])
        for c, typ, customer, ccy, proposal in rows:
            st = steps.get(c.id, _Steps())
            decided = st.decision
            if decided is None and c.approver:  # a correction recorded without its events (older stores)
                decided = _Event("approved", c.approver, c.approved_at, None)
            pushed = st.pushed
            verified = st.verified
            verdict = c.verification or (verified.detail.get("verification") if verified else None)
            yield (c.id, c.exception_id, type_label(typ) if typ else None, _known(customer, sc),
                   SIDE_LABELS.get(c.target_side, c.target_side), c.target_system, c.target_object,
                   _known(c.target_record, sc),
                   field_label(c.field), _typed_masked(c.from_value, c.field, sc),
                   _typed_masked(c.to_value, c.field, sc), ccy, correction_state_label(c.state, verdict), c.preparer,
                   c.prepared_at, sc(preparer_reason(c.reason, proposal) or ""), sc(proposal_text(proposal) or ""),
                   proposal_rule(proposal), _DECISIONS.get(decided.what) if decided else None,
                   decided.actor if decided else None, decided.at if decided else None,
                   sc(decided.reason or "") if decided else None, pushed.actor if pushed else None,
                   c.pushed_at or (pushed.at if pushed else None), c.attempts, sc(c.response_id or ""),
                   sc(c.last_error or ""), verified.at if verified else None,
                   VERIFICATION_LABELS.get(verdict, verdict) if verdict else None,
                   sc(verified.reason or "") if verified else None, c.state, c.field, typ,
                   sc(_further_changes(c.also, ccy)))

    def _customer_names(self) -> dict[str, dict[str, str | None]]:
        if self._names is None:
            names: dict[str, dict[str, str | None]] = {"crm": {}, "erp": {}}
            with self.store.session() as s:
                for side, rid, canon in snapshots.records(s, self.run_id, "customers"):
                    if side in names:
                        record = canon or {}
                        names[side][rid] = record.get("name")
                        if side == "crm" and record.get("tax_id"):
                            self._crm_tax_ids[rid] = str(record["tax_id"])
            self._names = names
        return self._names

    def links(self) -> Iterator[tuple[Any, ...]]:
        names = self._customer_names()
        tax_ids = self._crm_tax_ids
        q = (select(CustomerLink.crm_id, CustomerLink.erp_id, CustomerLink.method, CustomerLink.confidence,
                    CustomerLink.status, CustomerLink.decided_by, CustomerLink.decided_at, CustomerLink.evidence)
             .where(CustomerLink.run_id == self.run_id).order_by(CustomerLink.id)
             .execution_options(yield_per=STREAM_BATCH))
        sc = self.scrub
        with self.store.session() as s:
            for crm_id, erp_id, method, conf, status, by, at, evidence in s.execute(q):
                row = (crm_id, names["crm"].get(crm_id), erp_id, names["erp"].get(erp_id), method,
                       conf, status, by, at, evidence_text(evidence, tax_ids.get(crm_id)), _known(evidence, sc))
                yield tuple(_known(v, sc) for v in row) if sc.secrets else row

    def unmatched(self, side: str) -> tuple[list[Col], Callable[[], Iterator[tuple[Any, ...]]], int]:
        frames = repo.unmatched_customers(self.store, self.run_id)
        frame = frames.get(side)
        cols = [Col(h, "text") for _, h in UNMATCHED_FIELDS]
        if frame is None or frame.empty:
            return cols, lambda: iter(()), 0
        frame = frame.sort_values("record_id", kind="stable") if "record_id" in frame.columns else frame
        fields = [f for f, _ in UNMATCHED_FIELDS]
        present = [f if f in frame.columns else None for f in fields]
        sc = self.scrub
        records = [tuple(None if f is None else _known(_none(r.get(f)), sc) for f in present)
                   for r in frame.to_dict("records")]
        return cols, lambda: iter(records), len(records)

    def _audit_filter(self) -> ColumnElement[bool]:
        r = self.run_id
        corr_ids = select(cast(Correction.id, String)).where(Correction.run_id == r).scalar_subquery()
        exc_ids = select(cast(ExceptionRow.id, String)).where(ExceptionRow.run_id == r).scalar_subquery()
        return or_(AuditEvent.run_id == r,
                   and_(AuditEvent.entity_type == "correction", AuditEvent.entity_id.in_(corr_ids)),
                   and_(AuditEvent.entity_type == "exception", AuditEvent.entity_id.in_(exc_ids)))

    def audit(self) -> Iterator[tuple[Any, ...]]:
        q = (select(AuditEvent).where(self._audit_filter()).order_by(AuditEvent.id)
             .execution_options(yield_per=STREAM_BATCH))
        sc = self.scrub
        with self.store.session() as s:
            for e in s.execute(q).scalars():
                detail = sc.obj(e.detail) if e.detail is not None else None
                yield (e.id, e.at, e.actor, e.action, e.entity_type, e.entity_id, detail_text(e.action, detail),
                       e.prev_hash, e.hash, detail)

    def parameters(self) -> list[tuple[Any, ...]]:
        sc = self.scrub
        rows: list[tuple[Any, ...]] = [("run", "config file", sc(self.run.get("config_path") or ""))]
        for path, v in _flatten(self.config):
            section, _, key = path.partition(".")
            leaf = path.rsplit(".", 1)[-1]
            rows.append((section, key or section, _display(sc.value(leaf, v))))
        # the value conventions each extract was read with, the export profile's included
        for where, name, value in conventions_rows((self.run.get("summary") or {}).get("ledger") or {}):
            rows.append(("conventions", f"{where}.{name}", sc(value)))
        return rows

    # ---- Summary ----------------------------------------------------------------------------------
    def summary(self, sheets: list[tuple[str, int, str]], *, warnings: bool = True) -> list[list[Any]]:
        """Free-form rows; ``sheets`` = (name, data rows, description) of the detail sheets written. ``warnings``:
        with the run's Warnings block, which came with exports of 2026-12-07; a workbook exported before has none,
        and verifying it rebuilds its Summary as it was written (workbook.verify_workbook chooses by the record)."""
        run = self.run
        rows: list[list[Any]] = [[Styled(f"Summary — run {run['id']}: {run['name'] or ''}".rstrip(": "), "wb title")],
                                 []]
        # what the run warned of reads before its figures: a side that read none of a kind explains its findings
        warned = [str(w) for w in ((run.get("summary") or {}).get("stats") or {}).get("warnings") or ()]
        if warned and warnings:
            rows.append([Styled("Warnings", "wb section")])
            rows.extend([w] for w in warned)
            rows.append([])
        rows.append([Styled("Detail sheets", "wb section")])
        rows.append([Styled("Sheet", "wb header"), Styled("Rows", "wb header"), Styled("What it holds", "wb header")])
        for name, n, desc in sheets:
            rows.append([Styled(name, "wb link", link=name), Styled(n, "wb int"), desc])
        rows.append([])

        rows.append([Styled("Exceptions by type and status", "wb section")])
        rows.append([Styled(h, "wb header") for h in ("Type", "Status", "Currency", "Count", "Amount at risk",
                                                      "Type code")])
        total = 0
        for (typ, status, ccy) in sorted(self.exc_agg):
            n, amount = self.exc_agg[(typ, status, ccy)]
            total += n
            rows.append([type_label(typ), Styled(exception_status_label(status), f"status:{status}"), ccy or None,
                         Styled(n, "wb int"), Styled(amount, amount_style(ccy, amount)), typ])
        rows.append([Styled("Total", "wb label"), None, None, Styled(total, "wb int")])
        rows.append([])

        rows.append([Styled("Amount at risk by currency", "wb section")])
        rows.append([Styled(h, "wb header") for h in ("Currency", "Exceptions", "Amount at risk")])
        by_ccy: dict[str, list[Any]] = defaultdict(lambda: [0, Decimal(0)])
        for (_, _, ccy), (n, amount) in self.exc_agg.items():
            by_ccy[ccy][0] += n
            by_ccy[ccy][1] += amount
        for ccy in sorted(by_ccy):
            n, amount = by_ccy[ccy]
            rows.append([ccy or "(none)", Styled(n, "wb int"), Styled(amount, amount_style(ccy, amount))])
        rows.append([])

        rows.extend(self._matching_rows())
        rows.append([])
        rows.extend(self._control_total_rows())
        return rows

    def _matching_rows(self) -> list[list[Any]]:
        per: dict[tuple[str, str], int] = defaultdict(int)
        with self.store.session() as s:
            for method, status, n in s.execute(
                    select(CustomerLink.method, CustomerLink.status, func.count())
                    .where(CustomerLink.run_id == self.run_id)
                    .group_by(CustomerLink.method, CustomerLink.status)):
                per[(method, status)] += n
        crm_total = self.counts["crm_customers"]
        rows: list[list[Any]] = [[Styled("Customer matching", "wb section")],
                            [Styled(h, "wb header") for h in ("Method", "Link status", "Links",
                                                              "Share of CRM customers")]]
        linked = 0
        for (method, status) in sorted(per):
            n = per[(method, status)]
            if status in ("auto", "confirmed"):
                linked += n
            share = (Decimal(n) / Decimal(crm_total)) if crm_total else None
            rows.append([method, Styled(status, f"status:{status}"), Styled(n, "wb int"),
                         Styled(share, "wb percent")])
        rows.append([Styled("CRM customers", "wb label"), None, Styled(crm_total, "wb int")])
        rows.append([Styled("Matched (auto or confirmed)", "wb label"), None, Styled(linked, "wb int"),
                     Styled((Decimal(linked) / Decimal(crm_total)) if crm_total else None, "wb percent")])
        return rows

    def _control_total_rows(self) -> list[list[Any]]:
        summary = self.run.get("summary") or {}
        totals = summary.get("control_totals") or []
        rows: list[list[Any]] = [[Styled("Control totals (invoices)", "wb section")],
                            [Styled(h, "wb header") for h in ("Side", "Currency", "Invoices", "Total amount",
                                                              "Open balance")]]
        open_by: dict[str, dict[str, Decimal]] = defaultdict(dict)
        for t in sorted(totals, key=lambda t: (str(t.get("currency") or ""), str(t.get("side") or ""))):
            side, ccy = str(t.get("side") or "").upper(), t.get("currency") or ""
            bal, total = _dec(t.get("open_balance")), _dec(t.get("total_amount"))
            if bal is not None:
                open_by[ccy][side] = bal
            rows.append([side, ccy, Styled(t.get("invoices"), "wb int"),
                         Styled(total, amount_style(ccy, total)), Styled(bal, amount_style(ccy, bal))])
        rows.append([])
        stats = summary.get("stats") or {}
        # the engine's per-currency explanation of the open-balance difference (older runs: reconciling_difference)
        explained = stats.get("reconciling") or stats.get("reconciling_difference") or {}
        rows.append([Styled("Reconciling difference (open balance, CRM − ERP)", "wb section")])
        rows.append([Styled(h, "wb header") for h in ("Currency", "CRM open balance", "ERP open balance",
                                                      "Difference", "Explained by exceptions",
                                                      *UNREPORTED_LABELS.values(), "Unexplained")])
        for ccy in sorted(open_by):
            crm, erp = open_by[ccy].get("CRM"), open_by[ccy].get("ERP")
            diff = (crm or Decimal(0)) - (erp or Decimal(0))
            exp = explained.get(ccy) if isinstance(explained, dict) else None
            exp_amount = _dec(exp.get("explained")) if isinstance(exp, dict) else None
            # reconciling items no exception reports (runs before they were kept: blank, left in the unexplained)
            items = [_dec(exp.get(why.value)) if isinstance(exp, dict) else None for why in UNREPORTED_LABELS]
            unexplained = diff - exp_amount - sum((v for v in items if v is not None), Decimal(0)) \
                if exp_amount is not None else None
            rows.append([ccy, *(Styled(v, amount_style(ccy, v))
                                for v in (crm, erp, diff, exp_amount, *items, unexplained))])
        return rows

    # ---- Cover ------------------------------------------------------------------------------------
    def cover(self, sheets: list[tuple[str, int, str]], close: list[list[Any]] | None = None) -> list[list[Any]]:
        run, sc = self.run, self.scrub

        def L(text: str) -> Styled:
            return Styled(text, "wb label")

        rows: list[list[Any]] = [[Styled("Recon Workbench — audit workbook", "wb title")], []]
        rows += [
            [L("Run id"), run["id"]],
            [L("Run name"), run["name"]],
            [L("Status"), run["status"]],
            [L("Period"), run["period"]],
            [L("As-of date"), Styled(run["as_of"], "wb date")],
            [L("Run by"), run["user_name"]],
            [L("Started (UTC)"), Styled(run["started_at"], "wb datetime")],
            [L("Finished (UTC)"), Styled(run["finished_at"], "wb datetime")],
            [L("Software version"), f"Recon Workbench {run['software_version']}"],
            [L("Workbook format"), FORMAT_VERSION],
        ]
        a = self.anchor
        if a is not None:
            rows += [[L("Export id"), a.export_id], [L("Exported (UTC)"), Styled(a.exported_at, "wb datetime")],
                     [L("Exported by"), a.exported_by]]
        if run.get("error"):
            rows.append([L("Error"), sc(run["error"])])
        rows.append([])
        rows.append([Styled("Sources", "wb section")])
        head = ("Side", "System", "Connector", "Instance or file", "API version", "Extracted at (UTC)",
                "Incremental since (UTC)", "Row counts", "Snapshot content hash (SHA-256)")
        rows.append([Styled(h, "wb header") for h in head])
        sources = sorted(run.get("sources") or [], key=lambda x: {"crm": 0, "erp": 1}.get(x["side"], 2))
        for x in sources:
            rows.append([x["side"].upper(), x["system"], x["connector"], sc(x["instance"] or ""), x["api_version"],
                         Styled(x["extracted_at"], "wb datetime"), Styled(x["incremental_since"], "wb datetime"),
                         _counts_text(x.get("row_counts")), x["content_hash"]])
        rows.append([])
        rows.append([Styled("Objects, queries and filters", "wb section")])
        rows.append([Styled(h, "wb header") for h in ("Side", "Kind", "Object or file", "Query or filter")])
        for x in sources:
            objects = x.get("objects") or {}
            queries = x.get("queries") or {}
            for kind in sorted(set(objects) | set(queries), key=str):
                rows.append([x["side"].upper(), kind, _display(sc.obj(objects.get(kind))),
                             _display(sc.obj(queries.get(kind)))])
        rows.append([])
        rows += close or []  # the month-end close block (workbench.export.close_sheet)
        rows += self._ledger_rows()
        rules = dict(self.config.get("rules") or {})
        ownership = rules.pop("ownership", None)
        rows.append([Styled("Rules and tolerances", "wb section")])
        rows.append([Styled("Setting", "wb header"), Styled("Value", "wb header")])
        flat = list(_flatten(rules))
        for path, v in flat:
            rows.append([path, _display(sc.value(path.rsplit(".", 1)[-1], v))])
        if not flat:
            rows.append(["(engine defaults; no [rules] in the run config)"])
        rows.append([])
        rows.append([Styled("Ownership rules (which system is authoritative)", "wb section")])
        rows.append([Styled("Setting", "wb header"), Styled("Value", "wb header")])
        flat = list(_flatten(ownership)) if ownership else []
        for path, v in flat:
            rows.append([path, _display(sc.value(path.rsplit(".", 1)[-1], v))])
        if not flat:
            rows.append(["(engine defaults; no [rules.ownership] in the run config)"])
        rows.append([])
        rows.append([Styled("Audit trail", "wb section")])
        rows.append(self._chain_row())
        if a is not None:
            # the chain's head when exported: a later deletion or rewrite of events cannot match it
            rows.append([L("Events at export"), Styled(a.trail_events, "wb int")])
            rows.append([L("Head hash at export"), Styled(a.trail_head, "wb mono")])
        rows.append([])
        rows.append([Styled("Sheets", "wb section")])
        rows.append([Styled("Sheet", "wb header"), Styled("Rows", "wb header"), Styled("What it holds", "wb header")])
        for name, n, desc in sheets:
            rows.append([Styled(name, "wb link", link=name), Styled(n, "wb int"), desc])
        rows.append([])
        return rows

    def _ledger_rows(self) -> list[list[Any]]:
        """Files read: rows read, used, dropped and unresolved references per file, with the reasons."""
        ledger = ledger_rows((self.run.get("summary") or {}).get("ledger") or {})
        if not ledger:
            return []
        rows: list[list[Any]] = [[Styled("Files read", "wb section")],
                            [Styled(h, "wb header") for h in ("Side", "Kind", "File", "Rows read", "Used", "Dropped",
                                                              "Unresolved references", "Why")]]
        for r in ledger:
            rows.append([r["side"].upper(), r["kind"], self.scrub(r["file"] or ""), Styled(r["read"], "wb int"),
                         Styled(r["used"], "wb int"), Styled(r["dropped"], "wb int"), Styled(r["unresolved"], "wb int"),
                         self.scrub("; ".join(r["notes"])) if r["notes"] else None])
        rows.append([])
        return rows

    def _chain_row(self) -> list[Any]:
        with self.store.session() as s:
            res = trail.verify(s)
        label = Styled("Hash chain", "wb label")
        if res.ok:
            # Only this run's events are counted: later work on other runs must not change this cell.
            return [label, f"intact: this run's {self.counts['audit']:,} events (Audit trail sheet) verify as part "
                           f"of the store's SHA-256 chain"]
        return [label, f"BROKEN at event {res.first_bad_id}: {res.reason}"]


def _none(v: Any) -> Any:
    if v is None:
        return None
    if isinstance(v, float) and v != v:
        return None
    return v


_NO_VALUE = {"", "nan", "none", "nat", "null"}
_DATE_FIELDS = {f for names in DATE_FIELDS.values() for f in names}
_NUMBER_FIELDS = {f for names in DECIMAL_FIELDS.values() for f in names}  # labels.is_number_field, as a set


def typed_value(v: Any, fld: str | None) -> Any:
    """A compared or corrected value as a cell: amounts and quantities as numbers (an auditor
    sums them), dates as dates, flags as Yes/No, anything else as its text; missing is empty."""
    if v is None or is_missing(v):
        return None
    if isinstance(v, bool):
        return "Yes" if v else "No"
    if isinstance(v, (dict, list)):
        return json.dumps(v, sort_keys=True, ensure_ascii=False)
    if isinstance(v, (Decimal, int, date)):
        return v
    text = str(v)
    if text.strip().lower() in _NO_VALUE:
        return None
    if fld in _NUMBER_FIELDS:
        try:
            d = Decimal(text.strip())
        except ArithmeticError:
            return text
        return d if d.is_finite() else text
    if fld in _DATE_FIELDS:
        try:
            return date.fromisoformat(text.strip()[:10])
        except ValueError:
            return text
    return text


def _known(v: Any, sc: Scrubber) -> Any:
    """Source data with only the run config's known secret values masked (``Scrubber.mask_known``):
    its ``key=value`` text is business content, but a secret's own value never reaches a sheet."""
    if not sc.secrets:
        return v
    if type(v) is str:
        return sc.mask_known(v)
    if isinstance(v, dict):
        return {k: _known(x, sc) for k, x in v.items()}
    if isinstance(v, list):
        return [_known(x, sc) for x in v]
    return v


def _typed_masked(v: Any, fld: str | None, sc: Scrubber) -> Any:
    out = typed_value(sc.obj(v) if isinstance(v, (dict, list)) else v, fld)
    return sc.mask_known(out) if type(out) is str else out


@dataclass
class _Event:
    what: str            # the action's last word: approved, rejected, applied, verified ...
    actor: str
    at: datetime | None
    reason: str | None
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass
class _Steps:
    decision: _Event | None = None   # the latest approve, reject or waive
    pushed: _Event | None = None     # the write that landed (else the latest attempt)
    verified: _Event | None = None   # the latest verification


_DECISIONS = {"approved": "Approved", "rejected": "Rejected", "waived": "Waived"}


def _correction_steps(s: Session, ids: list[int]) -> dict[int, _Steps]:
    """Who decided, pushed and verified each correction, and when and why, from the audit trail."""
    out: dict[int, _Steps] = {}
    for part in chunks([str(i) for i in ids]):
        q = (select(AuditEvent.entity_id, AuditEvent.action, AuditEvent.actor, AuditEvent.at, AuditEvent.detail)
             .where(AuditEvent.entity_type == "correction", AuditEvent.entity_id.in_(part))
             .order_by(AuditEvent.id))
        for entity_id, action, actor, at, detail in s.execute(q):
            try:
                steps = out.setdefault(int(entity_id), _Steps())
            except (TypeError, ValueError):
                continue
            what = action.rpartition(".")[2]
            d = detail if isinstance(detail, dict) else {}
            event = _Event(what, actor, at, d.get("reason"), d)
            if what in _DECISIONS:
                steps.decision = event
            elif what == "applied" or (what == "pushing" and (steps.pushed is None or steps.pushed.what != "applied")):
                steps.pushed = event
            elif what == "verified":
                steps.verified = event
    return out


def _counts_text(counts: Any) -> str | None:
    if not counts:
        return None
    if isinstance(counts, dict):
        return ", ".join(f"{k} {v:,}" if isinstance(v, int) else f"{k} {v}" for k, v in sorted(counts.items()))
    return str(counts)


def _further_changes(also: list[dict[str, Any]] | None, currency: str | None) -> str:
    """A compound correction's further fields, as the approver saw them: "Open balance: 90.00 EUR → 0.00 EUR"."""
    return "; ".join(f"{field_label(a.get('field'))}: {value_text(a.get('from'), a.get('field'), currency)} → "
                     f"{value_text(a.get('to'), a.get('field'), currency)}" for a in also or [])
