"""What a run's audit event vouches for: digests of its stored snapshots and exceptions.

A run's ``run.completed`` event carries, under ``covered``, the row count and a digest of every
snapshot part it stored (each part's SHA-256, recomputed from the stored bytes when checked;
runs stored before parts existed: every snapshot row, raw record, canonical record, hash and
query) and of every exception's facts (ids, values, amounts, proposal, first status). The event is in the hash
chain, so an edit of a stored snapshot, an amount or a first status is found by recomputing the
digest (``check_run``), the way ``export --verify`` recomputes a workbook from the snapshots.

The digest is SHA-256 over the sorted per-row SHA-256 digests, so it does not depend on the
order rows come back in.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, UTC
from decimal import Decimal
from typing import Any
from collections.abc import Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session

from workbench.store import bulk, snapshots
from workbench.store.schema import AuditEvent, ExceptionRow, Snapshot
from workbench.store.types import json_text

# An exception's facts: everything but what review legitimately changes (status, assignee,
# resolution, version) and last_seen.
EXCEPTION_FACTS = ("id", "key", "type", "family", "severity", "crm_object", "crm_id", "erp_object", "erp_id",
                   "crm_number", "erp_number", "customer_name", "field", "crm_value", "erp_value", "difference",
                   "amount_at_risk", "currency", "diffs", "proposal", "message", "first_seen")


def _canon(v: Any) -> Any:
    if isinstance(v, Decimal):
        return str(v)
    if isinstance(v, datetime):
        at = v.replace(tzinfo=UTC) if v.tzinfo is None else v.astimezone(UTC)
        return at.isoformat(timespec="microseconds")
    if hasattr(v, "isoformat"):
        return v.isoformat()
    return str(v)


# json.dumps with these options, made once rather than for each of a run's rows
_ROW_JSON = json.JSONEncoder(sort_keys=True, default=_canon, separators=(",", ":"), ensure_ascii=False).encode


def _row_hash(values: list[Any]) -> str:
    return hashlib.sha256(_ROW_JSON(values).encode("utf-8")).hexdigest()


class Digest:
    """Rows in, one order-independent digest out."""

    def __init__(self) -> None:
        self.rows: list[str] = []

    def add(self, *values: Any) -> None:
        self.rows.append(_row_hash(list(values)))

    def result(self) -> dict[str, Any]:
        self.rows.sort()
        return {"rows": len(self.rows), "digest": hashlib.sha256("".join(self.rows).encode("ascii")).hexdigest()}


def parts_digest(parts: list[tuple[str, str, int, str]]) -> dict[str, Any]:
    """Over a run's snapshot parts (side, part, rows, SHA-256 of the part's bytes)."""
    d = Digest()
    for side, part, rows, sha in parts:
        d.add(side, part, rows, sha)
    return {**d.result(), "records": sum(rows for _, part, rows, _ in parts if part.startswith("raw"))}


def snapshot_digest(session: Session, run_id: int,
                    parts: list[snapshots.StoredPart] | None = None) -> dict[str, Any]:
    """Runs with snapshot parts: over their parts, each hashed from its stored bytes (``parts``: the
    run's ``snapshots.stored_parts``, when read already); older runs: over every stored snapshot row."""
    if parts or snapshots.has_parts(session, run_id):
        return parts_digest([(side, part, rows, actual)
                             for side, part, rows, _, actual in snapshots.part_hashes(session, run_id, parts)])
    d = Digest()
    q = (select(Snapshot.side, Snapshot.object, Snapshot.kind, Snapshot.record_id, Snapshot.query,
                Snapshot.content_hash, Snapshot.payload, Snapshot.canonical)
         .where(Snapshot.run_id == run_id).execution_options(yield_per=5_000))
    for row in session.execute(q):
        d.add(*row)
    return d.result()


_AS_IS = (str, int, float, list, tuple, dict)  # what ``_ROW_JSON`` encodes without calling ``_canon``
_EXACT = frozenset((str, int, float, bool, list, tuple, dict, type(None)))


def _canon_column(values: list[Any]) -> list[Any]:
    """The column's values as ``_ROW_JSON`` would see them after calling ``_canon``: the same JSON,
    one encoder call a row with no calls back into Python. A time many rows share (a run's
    first-seen) is made text once."""
    if set(map(type, values)) <= _EXACT:
        return values
    times: dict[Any, str] = {}  # equal times are the same instant, or the same naive wall time: the same text
    out: list[Any] = []
    for v in values:
        if type(v) in _EXACT or isinstance(v, _AS_IS) or v is None:
            out.append(v)
        elif isinstance(v, datetime):
            text = times.get(v)
            if text is None:
                text = times[v] = _canon(v)
            out.append(text)
        else:
            out.append(_canon(v))
    return out


def _digest_columns(columns: list[list[Any]]) -> dict[str, Any]:
    """``Digest`` over the rows the columns hold (each row's values in column order)."""
    d = Digest()
    sha256 = hashlib.sha256
    d.rows = [sha256(_ROW_JSON(row).encode("utf-8")).hexdigest()
              for row in zip(*map(_canon_column, columns), strict=True)]
    return d.result()


def exception_digest(session: Session, run_id: int, first_status: Mapping[int, str] | None = None) -> dict[str, Any]:
    """``first_status``: each exception's status when the run stored it, where it has changed since
    (the replayed trail says); the others are still at their first status."""
    columns = bulk.read(session, ExceptionRow.__table__, [*EXCEPTION_FACTS, "status"], run_id)  # type: ignore[arg-type]
    if first_status:
        columns[-1] = [first_status.get(i, status) for i, status in zip(columns[0], columns[-1], strict=True)]
    return _digest_columns(columns)


def saved_exception_digest(session: Session, run_id: int, saved: Mapping[str, list[Any]]) -> dict[str, Any]:
    """``exception_digest`` of the run's exceptions just inserted, from ``saved``: their values as
    reading them back gives (``bulk.insert``'s echo, in insert order, ``status`` included), with only
    their ids read. Where a column is not in ``saved``, or the rows do not read back in insert
    order, the exceptions are read back whole."""
    if any(c not in saved for c in (*EXCEPTION_FACTS[1:], "status")):
        return exception_digest(session, run_id)
    ids, keys = bulk.read(session, ExceptionRow.__table__, ["id", "key"], run_id)  # type: ignore[arg-type]
    if keys != saved["key"]:  # ids are given in insert order: a store that did otherwise is read whole
        return exception_digest(session, run_id)
    return _digest_columns([ids, *(saved[c] for c in EXCEPTION_FACTS[1:]), saved["status"]])


def covered(session: Session, run_id: int, parts: list[tuple[str, str, int, str]],
            exceptions: Mapping[str, list[Any]] | None = None) -> dict[str, Any]:
    """What the run's event records, computed as the run is saved (its rows already inserted);
    ``exceptions``: the run's exceptions as saved (see ``saved_exception_digest``)."""
    digest = (exception_digest(session, run_id) if exceptions is None
              else saved_exception_digest(session, run_id, exceptions))
    return {"snapshots": parts_digest(parts), "exceptions": digest}


def check_run(session: Session, run_id: int, recorded: Mapping[str, Any],
              first_status: Mapping[int, str] | None = None) -> list[str]:
    """What differs between a run's stored rows and what its event vouches for."""
    problems = _snapshot_problems(session, run_id, recorded.get("snapshots") or {})
    want, got = recorded.get("exceptions") or {}, exception_digest(session, run_id, first_status)
    if want.get("rows") != got["rows"]:
        problems.append(f"run {run_id}: the store holds {got['rows']} exception(s), its run event "
                        f"records {want.get('rows')}: exceptions were added or deleted outside the workbench")
    elif want.get("digest") != got["digest"]:
        problems.append(f"run {run_id}: its exceptions no longer match the digest in its run event: "
                        "an exception's values, amounts or first status were edited outside the workbench")
    return problems


def json_digest(value: Any) -> str | None:
    """SHA-256 of a JSON column's value as the store gives it back (``JSONText``: Decimal and dates
    as text, keys as text), so the digest taken while saving equals the one taken on reading."""
    if value is None:
        return None
    text = json_text(json.loads(json_text(value)))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def moment(dt: datetime) -> str:
    """A stored time as the run event records it: UTC, ISO 8601 (a database may give it back without its zone)."""
    return (dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt.astimezone(UTC)).isoformat()


def start_problems(session: Session, run_id: int, started_at: datetime, now: datetime) -> list[str]:
    """Why a re-run may not ask for changes since run ``run_id``'s start: the run has no ``run.completed`` event
    (nothing vouches for its stored data), its stored start is not the one the event recorded (edited outside the
    workbench: a later start would hide the changes in between), or its start is later than ``now``."""
    detail = session.execute(select(AuditEvent.detail).where(AuditEvent.run_id == run_id,
                                                             AuditEvent.action == "run.completed")
                             .order_by(AuditEvent.id).limit(1)).scalar()
    if detail is None:
        return [f"run {run_id} has no completed event in the audit trail: nothing vouches for its stored data"]
    recorded = detail.get("started_at")
    if recorded is not None and recorded != moment(started_at):
        return [f"run {run_id}: its stored start ({moment(started_at)}) is not the one its run event records "
                f"({recorded}): edited outside the workbench"]
    if moment(started_at) > moment(now):
        return [f"run {run_id} started at {moment(started_at)}, later than now ({moment(now)}): this machine's clock "
                f"or the stored start moved"]
    return []


def snapshot_problems(session: Session, run_id: int, parts: list[snapshots.StoredPart] | None = None) -> list[str]:
    """What differs between a run's stored snapshots and its ``run.completed`` event (for
    ``export --verify``, which reads the run's records from them; for a re-run, which builds on
    them). ``parts``: the run's ``snapshots.stored_parts``, when read already."""
    detail = session.execute(select(AuditEvent.detail).where(AuditEvent.run_id == run_id,
                                                             AuditEvent.action == "run.completed")
                             .order_by(AuditEvent.id).limit(1)).scalar()
    recorded = ((detail or {}).get("covered") or {}).get("snapshots")
    return _snapshot_problems(session, run_id, recorded, parts) if recorded else []


def _snapshot_problems(session: Session, run_id: int, want: Mapping[str, Any],
                       parts: list[snapshots.StoredPart] | None = None) -> list[str]:
    got = snapshot_digest(session, run_id, parts)
    what = "snapshot part" if snapshots.has_parts(session, run_id) else "snapshot"
    if want.get("rows") != got["rows"]:
        return [f"run {run_id}: the store holds {got['rows']} {what}(s), its run event "
                f"records {want.get('rows')}: {what}s were added or deleted outside the workbench"]
    if want.get("digest") != got["digest"]:
        return [f"run {run_id}: its {what}s no longer match the digest in its run event: "
                f"a stored record was edited{_edited(session, run_id, parts)} outside the workbench"]
    return []


def _edited(session: Session, run_id: int, parts: list[snapshots.StoredPart] | None = None, most: int = 5) -> str:
    """The parts, or in older runs the records, whose stored bytes no longer match their own hash
    (an editor who also recomputed that hash is caught by the digest, but cannot be named this way)."""
    if parts or snapshots.has_parts(session, run_id):
        named = [f"{side.upper()} part {part}"
                 for side, part, _, sha, actual in snapshots.part_hashes(session, run_id, parts) if sha != actual]
        return f" ({', '.join(named[:most])})" if named else ""
    return _edited_records(session, run_id, most)


def _edited_records(session: Session, run_id: int, most: int) -> str:
    """The records whose stored payload no longer matches its own hash (an editor who also
    recomputed that hash is caught by the digest, but cannot be named this way)."""
    from workbench.sources.base import content_hash
    named = []
    q = (select(Snapshot.side, Snapshot.object, Snapshot.record_id, Snapshot.content_hash, Snapshot.payload)
         .where(Snapshot.run_id == run_id).execution_options(yield_per=5_000))
    for side, obj, rid, h, payload in session.execute(q):
        try:
            same = content_hash(json.loads(payload)) == h
        except ValueError:
            same = False
        if not same:
            named.append(f"{side.upper()} {obj} {rid}")
            if len(named) == most:
                break
    return f" ({', '.join(named)})" if named else ""
