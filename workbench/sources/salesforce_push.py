"""Writing approved corrections to Salesforce through the Composite resource.

Per batch of at most 200 records: re-read the records' current values (one query),
decide each request (already applied / conflict / to write), then ``POST composite``
calls of up to 25 conditional PATCH subrequests with ``allOrNone=false``. A record whose
field no longer holds the value seen at approval is a conflict and is never overwritten;
one edited after the re-read is refused by Salesforce (If-Unmodified-Since). Records
that fail with a passing error (row lock, limits) are retried with backoff; what
still fails is reported as transient, field errors as permanent with Salesforce's words.
"""

from __future__ import annotations

import math
import time
from datetime import datetime
from decimal import Decimal
from email.utils import formatdate
from typing import Any, Protocol

from simple_salesforce.api import Salesforce

from workbench.errors import Cancelled, WorkbenchError
from workbench.model.ids import InvalidSalesforceId, to_18
from workbench.progress import TaskState, check_cancelled
from workbench.sources.base import WriteRequest, WriteResult
from workbench.sources.salesforce_client import (TRANSIENT_CODES, BudgetExceeded, SalesforceClient, TransientFailure,
                                                  post_composite)
from workbench.sources.salesforce_mapping import (ObjectMap, convert, format_datetime, modstamp, parse_datetime,
                                                  to_api_value)



class SalesforceSource(Protocol):
    """What pushing needs of the Salesforce connector (which imports this module, so it is named here
    by shape rather than imported)."""

    client: SalesforceClient

    def map_for_record(self, kind_or_object: str, record_id: str) -> ObjectMap: ...

    def read_raw(self, m: ObjectMap, record_ids: list[str], api_fields: list[str]) -> dict[str, dict[str, Any]]: ...

    def check_api_budget(self, calls_needed: int) -> None: ...

    def describe(self, kind: str) -> list[dict[str, Any]]: ...

BATCH = 200  # records per re-read query
COMPOSITE = 25  # subrequests per Composite call (REST API Developer Guide: Composite)


def _same(a: Any, b: Any) -> bool:
    if a in (None, "") and b in (None, ""):
        return True
    if isinstance(a, Decimal) or isinstance(b, Decimal):
        try:
            return Decimal(str(a)) == Decimal(str(b))
        except ArithmeticError:
            return False
    return bool(a == b)


def _outcome(exc: WorkbenchError) -> str:
    """Trouble that may pass (the org unreachable for a login) is retried; anything else is final."""
    return "transient" if exc.transient else "permanent"


