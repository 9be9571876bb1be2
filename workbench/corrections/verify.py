"""After a push: re-read the touched records on both sides and decide whether the exception closed.

An exception resolves only when both systems now agree on the whole record as the engine
compares it (read live, not assumed from the write's answer): every field the correction
changed holds its new value, and every compared field of the kind (an invoice's status,
open balance, total and due date) agrees with the other system within the run's tolerances,
so the next run finds nothing new on it. Otherwise it reopens, with the reason naming what
each side holds. A read that fails leaves the verdict ``not_checked`` and the exception as
it was, with the reason in the report. A connector that maps only some of the compared
fields is judged on the fields it maps.
"""

from __future__ import annotations

import time
from typing import Any, Protocol

from sqlalchemy import select

from workbench.config import RunConfig
from workbench.corrections.values import canonical_kind, display, field_changes, parse_value, same
from workbench.errors import ConfigError, WorkbenchError
from workbench.reconcile.invoices import effective_status
from workbench.reconcile.rules import Rules, Tolerance, parse
from workbench.model.ids import InvalidSalesforceId, to_18
from workbench.store.db import Store
from workbench.store.schema import Correction, ExceptionRow
from workbench.model.states import CorrectionState, ExceptionStatus
from workbench.sources.base import Source

# The records read together: run id, side, source object.
_Group = tuple[int | None, str, str]


class Connectors(Protocol):
    """Where the verifier reads current values from (the pusher's open connectors)."""

    def source(self, run_id: int | None, side: str) -> Source: ...

    def config_of(self, run_id: int | None) -> RunConfig: ...

# The fields the engine compares on a record of each kind beyond the corrected one, and the
# tolerance each money field is compared with (as workbench.reconcile does).
COMPARED: dict[str, tuple[str, ...]] = {
    "invoices": ("status", "open_balance", "total_amount", "due_date", "currency"),
}
TOLERANCE = {("invoices", "open_balance"): "invoice_balance", ("invoices", "total_amount"): "invoice_amount",
             ("prices", "unit_price"): "price", ("orders", "total_amount"): "order_amount"}

# Still on its way to the target: the exception is not resolved while one of these remains.
_PENDING = (CorrectionState.PROPOSED, CorrectionState.APPROVED, CorrectionState.QUEUED, CorrectionState.PUSHING,
            CorrectionState.FAILED)

OTHER = {"crm": "erp", "erp": "crm"}


def counterpart(side: str, field: str) -> str | None:
    """The other side's field that must equal ``field`` once corrected; None when the other
    record itself is what the value names (an ERP record's xref holds the CRM record's id)."""
    if field == "xref":
        return "number" if side == "crm" else None
    return field


def by_id(records: dict[str, dict[str, Any]], record_id: str) -> dict[str, Any] | None:
    """A record read back, found by the id a correction or exception names it by: a Salesforce record may be named
    by its 15-character id (a report's CSV export) and is read back under its 18-character one."""
    found = records.get(record_id)
    return found if found is not None else records.get(_norm_id(record_id))


def _norm_id(v: Any) -> str:
    text = "" if v is None else str(v).strip()
    try:
        return to_18(text)
    except (InvalidSalesforceId, ValueError):
        return text


