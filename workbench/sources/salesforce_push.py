"""Writing approved corrections to Salesforce through sObject Collections.

Per batch of at most 200 records: re-read the records' current values (one query),
decide each request (already applied / conflict / to write), then one
``PATCH composite/sobjects`` with ``allOrNone=false``. A record whose field no longer
holds the value seen at approval is a conflict and is never overwritten. Records
that fail with a passing error (row lock, limits) are retried with backoff; what
still fails is reported as transient, field errors as permanent with Salesforce's words.
"""

from __future__ import annotations

import json
import math
import re
import time
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from workbench.errors import Cancelled, WorkbenchError
from workbench.progress import check_cancelled
from workbench.sources.base import WriteRequest, WriteResult
from workbench.sources.salesforce_client import TRANSIENT_CODES, BudgetExceeded, TransientFailure
from workbench.sources.salesforce_mapping import ObjectMap, convert, format_datetime, parse_datetime, to_api_value

if TYPE_CHECKING:
    from workbench.sources.salesforce import SalesforceSource

BATCH = 200
_DEC = "\x00dec:"


def json_body(payload: Any) -> str:
    """JSON with Decimal amounts written as exact numbers (requests' json= cannot take Decimal)."""
    def prep(v: Any) -> Any:
        if isinstance(v, Decimal):
            return _DEC + format(v, "f")
        if isinstance(v, dict):
            return {k: prep(x) for k, x in v.items()}
        if isinstance(v, list):
            return [prep(x) for x in v]
        return v
    text = json.dumps(prep(payload), ensure_ascii=False, separators=(",", ":"))
    return re.sub(r'"\\u0000dec:([-0-9.]+)"', r"\1", text)


def _same(a: Any, b: Any) -> bool:
    if a in (None, "") and b in (None, ""):
        return True
    if isinstance(a, Decimal) or isinstance(b, Decimal):
        try:
            return Decimal(str(a)) == Decimal(str(b))
        except ArithmeticError:
            return False
    return a == b


def _outcome(exc: WorkbenchError) -> str:
    """Trouble that may pass (the org unreachable for a login) is retried; anything else is final."""
    return "transient" if getattr(exc, "transient", False) else "permanent"


def push_requests(src: SalesforceSource, requests: list[WriteRequest], state: object | None) -> list[WriteResult]:
    results: dict[int, WriteResult] = {}
    by_map: dict[str, tuple[ObjectMap, list[WriteRequest]]] = {}
    for r in requests:
        try:
            m = src.map_for_record(r.object, r.record_id)
            api = m.api_name(r.field)
        except WorkbenchError as exc:
            results[id(r)] = WriteResult(r.correction_id, "permanent", exc.one_line())
            continue
        if "." in api or r.field in ("record_id", "version", "last_modified"):
            results[id(r)] = WriteResult(r.correction_id, "permanent",
                                         f"{r.field} ({api}) cannot be written: it is "
                                         f"{'a field of a related record' if '.' in api else 'set by Salesforce'}")
            continue
        by_map.setdefault(m.object, (m, []))[1].append(r)

    batches: list[tuple[ObjectMap, list[str], list[WriteRequest]]] = []
    for m, reqs in by_map.values():
        record_ids = list(dict.fromkeys(r.record_id for r in reqs))
        for i in range(0, len(record_ids), BATCH):
            chunk = set(record_ids[i:i + BATCH])
            batches.append((m, record_ids[i:i + BATCH], [r for r in reqs if r.record_id in chunk]))

    # The budget is checked after the first re-read (whose answer carries the org's usage), before any write.
    budget = {"needed": 2 * len(batches) - 1, "checked": False}
    total, done = len(requests), len(results)
    for n, (m, record_ids, reqs) in enumerate(batches):
        try:
            check_cancelled(state)
        except Cancelled:
            for _, _, rest in batches[n:]:
                for r in rest:
                    results[id(r)] = WriteResult(r.correction_id, "transient", "not attempted: the push was cancelled")
            break
        for r, res in _push_batch(src, m, record_ids, reqs, budget):
            results[id(r)] = res
        done += len(reqs)
        if state is not None:
            state.set_progress(done, total, f"Salesforce {m.object}: {done:,} of {total:,} corrections pushed")
    return [results[id(r)] for r in requests]