def push_requests(src: SalesforceSource, requests: list[WriteRequest], state: TaskState | None) -> list[WriteResult]:
    results: dict[int, WriteResult] = {}
    by_map: dict[str, tuple[ObjectMap, list[WriteRequest]]] = {}
    for r in requests:
        try:
            m = src.map_for_record(r.object, r.record_id)
            api = m.api_name(r.field)
        except WorkbenchError as exc:
            results[id(r)] = WriteResult(r.correction_id, "permanent", f"{exc.one_line()} [{r.object} {r.record_id}]")
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
    # Each batch costs one re-read and at most one Composite call per 25 of its records.
    # and each object one describe, whose field rules keep a write Salesforce would refuse from being sent.
    budget = {"needed": sum(1 + math.ceil(len(ids) / COMPOSITE) for _, ids, _ in batches) - 1 + len(by_map),
              "checked": False, "described": {}}
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
        current = _as_given(src.read_raw(m, record_ids, api_fields), record_ids)
        if not budget["checked"]:
            src.check_api_budget(budget["needed"])
            budget["checked"] = True
    except TransientFailure as exc:
        return [(r, WriteResult(r.correction_id, "transient", exc.one_line())) for r in reqs]
    except WorkbenchError as exc:  # e.g. INVALID_FIELD: a mapped field the org does not have
        if isinstance(exc, (Cancelled, BudgetExceeded)):
            raise
        return [(r, WriteResult(r.correction_id, _outcome(exc), exc.one_line())) for r in reqs]

    try:
        rules = _field_rules(src, m, budget["described"])
    except TransientFailure as exc:
        return [(r, WriteResult(r.correction_id, "transient", exc.one_line())) for r in reqs]
    except WorkbenchError as exc:
        if isinstance(exc, Cancelled):
            raise
        return [(r, WriteResult(r.correction_id, _outcome(exc), exc.one_line())) for r in reqs]

    out: list[tuple[WriteRequest, WriteResult]] = []
    writes: dict[str, dict[str, Any]] = {}
    pending: dict[str, list[WriteRequest]] = {}
    writer: dict[tuple[str, str], WriteRequest] = {}  # who writes each (record, API field) in this batch
    stamps: dict[str, datetime] = {}
    corrections: dict[int, list[WriteRequest]] = {}
    for r in reqs:
        corrections.setdefault(r.correction_id, []).append(r)
    for group in corrections.values():
        decided = [(r, _decide(m, r, current.get(r.record_id), rules)) for r in group]
        for n, (r, d) in enumerate(decided):
            if isinstance(d, dict):
                other = next((w for k, v in d.items() if (w := writer.get((r.record_id, k))) is not None
                              and w.correction_id != r.correction_id and not _same(writes[r.record_id][k], v)), None)
                if other is not None:
                    # One PATCH per record: merged, the last value would win and both corrections be recorded
                    # applied. The next attempt's re-read finds the first one's value: a conflict, not an overwrite.
                    api = m.api_name(r.field)
                    decided[n] = (r, WriteResult(
                        r.correction_id, "transient", f"{m.object}.{api}: correction {other.correction_id} writes "
                        "another value to it in this push; retried after it", r.record_id))
        bad = next(((r, d) for r, d in decided if isinstance(d, WriteResult) and d.outcome != "already_applied"),
                   None)
        if bad is not None:
            # A correction of several fields is written whole or not at all (one PATCH of its record): a field
            # that cannot be written keeps the others from being written too, or the record is left half-changed.
            for r, d in decided:
                out.append((r, d if isinstance(d, WriteResult) else WriteResult(
                    r.correction_id, bad[1].outcome, f"not written: {bad[0].field} cannot be, and the record is "
                    f"written whole [{m.object} {r.record_id}]", r.record_id)))
            continue
        for r, d in decided:
            if isinstance(d, WriteResult):
                out.append((r, d))
                continue
            writes.setdefault(r.record_id, {}).update(d)
            writer.update({(r.record_id, k): r for k in d})
            pending.setdefault(r.record_id, []).append(r)
            stamp = parse_datetime((current.get(r.record_id) or {}).get("SystemModstamp"))
            if stamp is not None:
                stamps[r.record_id] = stamp

    conflicted: list[str] = []
    named: dict[str, set[str]] = {}  # per record: the fields Salesforce's refusal names
    wrote: dict[str, dict[int, set[str]]] = {}  # per record: each correction's API fields in its PATCH
    for (rid, key), w in writer.items():
        wrote.setdefault(rid, {}).setdefault(w.correction_id, set()).add(key.lower())
    for i in range(0, len(writes), COMPOSITE):
        chunk = dict(list(writes.items())[i:i + COMPOSITE])
        for rid, outcome, msg in _write_composite(src, m, chunk, stamps, named):
            if outcome == "conflict":
                conflicted.append(rid)
                continue
            blamed = {c for c, keys in wrote.get(rid, {}).items() if keys & named.get(rid, set())}
            for r in pending[rid]:
                text = f"{m.object}.{m.api_name(r.field)} updated" if outcome == "applied" else msg
                if outcome == "permanent" and blamed and r.correction_id not in blamed:
                    # The record's one PATCH also carried another correction's field, which Salesforce refused by
                    # name: this one is not at fault, and is tried again, without it, once that one is settled.
                    out.append((r, WriteResult(r.correction_id, "transient", f"not written: Salesforce refused "
                                               f"correction {min(blamed)}'s change in the same write of {m.object} "
                                               f"{rid} ({msg}); tried again on its own", rid)))
                    continue
                out.append((r, WriteResult(r.correction_id, outcome, text, rid)))
    if conflicted:
        out.extend(_conflicts(src, m, conflicted, pending, stamps, api_fields))
    return out


def _decide(m: ObjectMap, r: WriteRequest, rec: dict[str, Any] | None, rules: dict[str, dict[str, Any]]
            ) -> WriteResult | dict[str, Any]:
    """What one field of a correction needs: its API fields and values to write, or its answer without a write
    (already there, changed by someone, refused by the org's describe, the record gone)."""
    if rec is None:
        return WriteResult(r.correction_id, "permanent", f"{m.object} {r.record_id} not found in Salesforce (deleted, "
                                                         f"merged or not visible to the integration user)")
    api = m.api_name(r.field)
    version = modstamp(rec.get("SystemModstamp"))
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
        return WriteResult(r.correction_id, "permanent", f"{api}: {exc}")
    if _same(now_value, new):
        return WriteResult(r.correction_id, "already_applied", f"{m.object}.{api} already holds {new!s}", r.record_id,
                           now_value, version)
    if not _same(now_value, old):
        changed = f" (SystemModstamp {r.seen_version} → {version})" if r.seen_version and \
            r.seen_version != version else ""
        return WriteResult(r.correction_id, "conflict", f"{m.object}.{api} of {r.record_id} changed in Salesforce "
                           f"since it was read: expected {old!s}, found {now_value!s}{changed}", r.record_id,
                           now_value, version)
    refusal = next((x for x in (_refusal(rules.get(k.lower()), k, v) for k, v in fields_to_write.items()) if x), None)
    if refusal:
        return WriteResult(r.correction_id, "permanent", f"{refusal}; not sent [{m.object} {r.record_id}]",
                           r.record_id)
    return fields_to_write


