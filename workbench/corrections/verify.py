"""After a push: re-read the touched records on both sides and decide whether the exception closed.

An exception resolves only when both systems now agree on the corrected field (read live,
not assumed from the write's answer); otherwise it reopens, with the reason naming what
each side holds. A read that fails leaves the verdict ``not_checked`` and the exception
as it was, with the reason in the report.
"""

from __future__ import annotations

import time
from typing import Any, Protocol

from sqlalchemy import select

from workbench.corrections.values import canonical_kind, display, same
from workbench.errors import ConfigError, WorkbenchError
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
    for c, exc in rows:
        ids, flds = wanted.setdefault((c.run_id, c.target_side, c.target_object), (set(), set()))
        ids.add(c.target_record)
        flds.add(c.field)
        other = OTHER[c.target_side]
        o_id = getattr(exc, f"{other}_id", None) if exc is not None else None
        o_obj = getattr(exc, f"{other}_object", None) if exc is not None else None
        o_field = counterpart(c.target_side, c.field)
        if o_id and o_obj and o_field:
            ids, flds = wanted.setdefault((c.run_id, other, o_obj), (set(), set()))
            ids.add(o_id)
            flds.add(o_field)
    got: dict[_Group, dict[str, dict[str, Any]]] = {}
    failed: dict[_Group, dict[str, str]] = {}  # per group: record id -> why it could not be read
    for key, (ids, flds) in wanted.items():
        run_id, side, obj = key
        ordered = sorted(ids)
        for i in range(0, len(ordered), READ_CHUNK):
            chunk = ordered[i:i + READ_CHUNK]
            found, why = _read_with_retries(conns, run_id, side, obj, chunk, sorted(flds), attempts=1)
            if why is None:
                got.setdefault(key, {}).update(found)
                continue
            for rid in chunk:  # one bad moment should not cost a whole chunk its verdict
                found, why = _read_with_retries(conns, run_id, side, obj, [rid], sorted(flds))
                if why is None:
                    got.setdefault(key, {}).update(found)
                else:
                    failed.setdefault(key, {})[rid] = why
    counts = {"agreed": 0, "still_differs": 0, "not_checked": 0}
    with store.session() as s:
        for read, _ in rows:
            corr = s.get(Correction, read.id)
            if corr is None:  # gone since it was read: nothing left to judge
                continue
            row = s.get(ExceptionRow, corr.exception_id) if corr.exception_id else None
            verdict, why = _judge(corr, row, got, failed)
            corr.verification = verdict
            counts[verdict] += 1
            from workbench.store import trail
            trail.append(s, actor=actor, action="correction.verified", entity_type="correction", entity_id=corr.id,
                         run_id=corr.run_id, detail={"verification": verdict, "reason": why,
                                                  "exception_id": corr.exception_id})
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
           failed: dict[_Group, dict[str, str]]) -> tuple[str, str]:
    side, other = c.target_side, OTHER[c.target_side]
    kind = canonical_kind(c.target_object)
    tkey = (c.run_id, side, c.target_object)
    if c.target_record in failed.get(tkey, {}):
        return "not_checked", f"could not re-read {side.upper()} {c.target_record}: {failed[tkey][c.target_record]}"
    rec = got.get(tkey, {}).get(c.target_record)
    if rec is None:
        return "still_differs", f"{side.upper()} record {c.target_record} can no longer be read"
    now = rec.get(c.field)
    if not same(kind, c.field, now, c.to_value):
        return "still_differs", (f"after correction {c.id}, {side.upper()} {c.field} holds {_show(now)}, "
                                 f"not {_show(c.to_value)}")
    o_id = getattr(exc, f"{other}_id", None) if exc is not None else None
    o_obj = getattr(exc, f"{other}_object", None) if exc is not None else None
    if not o_id or not o_obj:
        return "agreed", f"{side.upper()} {c.field} now holds {_show(now)}; no {other.upper()} record to compare"
    o_field = counterpart(side, c.field)
    if o_field is None:  # an ERP xref must name the CRM record of the link
        ok = _norm_id(now) == _norm_id(o_id)
        return ("agreed", f"ERP xref now names CRM record {o_id}") if ok else (
            "still_differs", f"ERP xref holds {_show(now)} but the linked CRM record is {o_id}")
    okey = (c.run_id, other, o_obj)
    if o_id in failed.get(okey, {}):
        return "not_checked", f"could not re-read {other.upper()} {o_id}: {failed[okey][o_id]}"
    orec = got.get(okey, {}).get(o_id)
    if orec is None:
        return "still_differs", f"{other.upper()} record {o_id} can no longer be read"
    o_now = orec.get(o_field)
    if same(canonical_kind(o_obj), o_field, o_now, now):
        return "agreed", f"both systems now hold {_show(now)} ({c.field})"
    return "still_differs", (f"after correction {c.id}, {side.upper()} holds {_show(now)} but {other.upper()} "
                             f"holds {_show(o_now)} ({c.field})")


def _show(v: Any) -> str:
    return "(empty)" if v is None or v == "" else display(v)