def verify_corrections(store: Store, actor: str, correction_ids: list[int], conns: Connectors) -> dict[str, int]:
    """Re-read and judge each applied correction; returns counts per verdict."""
    from workbench.corrections.exception_status import set_exception_status
    with store.session() as s:
        rows = list(s.execute(select(Correction, ExceptionRow).outerjoin(
            ExceptionRow, ExceptionRow.id == Correction.exception_id).where(
            Correction.id.in_(correction_ids), Correction.state == CorrectionState.APPLIED)))
    # One read per (run, side, object) with every record and field needed.
    wanted: dict[_Group, tuple[set[str], set[str]]] = {}
    extra: dict[_Group, set[str]] = {}  # compared fields beyond the changed ones: read where mapped
    for c, exc in rows:
        mine = _fields(c)
        ids, flds = wanted.setdefault((c.run_id, c.target_side, c.target_object), (set(), set()))
        ids.add(c.target_record)
        flds.update(mine)
        more = set(COMPARED.get(canonical_kind(c.target_object) or "", ()))
        extra.setdefault((c.run_id, c.target_side, c.target_object), set()).update(more)
        other = OTHER[c.target_side]
        o_id = getattr(exc, f"{other}_id", None) if exc is not None else None
        o_obj = getattr(exc, f"{other}_object", None) if exc is not None else None
        o_fields = {o for o in (counterpart(c.target_side, f_) for f_ in mine) if o}
        if o_id and o_obj and o_fields:
            ids, flds = wanted.setdefault((c.run_id, other, o_obj), (set(), set()))
            ids.add(o_id)
            flds.update(o_fields)
            if canonical_kind(o_obj) == canonical_kind(c.target_object):
                extra.setdefault((c.run_id, other, o_obj), set()).update(more)
    got: dict[_Group, dict[str, dict[str, Any]]] = {}
    failed: dict[_Group, dict[str, str]] = {}  # per group: record id -> why it could not be read
    for key, (ids, must) in wanted.items():
        run_id, side, obj = key
        ordered = sorted(ids)
        fields = _readable(conns, run_id, side, obj, ordered[0], must, extra.get(key, set()) - must)
        for i in range(0, len(ordered), READ_CHUNK):
            chunk = ordered[i:i + READ_CHUNK]
            found, why = _read_with_retries(conns, run_id, side, obj, chunk, fields, attempts=1)
            if why is None:
                got.setdefault(key, {}).update(found)
                continue
            for rid in chunk:  # one bad moment should not cost a whole chunk its verdict
                found, why = _read_with_retries(conns, run_id, side, obj, [rid], fields)
                if why is None:
                    got.setdefault(key, {}).update(found)
                else:
                    failed.setdefault(key, {})[rid] = why
    counts = {"agreed": 0, "still_differs": 0, "not_checked": 0}
    rules = {run_id: _rules(conns, run_id) for run_id in {c.run_id for c, _ in rows}}
    with store.session() as s:
        for read, _ in rows:
            corr = s.get(Correction, read.id)
            if corr is None:  # gone since it was read: nothing left to judge
                continue
            row = s.get(ExceptionRow, corr.exception_id) if corr.exception_id else None
            verdict, why, seen = _judge(corr, row, got, failed, rules[corr.run_id])
            corr.verification = verdict
            counts[verdict] += 1
            from workbench.store import trail
            trail.append(s, actor=actor, action="correction.verified", entity_type="correction", entity_id=corr.id,
                         run_id=corr.run_id, detail={"verification": verdict, "reason": why,
                                                  "exception_id": corr.exception_id, "compared": seen})
            if row is None or row.status == ExceptionStatus.WAIVED or verdict == "not_checked":
                continue
            if verdict == "agreed":
                pending = s.execute(select(Correction.id).where(
                    Correction.exception_id == row.id, Correction.id != corr.id,
                    Correction.state.in_(_PENDING))).first()
                if pending is None:
                    set_exception_status(s, row, ExceptionStatus.RESOLVED, actor=actor, reason=why,
                                         detail={"correction_id": corr.id})
            else:
                set_exception_status(s, row, ExceptionStatus.REOPENED, actor=actor, reason=why,
                                     detail={"correction_id": corr.id})
    return counts


READ_CHUNK = 200
READ_ATTEMPTS = 4


def _fields(c: Correction) -> list[str]:
    """Every field the correction changes, the first one first."""
    return [f_ for f_, _, _ in field_changes(c)]


def _readable(conns: Connectors, run_id: int | None, side: str, obj: str, probe: str, must: set[str],
              more: set[str]) -> list[str]:
    """The fields to re-read: the changed ones and the kind's other compared fields, less those
    the connector does not map (it says so by refusing a read that names them)."""
    if not more:
        return sorted(must)
    try:
        conns.source(run_id, side).read_current(obj, [probe], sorted(must | more))
    except ConfigError:
        return sorted(must)
    except Exception:  # trouble of the moment: the real read below reports it
        pass
    return sorted(must | more)


def _rules(conns: Connectors, run_id: int | None) -> Rules:
    """The run's tolerances and ownership, as its comparison used them (defaults without a config)."""
    try:
        cfg = conns.config_of(run_id)
        return parse(cfg.rules, cfg.where())
    except WorkbenchError:
        return Rules()


def _read_with_retries(conns: Connectors, run_id: int | None, side: str, obj: str, ids: list[str], fields: list[str],
                       attempts: int = READ_ATTEMPTS) -> tuple[dict[str, dict[str, Any]], str | None]:
    """One chunk of records re-read, tried again a few times: a passing failure of the system
    should not leave a correction unverified."""
    why = ""
    for attempt in range(attempts):
        try:
            return conns.source(run_id, side).read_current(obj, ids, fields), None
        except ConfigError as exc:
            return {}, exc.one_line()
        except WorkbenchError as exc:
            why = exc.one_line()
        except Exception as exc:  # the read is evidence, not a write: report it, never crash the push
            why = " ".join(f"{type(exc).__name__}: {exc}".split())[:300]
        if attempt + 1 < attempts:
            time.sleep(0.2 * 2 ** attempt)
    return {}, why