def _as_given(found: dict[str, dict[str, Any]], record_ids: list[str]) -> dict[str, dict[str, Any]]:
    """Records read back by the ids the corrections give: a query answers with 18-character ids, while a
    correction may name its record by the 15-character form (a report's CSV export); both name one record
    (Salesforce: "ID Field Type", 15 case-sensitive or 18 case-insensitive characters)."""
    out = dict(found)
    for rid in record_ids:
        if rid not in out:
            try:
                long = to_18(rid)
            except (InvalidSalesforceId, ValueError):
                continue
            if long in found:
                out[rid] = found[long]
    return out


def _field_rules(src: SalesforceSource, m: ObjectMap, cache: dict[str, dict[str, dict[str, Any]]]
                 ) -> dict[str, dict[str, Any]]:
    """The object's describe, by field name (one call per object and push)."""
    if m.object not in cache:
        cache[m.object] = {f["name"].lower(): f for f in src.describe(m.object)}
    return cache[m.object]


_TEXT = ("string", "textarea", "url", "phone", "email", "encryptedstring")


def _refusal(f: dict[str, Any] | None, api: str, value: Any) -> str | None:
    """Why Salesforce would refuse this value, judged from its own describe; None when it is acceptable.
    Codes as on the REST API Developer Guide's Status Codes page."""
    if f is None:
        return f"INVALID_FIELD: the org has no field {api} (describe)"
    name = f"{f['name']} ({f.get('label') or f['name']})"
    if not f["updateable"]:
        return f"INVALID_FIELD_FOR_INSERT_UPDATE: {name} is read-only for the integration user (describe)"
    if value is None:
        return None if f["nillable"] else f"REQUIRED_FIELD_MISSING: {name} cannot be cleared (describe)"
    t = f["type"]
    if t in ("currency", "double", "percent", "int"):
        try:
            d = Decimal(str(value))
        except ArithmeticError:
            return f"INVALID_TYPE_ON_FIELD_IN_RECORD: {name} needs a number, not {value!r}"
        if f["precision"] and d.is_finite() and d.adjusted() + 1 > f["precision"] - f["scale"]:
            return f"NUMBER_OUTSIDE_VALID_RANGE: {name} holds at most {f['precision'] - f['scale']} integer digits"
        places = max(0, -int(d.normalize().as_tuple().exponent)) if d.is_finite() else 0
        if f.get("scale") is not None and places > int(f["scale"]):
            # Salesforce keeps a number to its field's scale (describe "scale": digits right of the point), so
            # 1.234 (a KWD amount, say) would land as 1.23 and read back as a difference: refused, not rounded
            return (f"{name} holds {f['scale']} decimal(s) (describe scale), the value {format(d, 'f')} has {places}: "
                    f"not written rounded")
    elif t == "picklist" and f["restricted"] and f["picklist"] and str(value) not in f["picklist"]:
        return (f"INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST: {value!s} is not one of {name}'s values "
                f"({', '.join(f['picklist'][:12])}{', ...' if len(f['picklist']) > 12 else ''})")
    elif t in _TEXT and f["length"] and len(str(value)) > f["length"]:
        return f"STRING_TOO_LONG: {name} holds at most {f['length']} characters, the value has {len(str(value))}"
    return None