def _push_batch(src: SalesforceSource, m: ObjectMap, record_ids: list[str], reqs: list[WriteRequest],
                budget: dict[str, Any]) -> list[tuple[WriteRequest, WriteResult]]:
    api_fields = sorted({a for r in reqs for a in m.api_name(r.field).split("|")})
    try:
        current = src.read_raw(m, record_ids, api_fields)
        if not budget["checked"]:
            src.check_api_budget(budget["needed"])
            budget["checked"] = True
    except TransientFailure as exc:
        return [(r, WriteResult(r.correction_id, "transient", exc.one_line())) for r in reqs]
    except WorkbenchError as exc:  # e.g. INVALID_FIELD: a mapped field the org does not have
        if isinstance(exc, (Cancelled, BudgetExceeded)):
            raise
        return [(r, WriteResult(r.correction_id, _outcome(exc), exc.one_line())) for r in reqs]

    out: list[tuple[WriteRequest, WriteResult]] = []
    writes: dict[str, dict[str, Any]] = {}
    pending: dict[str, list[WriteRequest]] = {}
    for r in reqs:
        rec = current.get(r.record_id)
        if rec is None:
            out.append((r, WriteResult(r.correction_id, "permanent",
                                       f"{m.object} {r.record_id} not found in Salesforce (deleted, merged or "
                                       f"not visible to the integration user)")))
            continue
        api = m.api_name(r.field)
        version = format_datetime(parse_datetime(rec["SystemModstamp"])) if rec.get("SystemModstamp") else None
        try:
            if r.field == "status" and m.status_fields:
                # invoice status lives in one or two picklists; compare and write them as the canonical status
                now_value = m.to_canonical(rec)["status"]
                old, new = r.old_value, r.new_value
                fields_to_write = m.status_values(str(new))
            else:
                now_value = convert(m.kind, r.field, rec.get(api))
                old = convert(m.kind, r.field, r.old_value) if r.old_value is not None else None
                new = convert(m.kind, r.field, r.new_value) if r.new_value is not None else None
                fields_to_write = {api: to_api_value(m.kind, r.field, new)}
        except (ValueError, WorkbenchError) as exc:
            out.append((r, WriteResult(r.correction_id, "permanent", f"{api}: {exc}")))
            continue
        if _same(now_value, new):
            out.append((r, WriteResult(r.correction_id, "already_applied",
                                       f"{m.object}.{api} already holds {new!s}", r.record_id,
                                       now_value, version)))
            continue
        if not _same(now_value, old):
            changed = f" (SystemModstamp {r.seen_version} → {version})" if r.seen_version and \
                r.seen_version != version else ""
            out.append((r, WriteResult(r.correction_id, "conflict",
                                       f"{m.object}.{api} changed in Salesforce since it was read: expected "
                                       f"{old!s}, found {now_value!s}{changed}", r.record_id, now_value, version)))
            continue
        writes.setdefault(r.record_id, {"attributes": {"type": m.object}, "id": r.record_id}).update(fields_to_write)
        pending.setdefault(r.record_id, []).append(r)

    attempt = 0
    while writes:
        attempt += 1
        body = {"allOrNone": False, "records": list(writes.values())}
        try:
            answer = src.client.call("sObject Collections update",
                                     lambda sf: sf.restful("composite/sobjects", method="PATCH",
                                                         data=json_body(body).encode("utf-8")))
        except TransientFailure as exc:
            for rid in writes:
                out.extend((r, WriteResult(r.correction_id, "transient", exc.one_line())) for r in pending[rid])
            break
        except WorkbenchError as exc:
            for rid in writes:
                out.extend((r, WriteResult(r.correction_id, _outcome(exc), exc.one_line())) for r in pending[rid])
            break
        retry: dict[str, dict[str, Any]] = {}
        for sent, res in zip(list(writes.values()), answer or []):
            rid = sent["id"]
            if res.get("success"):
                for r in pending[rid]:
                    out.append((r, WriteResult(r.correction_id, "applied", f"{m.object}.{m.api_name(r.field)} "
                                                                          f"updated", res.get("id") or rid,
                                               None, None)))
                continue
            errs = res.get("errors") or [{}]
            code = errs[0].get("statusCode") or errs[0].get("errorCode") or "UNKNOWN"
            msg = "; ".join(f"{e.get('statusCode') or e.get('errorCode')}: {e.get('message')}"
                            + (f" ({', '.join(e['fields'])})" if e.get("fields") else "") for e in errs)
            if code in TRANSIENT_CODES and attempt < src.client.attempts:
                retry[rid] = sent
                continue
            outcome = "transient" if code in TRANSIENT_CODES else "permanent"
            out.extend((r, WriteResult(r.correction_id, outcome, msg, rid)) for r in pending[rid])
        writes = retry
        if writes:
            time.sleep(min(30.0, src.client.wait_base * math.pow(2, attempt - 1)))
    return out