def _judge(c: Correction, exc: ExceptionRow | None, got: dict[_Group, dict[str, dict[str, Any]]],
           failed: dict[_Group, dict[str, str]], rules: Rules) -> tuple[str, str, dict[str, Any]]:
    """(verdict, why, what was compared: field -> {side: value})."""
    side, other = c.target_side, OTHER[c.target_side]
    kind = canonical_kind(c.target_object)
    tkey = (c.run_id, side, c.target_object)
    seen: dict[str, Any] = {}
    if c.target_record in failed.get(tkey, {}):
        return ("not_checked", f"could not re-read {side.upper()} {c.target_record}: "
                               f"{failed[tkey][c.target_record]}", seen)
    rec = by_id(got.get(tkey, {}), c.target_record)
    if rec is None:
        return "still_differs", f"{side.upper()} record {c.target_record} can no longer be read", seen
    wanted = [(f_, to) for f_, _, to in field_changes(c)]
    for f_, to in wanted:
        seen[f_] = {side: _plain(rec.get(f_))}
        if not same(kind, f_, rec.get(f_), to):
            return "still_differs", (f"after correction {c.id}, {side.upper()} {f_} holds {_show(rec.get(f_))}, "
                                     f"not {_show(to)}"), seen
    now = rec.get(c.field)
    o_id = getattr(exc, f"{other}_id", None) if exc is not None else None
    o_obj = getattr(exc, f"{other}_object", None) if exc is not None else None
    if not o_id or not o_obj:
        return "agreed", f"{side.upper()} {c.field} now holds {_show(now)}; no {other.upper()} record to compare", seen
    o_field = counterpart(side, c.field)
    if o_field is None:  # an ERP xref must name the CRM record of the link
        ok = _norm_id(now) == _norm_id(o_id)
        return ("agreed", f"ERP xref now names CRM record {o_id}", seen) if ok else (
            "still_differs", f"ERP xref holds {_show(now)} but the linked CRM record is {o_id}", seen)
    okey = (c.run_id, other, o_obj)
    if o_id in failed.get(okey, {}):
        return "not_checked", f"could not re-read {other.upper()} {o_id}: {failed[okey][o_id]}", seen
    orec = by_id(got.get(okey, {}), o_id)
    if orec is None:
        return "still_differs", f"{other.upper()} record {o_id} can no longer be read", seen
    # the whole record as the engine compares it: changed fields first, then the kind's others
    pairs = {f_: o for f_, _ in wanted if (o := counterpart(side, f_))}
    pairs.update({f_: f_ for f_ in COMPARED.get(kind or "", ()) if f_ in rec and f_ in orec and f_ not in pairs})
    fields = list(pairs)
    for f_, o_f in pairs.items():
        a, b = rec.get(f_), orec.get(o_f)
        seen[f_] = {side: _plain(a), other: _plain(b)}
        if not _agree(kind, f_, o_f, rec, orec, rules):
            return "still_differs", (f"after correction {c.id}, {side.upper()} holds {_show(a)} but {other.upper()} "
                                     f"holds {_show(b)} ({f_})"), seen
    if len(fields) == 1:
        return "agreed", f"both systems now hold {_show(now)} ({c.field})", seen
    return "agreed", (f"both systems now hold {_show(now)} ({c.field}) and agree on "
                      f"{', '.join(f_ for f_ in fields if f_ != c.field)}"), seen


def _agree(kind: str | None, fld: str, o_fld: str, rec: dict[str, Any], orec: dict[str, Any], rules: Rules) -> bool:
    """Whether ``fld`` of the record agrees with ``o_fld`` of the other (the same field but for a
    cross-reference) the way the engine compares them: money within the run's tolerance, an
    invoice status as it settles with its balance, anything else by value."""
    a, b = rec.get(fld), orec.get(o_fld)
    ccy = rec.get("currency") if isinstance(rec.get("currency"), str) else None
    tol_name = TOLERANCE.get((kind or "", fld))
    if tol_name is not None:
        x, y = _amount(kind, fld, a), _amount(kind, fld, b)
        if x is None or y is None:
            return x is None and y is None
        return rules.tolerances[tol_name].within(ccy, x, y)
    if kind == "invoices" and fld == "status":
        tol = rules.tolerances["invoice_balance"]
        return _settled(rec, tol, ccy) == _settled(orec, tol, ccy)
    return same(kind, fld, a, b)


def _amount(kind: str | None, fld: str, v: Any) -> Any:
    try:
        return parse_value(kind, fld, v)
    except WorkbenchError:
        return None


def _settled(rec: dict[str, Any], tol: Tolerance, ccy: str | None) -> str:
    status = str(rec.get("status") or "")
    return effective_status(status, rec.get("status_raw"), _amount("invoices", "total_amount", rec.get("total_amount")),
                            _amount("invoices", "open_balance", rec.get("open_balance")), tol, ccy)


def _plain(v: Any) -> Any:
    return None if v is None else display(v)


def _show(v: Any) -> str:
    return "(empty)" if v is None or v == "" else display(v)
