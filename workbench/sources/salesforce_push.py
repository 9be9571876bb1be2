"""Writing approved corrections to Salesforce through sObject Collections.

Per batch of at most 200 records: re-read the records' current values (one query),
decide each request (already applied / conflict / to write), then one
``PATCH composite/sobjects`` with ``allOrNone=false``. A record whose field no longer
holds the value seen at approval is a conflict and is never overwritten. Records
that fail with a passing error (row lock, limits) are retried with backoff; what
still fails is reported as transient, field errors as permanent with Salesforce's words.
"""

from __future__ import annotations

import math
import time
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from workbench.errors import Cancelled, InputError, WorkbenchError
from workbench.progress import check_cancelled
from workbench.sources.base import WriteRequest, WriteResult
from workbench.sources.salesforce_client import TRANSIENT_CODES, TransientFailure
from workbench.sources.salesforce_mapping import ObjectMap, convert, format_datetime, parse_datetime, to_api_value

if TYPE_CHECKING:
    from workbench.sources.salesforce import SalesforceSource

BATCH = 200


def _same(a: Any, b: Any) -> bool:
    if a in (None, "") and b in (None, ""):
        return True
    if isinstance(a, Decimal) or isinstance(b, Decimal):
        try:
            return Decimal(str(a)) == Decimal(str(b))
        except ArithmeticError:
            return False
    return a == b


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

    if batches:
        src.check_api_budget(2 * len(batches))
    total, done = len(requests), len(results)
    for n, (m, record_ids, reqs) in enumerate(batches):
        try:
            check_cancelled(state)
        except Cancelled:
            for _, _, rest in batches[n:]:
                for r in rest:
                    results[id(r)] = WriteResult(r.correction_id, "transient", "not attempted: the push was cancelled")
            break
        for r, res in _push_batch(src, m, record_ids, reqs):
            results[id(r)] = res
        done += len(reqs)
        if state is not None:
            state.set_progress(done, total, f"Salesforce {m.object}: {done:,} of {total:,} corrections pushed")
    return [results[id(r)] for r in requests]


def _push_batch(src: SalesforceSource, m: ObjectMap, record_ids: list[str],
                reqs: list[WriteRequest]) -> list[tuple[WriteRequest, WriteResult]]:
    api_fields = sorted({m.api_name(r.field) for r in reqs})
    try:
        current = src.read_raw(m, record_ids, api_fields)
    except TransientFailure as exc:
        return [(r, WriteResult(r.correction_id, "transient", exc.one_line())) for r in reqs]
    except WorkbenchError as exc:  # e.g. INVALID_FIELD: a mapped field the org does not have
        if isinstance(exc, Cancelled):
            raise
        return [(r, WriteResult(r.correction_id, "permanent", exc.one_line())) for r in reqs]

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
            now_value = convert(m.kind, r.field, rec.get(api))
            old = convert(m.kind, r.field, r.old_value) if r.old_value is not None else None
            new = convert(m.kind, r.field, r.new_value) if r.new_value is not None else None
        except (ValueError, InputError) as exc:
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
        writes.setdefault(r.record_id, {"attributes": {"type": m.object}, "id": r.record_id})[api] = \
            to_api_value(m.kind, r.field, new)
        pending.setdefault(r.record_id, []).append(r)

    attempt = 0
    while writes:
        attempt += 1
        body = {"allOrNone": False, "records": list(writes.values())}
        try:
            answer = src.client.call("sObject Collections update",
                                     lambda sf: sf.restful("composite/sobjects", method="PATCH", json=body))
        except TransientFailure as exc:
            for rid in writes:
                out.extend((r, WriteResult(r.correction_id, "transient", exc.one_line())) for r in pending[rid])
            break
        except WorkbenchError as exc:
            for rid in writes:
                out.extend((r, WriteResult(r.correction_id, "permanent", exc.one_line())) for r in pending[rid])
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