def _write_composite(src: SalesforceSource, m: ObjectMap, writes: dict[str, dict[str, Any]],
                     stamps: dict[str, datetime], named: dict[str, set[str]] | None = None
                     ) -> list[tuple[str, str, str]]:
    """One Composite call per at most 25 records, each subrequest a PATCH carrying If-Unmodified-Since
    from the re-read, so an edit landing after the re-read is refused (412) instead of overwritten.
    sObject Collections take no conditional headers, Composite subrequests do (REST API Developer Guide:
    Composite Subrequest, httpHeaders; Conditional Request Headers). allOrNone=false: one bad record
    does not hold back the others. Returns (record id, outcome, message) per record."""
    done: list[tuple[str, str, str]] = []
    attempt = 0
    while writes:
        attempt += 1

        # the default binds this attempt's batch now; it is never mutated
        def send(sf: Salesforce, batch: dict[str, dict[str, Any]] = dict(writes)) -> Any:  # noqa: B006
            subs = []
            for n, (rid, values) in enumerate(batch.items()):
                sub = {"method": "PATCH", "url": f"/services/data/v{sf.sf_version}/sobjects/{m.object}/{rid}",
                       "referenceId": f"r{n}", "body": values}
                if rid in stamps:
                    sub["httpHeaders"] = {"If-Unmodified-Since": formatdate(stamps[rid].timestamp(), usegmt=True)}
                subs.append(sub)
            return post_composite(sf, subs)
        try:
            answer = src.client.call("Composite update", send)
        except TransientFailure as exc:
            return done + [(rid, "transient", exc.one_line()) for rid in writes]
        except WorkbenchError as exc:
            return done + [(rid, _outcome(exc), exc.one_line()) for rid in writes]
        # Each result is found by its referenceId: with collateSubrequests (on by default from API 49.0) the
        # API may run subrequests out of order (Composite Request Body), and a call refused as a whole answers
        # one result with no referenceId; a record left without an answer was not written, so may be tried again.
        results = {r.get("referenceId"): r for r in (answer or {}).get("compositeResponse") or []}
        retry: dict[str, dict[str, Any]] = {}
        for n, rid in enumerate(writes):
            res = results.get(f"r{n}") or _no_answer(results)
            status = res.get("httpStatusCode") or 500
            if status < 300:
                done.append((rid, "applied", ""))
                continue
            if status == 412:
                done.append((rid, "conflict", ""))
                continue
            body = res.get("body")
            errs: list[dict[str, Any]] = body if isinstance(body, list) and body else [{}]
            code = errs[0].get("errorCode") or errs[0].get("statusCode") or "UNKNOWN"
            msg = "; ".join(f"{e.get('errorCode') or e.get('statusCode')}: {e.get('message')}"
                            + (f" ({', '.join(e['fields'])})" if e.get("fields") else "") for e in errs)
            # 5xx: the server failed and the write did not happen (REST API Developer Guide, Status Codes and
            # Error Responses), as the whole call's 5xx is retried (salesforce_client.is_transient)
            passing = code in TRANSIENT_CODES or status >= 500
            if passing and attempt < src.client.attempts:
                retry[rid] = writes[rid]
                continue
            done.append((rid, "transient" if passing else "permanent", f"{msg} [{m.object} {rid}]"))
            if named is not None:  # the fields a refusal names (REST API Developer Guide, Status Codes: "fields")
                named[rid] = {str(f_).lower() for e in errs for f_ in e.get("fields") or []}
        writes = retry
        if writes:
            time.sleep(min(30.0, src.client.wait_base * math.pow(2, attempt - 1)))
    return done


def _no_answer(results: dict[Any, dict[str, Any]]) -> dict[str, Any]:
    """The result standing for a subrequest the answer has none for: the whole call's refusal when there is
    one (one result, referenceId null), else a passing failure."""
    refusal = results.get(None)
    return refusal if refusal is not None else {"httpStatusCode": 503, "body": [
        {"errorCode": "NO_ANSWER", "message": "Salesforce's Composite answer has no result for this subrequest"}]}


def _wanted(m: ObjectMap, r: WriteRequest) -> Any:
    """The canonical value a request writes (an invoice status as its canonical status)."""
    if r.field == "status" and m.status_fields:
        return r.new_value
    try:
        return convert(m.kind, r.field, r.new_value) if r.new_value is not None else None
    except (ValueError, WorkbenchError):
        return r.new_value


def _conflicts(src: SalesforceSource, m: ObjectMap, rids: list[str], pending: dict[str, list[WriteRequest]],
               stamps: dict[str, datetime], api_fields: list[str]) -> list[tuple[WriteRequest, WriteResult]]:
    """Records Salesforce refused with 412: read what they hold now, so the user sees what changed."""
    try:
        now = _as_given(src.read_raw(m, rids, api_fields), rids)
    except WorkbenchError:
        now = {}
    out = []
    for rid in rids:
        rec = now.get(rid) or {}
        version = modstamp(rec.get("SystemModstamp"))
        seen = format_datetime(stamps[rid]) if rid in stamps else "?"
        for r in pending[rid]:
            api = m.api_name(r.field)
            try:
                found = m.to_canonical(rec)["status"] if r.field == "status" and m.status_fields else \
                    convert(m.kind, r.field, rec.get(api))
            except (ValueError, WorkbenchError, KeyError):
                found = rec.get(api)
            if rec and _same(found, _wanted(m, r)):
                # The field holds what this push writes: a Composite call whose answer was lost (timeout,
                # dropped connection) is sent again, and the write it made moved LastModifiedDate past the
                # If-Unmodified-Since the repeat carries (REST API Developer Guide, Conditional Request Headers)
                out.append((r, WriteResult(r.correction_id, "already_applied", f"{m.object}.{api} already holds "
                                           f"{found!s}", rid, found, version)))
                continue
            out.append((r, WriteResult(r.correction_id, "conflict",
                                       f"{m.object}.{api} was changed in Salesforce after it was re-read for this "
                                       f"push (412 PRECONDITION_FAILED; SystemModstamp {seen} → {version}); "
                                       f"found {found!s}, not overwritten", rid, found, version)))
    return out
