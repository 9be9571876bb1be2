"""Pushing the outbox: claim, write through the connector, record the outcome — exactly once.

Why it cannot lose or double a write:

1. *Claim before write.* Due ``queued`` rows are claimed (state ``pushing``, ``claimed_by``,
   ``claimed_at``, ``attempts + 1``) with ``SELECT ... FOR UPDATE SKIP LOCKED`` in a transaction
   that commits before the connector is called. Two workers never claim the same row; a row
   is only ever sent while it is ``pushing`` under this worker's name.
2. *Compare before write.* The connector re-reads each target and compares with the value the
   approver saw: already equal to the new value → ``applied`` without writing; changed by
   someone else → ``conflict`` with both values; otherwise it writes.
3. *Recover by reading, never by re-sending.* A row found in ``pushing`` under a claim that is
   stale (its process is gone, or the lease ran out) may or may not have been written. It is
   resolved by re-reading the target: the new value is there → ``applied``; the old value is
   there → back to ``queued``; anything else → ``conflict``. It is never sent blind.

Transient failures (429, 5xx, timeouts, locks, expired sessions) go ``failed → queued`` with
an exponential backoff with jitter that honours Retry-After, up to ``max_attempts``, then
``dead_letter``; permanent ones go ``failed → dead_letter`` with the system's own message.
After the push, touched records are re-read on both sides (``workbench.corrections.verify``).
"""

from __future__ import annotations

import json
import os
import random
import socket
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta, UTC
from pathlib import Path
from typing import Any
from collections.abc import Callable

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from workbench.config import RunConfig, from_dict
from workbench.corrections import lifecycle
from workbench.close.lock import PeriodLocked, locked_reason
from workbench.corrections.outbox.guards import (TrailBroken, duplicate_refusals, settled_refusals, standing_refusals,
                                                tamper_refusal, trail_refusal)
from workbench.corrections.proof import approval_refusals
from workbench.corrections.read_only import csv_route_ids
from workbench.corrections.values import canonical_kind, field_changes, parse_value, same
from workbench.corrections.verify import by_id
from workbench.errors import Cancelled, ConfigError, StaleState, WorkbenchError
from workbench.progress import TaskState, check_cancelled, report
from workbench.sources import open_source
from workbench.sources.base import Source, WriteRequest, WriteResult
from workbench.store.chunks import chunks
from workbench.store.db import Store
from workbench.store import coverage
from workbench.store.schema import AuditEvent, Correction, ExceptionRow, Run
from workbench.model.states import CorrectionState, ExceptionStatus

# The corrections pushed together: run id, target side, target system, target object.
Group = tuple[int | None, str, str, str]


@dataclass
class Backoff:
    """Exponential backoff with jitter; Retry-After (seconds) is a floor, never shortened."""
    base: float = 1.0
    factor: float = 2.0
    cap: float = 300.0

    def delay(self, attempt: int, retry_after: float | None = None, rng: random.Random | None = None) -> float:
        ceiling = min(self.cap, self.base * self.factor ** max(0, attempt - 1))
        # "equal jitter": at least half the step, so retries spread out yet still back off
        d = ceiling / 2 + (rng or random).uniform(0, ceiling / 2)
        if retry_after:
            d = max(d, float(retry_after))
        return d


@dataclass
class PushReport:
    """What a push did. ``counts`` per outcome; ``results`` one dict per connector answer
    (correction_id, outcome, state, message, response_id, attempts); ``verified`` per verdict."""
    counts: dict[str, int] = field(default_factory=lambda: {
        "applied": 0, "already_applied": 0, "conflict": 0, "retried": 0, "dead_letter": 0,
        "recovered_applied": 0, "recovered_requeued": 0, "recovered_conflict": 0})
    results: list[dict[str, Any]] = field(default_factory=list)
    verified: dict[str, int] = field(default_factory=dict)
    resumed: int = 0  # applied corrections an interrupted push left unverified, verified by this one
    refused: list[str] = field(default_factory=list)  # not sent: their approval is not proven by the trail
    requests: int = 0  # connector push calls
    seconds: float = 0.0
    pending: int = 0  # still queued (retry not yet due, or their connector could not be opened)
    errors: list[str] = field(default_factory=list)  # groups that could not be pushed, and why

    def add(self, outcome: str, n: int = 1) -> None:
        self.counts[outcome] = self.counts.get(outcome, 0) + n

    def as_dict(self) -> dict[str, Any]:
        return {"counts": self.counts, "verified": self.verified, "resumed_verification": self.resumed,
                "refused": self.refused, "requests": self.requests,
                "seconds": round(self.seconds, 3), "pending": self.pending, "errors": self.errors,
                "results": self.results}


def _now() -> datetime:
    return datetime.now(UTC)


def _utc(t: datetime | None) -> datetime | None:
    if t is None:
        return None
    return t.replace(tzinfo=UTC) if t.tzinfo is None else t


def worker_name() -> str:
    """host:pid:process start time:random — the start time tells a reused pid from the worker."""
    pid = os.getpid()
    return f"{socket.gethostname()}:{pid}:{_start_time(pid) or 0}:{uuid.uuid4().hex[:8]}"


def _start_time(pid: int) -> str | None:
    """When the process started (clock ticks since boot), where the OS tells (Linux /proc)."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            return fh.read().rsplit(b")", 1)[1].split()[19].decode()
    except (OSError, IndexError):
        return None


def _pid_alive(pid: int, started: str | None = None) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    if started and started != "0":
        now = _start_time(pid)
        # pids are reused (only 32,768 of them on many systems): same pid, other process
        return now is None or now == started
    return True


def claim_is_stale(claimed_by: str | None, claimed_at: datetime | None, *, me: str, lease_seconds: float,
                   now: datetime | None = None) -> bool:
    """A claim is stale when its worker is gone: same host and the pid no longer runs, or
    the lease has run out (another host, or a hung process)."""
    if claimed_by == me:
        return False
    if not claimed_by:
        return True
    now = now or _now()
    at = _utc(claimed_at)
    if at is None or (now - at).total_seconds() > lease_seconds:
        return True
    host, _, rest = claimed_by.partition(":")
    parts = rest.split(":")
    pid_text = parts[0]
    started = parts[1] if len(parts) >= 3 else None  # names without a start time: pid only
    if host == socket.gethostname() and pid_text.isdigit():
        pid = int(pid_text)
        return pid != os.getpid() and not _pid_alive(pid, started)
    return False


class Connections:
    """Open connectors, one per (config, side), shared by every correction that targets them."""

    def __init__(self, store: Store, config: RunConfig | None,
                 config_for: Callable[[int | None], RunConfig] | None):
        self.store, self.config, self.config_for = store, config, config_for
        self._configs: dict[int | None, RunConfig] = {}
        self._sources: dict[tuple[str, str], Source] = {}
        self.errors: dict[tuple[int | None, str], str] = {}

    def config_of(self, run_id: int | None) -> RunConfig:
        if self.config is not None:
            return self.config
        if run_id not in self._configs:
            if self.config_for is not None:
                self._configs[run_id] = self.config_for(run_id)
            else:
                with self.store.session() as s:
                    run = s.get(Run, run_id) if run_id is not None else None
                    if run is None or not run.config:
                        raise ConfigError(f"run {run_id} has no stored config to push with; "
                                          "give the run config explicitly (--config FILE)")
                    raw, path = run.config, run.config_path
                    _check_config_proven(s, run)
                base = Path(path).parent if path else None
                self._configs[run_id] = from_dict(raw, path=Path(path) if path else None, base_dir=base)
        return self._configs[run_id]

    def source(self, run_id: int | None, side: str) -> Source:
        """The connector for a run's side; raises WorkbenchError (one line) when it cannot open."""
        if (run_id, side) in self.errors:
            raise ConfigError(self.errors[(run_id, side)])
        try:
            cfg = self.config_of(run_id)
            key = (json.dumps(cfg.side(side), sort_keys=True, default=str), side)
            if key not in self._sources:
                self._sources[key] = open_source(side, cfg)
            return self._sources[key]
        except WorkbenchError as exc:
            self.errors[(run_id, side)] = exc.one_line()
            raise
        except Exception as exc:  # a connector that cannot start: say so, keep the rest going
            msg = f"cannot open the {side.upper()} connector for run {run_id}: {type(exc).__name__}: {exc}"
            self.errors[(run_id, side)] = " ".join(msg.split())
            raise ConfigError(self.errors[(run_id, side)]) from exc

    def close(self) -> None:
        for src in self._sources.values():
            try:
                src.close()
            except Exception:
                pass
        self._sources.clear()


def _check_config_proven(s: Session, run: Run) -> None:
    """The stored config decides where a write goes (which tenant, company, field): one edited in the
    store since the run (its digest differs from the run.completed event's) is not pushed with.
    Runs recorded before the event carried the digest are not compared."""
    done = s.execute(select(AuditEvent.id, AuditEvent.detail).where(
        AuditEvent.entity_type == "run", AuditEvent.entity_id == str(run.id), AuditEvent.action == "run.completed")
        .order_by(AuditEvent.id.desc()).limit(1)).first()
    if done is None:
        return
    proven = (done.detail or {}).get("config")
    if proven is not None and coverage.json_digest(run.config) != proven:
        raise ConfigError(f"run {run.id}'s stored config is not the one the audit trail proves (event {done.id}): "
                          "it was edited outside the workbench, so nothing is pushed with it; give the config "
                          "explicitly (--config FILE) and see: workbench audit verify")


def typed(c: Correction, value: Any) -> Any:
    try:
        return parse_value(canonical_kind(c.target_object), c.field, value)
    except WorkbenchError:
        return value


def write_request(c: Correction) -> WriteRequest:
    return WriteRequest(correction_id=c.id, idempotency_key=c.idempotency_key, object=c.target_object,
                        record_id=c.target_record, field=c.field, old_value=typed(c, c.from_value),
                        new_value=typed(c, c.to_value), seen_version=c.seen_version)




def write_requests(c: Correction) -> list[WriteRequest]:
    """One request per field, all for the same record and correction: a connector that writes
    per record (Salesforce's Composite PATCH) sends them as one write. Only the first carries
    the version seen, so a connector that checks it per request (Business Central's If-Match)
    does not take the correction's own first write for someone else's change; the others are
    compared by value before they are written."""
    first = write_request(c)
    kind = canonical_kind(c.target_object)
    rest = [WriteRequest(correction_id=c.id, idempotency_key=f"{c.idempotency_key}.{n}", object=c.target_object,
                         record_id=c.target_record, field=f_, old_value=_typed(kind, f_, was),
                         new_value=_typed(kind, f_, to), seen_version=None)
            for n, (f_, was, to) in enumerate(field_changes(c)[1:], start=1)]
    return [first, *rest]


def _typed(kind: str | None, fld: str, value: Any) -> Any:
    try:
        return parse_value(kind, fld, value)
    except WorkbenchError:
        return value


@dataclass
class CompoundResult(WriteResult):
    """The answer for a correction of several fields: the worst of its fields' answers, each kept."""
    parts: list[tuple[str, WriteResult]] = field(default_factory=list)


_WORST = ("permanent", "conflict", "transient", "applied", "already_applied")


def combine(reqs: list[WriteRequest], results: list[WriteResult]) -> WriteResult:
    """One correction's answer from its fields' answers: written only when every field is
    (already) there; otherwise the worst outcome, naming the fields it concerns."""
    if len(reqs) == 1:
        return results[0]
    parts = [(q.field, r) for q, r in zip(reqs, results)]
    worst = min((r for _, r in parts), key=lambda r: _WORST.index(r.outcome) if r.outcome in _WORST else 0)
    words = [" ".join((r.message or r.outcome).split()) for _, r in parts]
    if len(set(words)) == 1:  # one answer for the record's one write: said once, for every field
        msg = f"{', '.join(f_ for f_, _ in parts)}: {words[0]}"
    else:
        msg = "; ".join(f"{f_}: {w}" for (f_, _), w in zip(parts, words))
    done = worst.outcome in ("applied", "already_applied")
    written = [f_ for f_, r in parts if r.outcome == "applied"]
    if written and not done:
        # A connector that writes field by field (a REST profile) may have written some before
        # refusing another: say so first, or a dead letter reads as "nothing changed".
        rest = [f_ for f_, r in parts if r.outcome not in ("applied", "already_applied")]
        msg = f"partly written ({', '.join(written)} written; {', '.join(rest)} not): {msg}"
    elif not done and "nothing written" not in msg:  # a connector that writes the record whole: the trail says so
        msg = f"nothing written: {msg}"
    return CompoundResult(
        correction_id=worst.correction_id, outcome=worst.outcome, message=msg,
        response_id=next((r.response_id for _, r in parts if r.response_id), None),
        current_value=None if done else worst.current_value,
        new_version=next((r.new_version for _, r in reversed(parts) if r.new_version), None),
        retry_after=max((r.retry_after or 0 for _, r in parts), default=0) or None, parts=parts)


# ---------------------------------------------------------------- recording outcomes


def _reopen(s: Session, c: Correction, actor: str, why: str) -> None:
    from workbench.corrections.exception_status import set_exception_status
    if c.exception_id is None:
        return
    exc = s.get(ExceptionRow, c.exception_id)
    if exc is not None and exc.status not in (ExceptionStatus.WAIVED, ExceptionStatus.RESOLVED):
        set_exception_status(s, exc, ExceptionStatus.REOPENED, actor=actor, reason=why, detail={"correction_id": c.id})


def record_result(s: Session, c: Correction, r: WriteResult, *, actor: str, max_attempts: int, backoff: Backoff,
                  report_: PushReport) -> None:
    """Apply one connector answer to its claimed correction (in the caller's transaction).
    Raises StaleState (nothing written) if the claim was taken over meanwhile."""
    now = _now()
    msg = " ".join((r.message or "").split())
    detail: dict[str, Any] = {"outcome": r.outcome, "message": msg or None, "attempt": c.attempts,
                              "response_id": r.response_id, "worker": c.claimed_by}
    if isinstance(r, CompoundResult):  # each field's own answer, so a half-written record is on record
        detail["fields"] = [{"field": f_, "outcome": p.outcome, "message": " ".join((p.message or "").split()) or None}
                            for f_, p in r.parts]
    if r.outcome in ("applied", "already_applied"):
        detail.update(wrote=r.outcome == "applied", new_version=r.new_version)
        lifecycle.transition(s, c, CorrectionState.APPLIED, actor=actor,
                             reason=None if r.outcome == "applied" else "the record already held the new value; "
                                                                          "nothing written",
                             detail=detail, changes={"response_id": r.response_id, "pushed_at": now,
                                                     "last_error": None})
        report_.add(r.outcome)
        state = CorrectionState.APPLIED
    elif r.outcome == "conflict":
        current, seen, what = r.current_value, c.from_value, ""
        if isinstance(r, CompoundResult):  # name the field someone changed, with what the approver saw of it
            saw = {f_: was for f_, was, _ in field_changes(c)}
            kind = canonical_kind(c.target_object)
            clashes = [(f_, p) for f_, p in r.parts if p.outcome == "conflict"] or [(c.field, r)]
            # a field held back with the one someone changed still holds what the approver saw: not that one
            odd, part = next(((f_, p) for f_, p in clashes if not same(kind, f_, p.current_value, saw.get(f_))),
                             clashes[0])
            seen, current = saw.get(odd, c.from_value), part.current_value
            what = f" {odd}"
        if msg and same(canonical_kind(c.target_object), what.strip() or c.field, current, seen):
            # the value is still the one approved over: the record changed elsewhere (its version moved)
            why = f"changed in {c.target_system} since approval: {msg}"
        else:
            why = (f"changed in {c.target_system} since approval:{what} approved over "
                   f"{_show(seen)}, it now holds {_show(current)}" + (f" ({msg})" if msg else ""))
        detail.update(seen=seen, current=current, seen_version=c.seen_version, current_version=r.new_version)
        lifecycle.transition(s, c, CorrectionState.CONFLICT, actor=actor, reason=why, detail=detail,
                             changes={"last_error": why})
        _reopen(s, c, actor, f"correction {c.id} not written: {why}")
        report_.add("conflict")
        state = CorrectionState.CONFLICT
    elif r.outcome == "transient":
        why = msg or "temporary failure"
        lifecycle.transition(s, c, CorrectionState.FAILED, actor=actor, reason=why, detail=detail,
                             changes={"last_error": why})
        if c.attempts >= max_attempts:
            lifecycle.transition(s, c, CorrectionState.DEAD_LETTER, actor=actor,
                                 reason=f"gave up after {c.attempts} attempts: {why}",
                                 detail={"attempts": c.attempts})
            _reopen(s, c, actor, f"correction {c.id} could not be written: {why}")
            report_.add("dead_letter")
            state = CorrectionState.DEAD_LETTER
        else:
            retry_after = getattr(r, "retry_after", None)
            when = now + timedelta(seconds=backoff.delay(c.attempts, retry_after))
            lifecycle.transition(s, c, CorrectionState.QUEUED, actor=actor, reason="retry after a temporary failure",
                                 detail={"retry_at": when, "retry_after": retry_after, "attempts": c.attempts},
                                 changes={"next_attempt_at": when})
            report_.add("retried")
            state = CorrectionState.QUEUED
    else:  # permanent, or an answer the connector should never give
        why = msg or f"the connector answered {r.outcome!r}"
        lifecycle.transition(s, c, CorrectionState.FAILED, actor=actor, reason=why, detail=detail,
                             changes={"last_error": why})
        lifecycle.transition(s, c, CorrectionState.DEAD_LETTER, actor=actor, reason=why,
                             detail={"attempts": c.attempts})
        _reopen(s, c, actor, f"correction {c.id} was refused by {c.target_system}: {why}")
        report_.add("dead_letter")
        state = CorrectionState.DEAD_LETTER
    report_.results.append({"correction_id": c.id, "outcome": r.outcome, "state": state, "message": msg,
                            "response_id": r.response_id, "attempts": c.attempts,
                            "current_value": _show(r.current_value) if r.outcome == "conflict" else None})


def _show(v: Any) -> str:
    from workbench.corrections.values import display
    return "(empty)" if v is None or v == "" else display(v)


# ---------------------------------------------------------------- recovery


def recover_stale(store: Store, conns: Connections, actor: str, *, me: str, lease_seconds: float,
                  report_: PushReport, grace: float = 5.0) -> list[int]:
    """Resolve corrections left ``pushing`` by a worker that is gone, by reading the target.
    Returns the ids found applied (their write had landed), for verification."""
    with store.session() as s:
        rows = list(s.execute(select(Correction.id, Correction.claimed_by, Correction.claimed_at)
                              .where(Correction.state == CorrectionState.PUSHING)))
    stale = [r.id for r in rows if claim_is_stale(r.claimed_by, r.claimed_at, me=me, lease_seconds=lease_seconds)]
    if not stale:
        return []
    with store.session() as s:
        corrs = list(s.execute(select(Correction).where(Correction.id.in_(stale))).scalars())
        groups: dict[tuple[int | None, str, str], list[Correction]] = {}
        for c in corrs:
            groups.setdefault((c.run_id, c.target_side, c.target_object), []).append(c)
        current: dict[int, tuple[bool, dict[str, Any]]] = {}
        for (run_id, side, obj), cs in groups.items():
            try:
                src = conns.source(run_id, side)
                fields = sorted({f_ for c in cs for f_, _, _ in field_changes(c)})
                got = src.read_current(obj, sorted({c.target_record for c in cs}), fields)
            except WorkbenchError as exc:
                report_.errors.append(f"cannot check {len(cs)} interrupted correction(s) on "
                                      f"{side.upper()} {obj}: {exc.one_line()}; they stay pushing")
                continue
            for c in cs:
                rec = by_id(got, c.target_record)
                current[c.id] = (rec is not None, {f_: (rec or {}).get(f_) for f_, _, _ in field_changes(c)})
    landed = []
    for c_id, (found, values) in current.items():
        try:
            with store.session() as s:
                c = s.execute(select(Correction).where(Correction.id == c_id).with_for_update()).scalar_one()
                if c.state != CorrectionState.PUSHING or not claim_is_stale(c.claimed_by, c.claimed_at, me=me,
                                                              lease_seconds=lease_seconds):
                    continue  # someone else resolved it meanwhile
                kind = canonical_kind(c.target_object)
                detail = {"recovered_from_claim": c.claimed_by, "claimed_at": c.claimed_at,
                          "current": values.get(c.field), "attempt": c.attempts}
                if c.also:
                    detail["current_fields"] = values
                try:
                    _resolve_interrupted(s, c, actor, found, values, kind, detail, report_, grace)
                except StaleState:
                    continue
                if c.state == CorrectionState.APPLIED:
                    landed.append(c.id)
        except PeriodLocked as exc:
            # its period was certified after the write was sent: nothing of it is recorded (the
            # transaction rolls back whole); the first push after the reopen reads its target again
            report_.errors.append(f"correction {c_id} stays pushing: {exc}")
    return landed


def _resolve_interrupted(s: Session, c: Correction, actor: str, found: bool, values: dict[str, Any],
                         kind: str | None, detail: dict[str, Any], report_: PushReport, grace: float) -> None:
    fields = field_changes(c)
    new = [same(kind, f_, values.get(f_), to) for f_, _, to in fields]
    # each field holding its old or its new value: whatever landed is found by the next
    # attempt's compare-before-write (already there), the rest is written then
    old_or_new = [n or same(kind, f_, values.get(f_), was) for n, (f_, was, _) in zip(new, fields)]
    odd = next((f_ for ok, (f_, _, _) in zip(old_or_new, fields) if not ok), c.field)
    value, was_seen = values.get(odd), next((was for f_, was, _ in fields if f_ == odd), c.from_value)
    if not found:
        why = f"the {c.target_system} record {c.target_record} no longer exists"
        lifecycle.transition(s, c, CorrectionState.FAILED, actor=actor, reason=why, detail=detail,
                             changes={"last_error": why})
        lifecycle.transition(s, c, CorrectionState.DEAD_LETTER, actor=actor, reason=why)
        _reopen(s, c, actor, f"correction {c.id}: {why}")
        report_.add("dead_letter")
    elif all(new):
        lifecycle.transition(s, c, CorrectionState.APPLIED, actor=actor,
                             reason="interrupted push: the target holds the new value",
                             detail=detail, changes={"pushed_at": _now(), "last_error": None})
        report_.add("recovered_applied")
    elif all(old_or_new):
        # The dead worker's last request may still be on its way into the system: hold the retry
        # back a little so such a write lands (and is then found, not repeated) before we send.
        when = _now() + timedelta(seconds=grace)
        lifecycle.transition(s, c, CorrectionState.QUEUED, actor=actor,
                             reason="interrupted push: the target still holds the old value; queued again",
                             detail={**detail, "retry_at": when},
                             changes={"claimed_by": None, "claimed_at": None, "next_attempt_at": when})
        report_.add("recovered_requeued")
    else:
        what = f" {odd}" if c.also else ""
        why = (f"changed in {c.target_system} since approval:{what} approved over {_show(was_seen)}, "
               f"it now holds {_show(value)}")
        lifecycle.transition(s, c, CorrectionState.CONFLICT, actor=actor, reason=why, detail={**detail,
                             "seen": was_seen},
                             changes={"last_error": why})
        _reopen(s, c, actor, f"correction {c.id} not written: {why}")
        report_.add("recovered_conflict")


# ---------------------------------------------------------------- the push loop


def enqueue(store: Store, actor: str, ids: list[int] | None = None, refused: dict[int, str] | None = None,
            held: set[str] | None = None) -> int:
    """approved → queued for every approved correction (or the given ones) whose approval the
    audit trail proves; the others stay as they are, with the reason in ``refused``. Those of a
    certified period stay approved, the reason added to ``held``."""
    refused = {} if refused is None else refused
    q = select(Correction).where(Correction.state == CorrectionState.APPROVED).order_by(Correction.id)
    if ids:
        q = q.where(Correction.id.in_(ids))
    with store.session() as s:
        rows = list(s.execute(q.with_for_update(skip_locked=True)).scalars())
        by_csv = csv_route_ids(s, rows)  # a side that cannot be written: exported, never pushed
        refused.update(refusals(s, [c for c in rows if c.id not in by_csv], actor))
        n = 0
        for c in rows:
            if c.id in refused or c.id in by_csv:
                continue
            try:
                lifecycle.transition(s, c, CorrectionState.QUEUED, actor=actor, reason="approved; waiting to be pushed",
                                     changes={"next_attempt_at": None})
                n += 1
            except StaleState:
                continue  # another worker queued it (or someone waived it) first
            except PeriodLocked as exc:
                if held is not None:
                    held.add(str(exc))
        return n


def refusals(s: Session, rows: list[Correction], actor: str, *, record: bool = True) -> dict[int, str]:
    """Why each of ``rows`` must not be sent now (only those refused): its approval is not
    proven by the trail, its exception was settled meanwhile (it is waived), its approver can no
    longer approve (held: said once in the trail), or an older correction changes the same field
    of the same record. ``record=False`` only says so, changing nothing (the CSV export: a
    correction exported and awaiting the loader's results must keep that as its last event)."""
    out = approval_refusals(s, rows)
    rest = [c for c in rows if c.id not in out]
    out.update(settled_refusals(s, rest, actor=actor, waive=record))
    rest = [c for c in rest if c.id not in out]
    out.update(standing_refusals(s, rest, actor=actor, hold=record))
    out.update(duplicate_refusals(s, [c for c in rest if c.id not in out]))
    return out


def _due(now: datetime, refused: dict[int, str] | None = None) -> ColumnElement[bool]:
    due = (Correction.state == CorrectionState.QUEUED) & (
        Correction.next_attempt_at.is_(None) | (Correction.next_attempt_at <= now))
    return due & Correction.id.notin_(list(refused)) if refused else due


def claim(store: Store, me: str, actor: str, group: Group, limit: int, ids: list[int] | None = None,
          refused: dict[int, str] | None = None) -> list[int]:
    """Claim up to ``limit`` due corrections of one target group; committed before any write.
    A correction whose approval the audit trail does not prove is not claimed (``refused``)."""
    run_id, side, system, obj = group
    refused = {} if refused is None else refused
    now = _now()
    for _ in range(10):  # lost every candidate to another worker: look again
        q = (select(Correction).where(_due(now, refused), Correction.target_side == side,
                                      Correction.target_system == system, Correction.target_object == obj,
                                      Correction.run_id.is_(None) if run_id is None else Correction.run_id == run_id)
             .order_by(Correction.id).limit(limit).with_for_update(skip_locked=True))
        if ids:
            q = q.where(Correction.id.in_(ids))
        with store.session() as s:
            mine, seen = [], 0
            rows = list(s.execute(q).scalars())
            tampered = tamper_refusal(s) if rows else None
            if tampered:  # found since the push began (its check, or the last batch): nothing more is sent
                raise TrailBroken(f"push stopped: {tampered}; see: workbench audit verify")
            refused.update(refusals(s, rows, actor))
            for c in rows:
                seen += 1
                if c.id in refused:
                    continue
                attempt = (c.attempts or 0) + 1
                try:
                    lifecycle.transition(s, c, CorrectionState.PUSHING, actor=actor, detail={"worker": me,
                                         "attempt": attempt},
                                         changes={"claimed_by": me, "claimed_at": now, "attempts": attempt})
                except StaleState:
                    continue  # claimed by another worker between our read and our write
                mine.append(c.id)
        if mine or not seen:
            return mine
    return []


def _groups(store: Store, ids: list[int] | None, skip: set[Group], refused: dict[int, str]) -> list[Group]:
    q = (select(Correction.run_id, Correction.target_side, Correction.target_system, Correction.target_object)
         .where(_due(_now(), refused)).distinct())
    if ids:
        q = q.where(Correction.id.in_(ids))
    with store.session() as s:
        groups = [(r[0], r[1], r[2], r[3]) for r in s.execute(q)]
    return [g for g in groups if g not in skip]


def _pending(store: Store, ids: list[int] | None, refused: dict[int, str] | None = None
             ) -> tuple[int, datetime | None]:
    q = select(func.count(), func.min(Correction.next_attempt_at)).where(Correction.state == CorrectionState.QUEUED)
    if refused:
        q = q.where(Correction.id.notin_(list(refused)))
    if ids:
        q = q.where(Correction.id.in_(ids))
    with store.session() as s:
        n, first = s.execute(q).one()
    return int(n or 0), _utc(first)


def _sleep_until(when: datetime, state: TaskState | None) -> None:
    # short naps so a cancel is honoured within a fraction of a second
    while True:
        check_cancelled(state)
        left = (when - _now()).total_seconds()
        if left <= 0:
            return
        time.sleep(min(left, 0.2))


def run_push(store: Store, actor: str, *, config: RunConfig | None = None,
             config_for: Callable[[int | None], RunConfig] | None = None, state: TaskState | None = None,
             max_attempts: int = 5, backoff: Backoff | None = None, wait: bool = True, batch_size: int = 200,
             verify: bool = True, worker: str | None = None, lease_seconds: float = 900.0,
             ids: list[int] | None = None, recovery_grace: float = 5.0) -> PushReport:
    """Drain the outbox (or just ``ids``): recover stale claims, enqueue approved corrections,
    then claim → write → record, batch by batch, until nothing is due; with ``wait`` it
    also waits for scheduled retries. Raises Cancelled between batches if asked to stop
    (every batch already sent is fully recorded)."""
    from workbench.corrections.verify import verify_corrections
    started = time.perf_counter()
    me = worker or worker_name()
    backoff = backoff or Backoff()
    rep = PushReport()
    conns = Connections(store, config, config_for)
    touched: list[int] = []
    refused: dict[int, str] = {}
    broken = trail_refusal(store, ids)
    if broken:  # checked before anything is written: a new event would chain onto the altered trail
        raise TrailBroken(f"nothing pushed: the audit trail that proves the approvals does not hold: {broken}; "
                          "see: workbench audit verify")
    try:
        touched.extend(recover_stale(store, conns, actor, me=me, lease_seconds=lease_seconds, report_=rep,
                                     grace=recovery_grace))
        if verify:
            unverified = [i for i in _unverified(store, ids, me=me, lease_seconds=lease_seconds) if i not in touched]
            rep.resumed = len(unverified)
            touched.extend(unverified)
        held: set[str] = set()
        enqueue(store, actor, ids, refused, held)
        rep.errors.extend(f"not pushed: {why}" for why in sorted(held))
        total, _ = _pending(store, ids, refused)
        done = 0
        skip: set[Group] = set()
        report(state, 0, total, "pushing corrections")
        while True:
            groups = _groups(store, ids, skip, refused)
            if not groups:
                n, first = _pending(store, ids, refused)
                if wait and n and first is not None and not _only_skipped(store, ids, skip, refused):
                    _sleep_until(first, state)  # returns at once when the retry is already due
                    continue
                break
            progressed = False
            for group in groups:
                run_id, side, system, obj = group
                locked = locked_reason(store, run_id)  # a certified period's corrections wait, unsent
                if locked:
                    skip.add(group)
                    rep.errors.append(f"{side.upper()} {system} {obj}: not pushed: {locked}")
                    continue
                try:
                    src = conns.source(run_id, side)
                except WorkbenchError as exc:
                    skip.add(group)
                    rep.errors.append(f"{side.upper()} {system} {obj}: {exc.one_line()}")
                    continue
                while True:
                    check_cancelled(state)
                    try:
                        claimed = claim(store, me, actor, group, batch_size, ids, refused)
                    except PeriodLocked as exc:  # certified since the check above: nothing claimed
                        skip.add(group)
                        rep.errors.append(f"{side.upper()} {system} {obj}: not pushed: {exc}")
                        break
                    if not claimed:
                        break
                    progressed = True
                    with store.session() as s:
                        reqs = [w for c in s.execute(select(Correction).where(Correction.id.in_(claimed))
                                                     .order_by(Correction.id)).scalars() for w in write_requests(c)]
                    results = _send(src, reqs)
                    rep.requests += 1
                    if _record(store, me, actor, reqs, results, max_attempts, backoff, rep):
                        touched.extend(r.correction_id for r in results
                                       if r.outcome in ("applied", "already_applied"))
                    done += len(results)
                    report(state, done, max(total, done), f"pushed {done} of {max(total, done)}")
            if not progressed:
                break  # what is due is claimed by another worker right now
        rep.pending, _ = _pending(store, ids, refused)
        rep.refused = [refused[i] for i in sorted(refused)]
        if verify and touched:
            rep.verified = verify_corrections(store, actor, _of_open_periods(store, touched, rep), conns)
    finally:
        conns.close()
        rep.seconds = time.perf_counter() - started
    return rep


def _of_open_periods(store: Store, ids: list[int], rep: PushReport) -> list[int]:
    """The applied corrections whose verdict may be recorded: a certified period's exceptions
    cannot change status, so its corrections stay unverified (the first push after the reopen
    verifies them, see _unverified), the report saying so."""
    runs: dict[int, int | None] = {}
    with store.session() as s:
        for part in chunks(ids):  # IN lists within every database's parameter limit
            q = select(Correction.id, Correction.run_id).where(Correction.id.in_(part))
            runs.update(s.execute(q).all())  # rows of (id, run): pairs, as dict.update takes them
    locked = {run: locked_reason(store, run) for run in set(runs.values())}
    held: dict[str, int] = {}
    kept = []
    for i in ids:
        why = locked.get(runs.get(i))
        if why:
            held[why] = held.get(why, 0) + 1
        else:
            kept.append(i)
    rep.errors.extend(f"{n} applied correction(s) not verified: {why}" for why, n in sorted(held.items()))
    return kept


def _unverified(store: Store, ids: list[int] | None, *, me: str, lease_seconds: float) -> list[int]:
    """Applied corrections never verified by a push that is gone: it stopped (killed, crashed)
    between writing and verifying. Verifying them now lets their exceptions leave in_review.
    Those of a push still running are left to it."""
    q = (select(Correction.id, Correction.claimed_by, Correction.claimed_at)
         .where(Correction.state == CorrectionState.APPLIED, Correction.verification.is_(None)).order_by(Correction.id))
    if ids:
        q = q.where(Correction.id.in_(ids))
    with store.session() as s:
        rows = list(s.execute(q))
    return [r.id for r in rows if claim_is_stale(r.claimed_by, r.claimed_at, me=me, lease_seconds=lease_seconds)]


def _only_skipped(store: Store, ids: list[int] | None, skip: set[Group], refused: dict[int, str]) -> bool:
    q = (select(Correction.run_id, Correction.target_side, Correction.target_system, Correction.target_object)
         .where(Correction.state == CorrectionState.QUEUED).distinct())
    if refused:
        q = q.where(Correction.id.notin_(list(refused)))
    if ids:
        q = q.where(Correction.id.in_(ids))
    with store.session() as s:
        return all(tuple(r) in skip for r in s.execute(q))


def _send(src: Source, reqs: list[WriteRequest]) -> list[WriteResult]:
    """Call the connector; a failure of the whole call is a transient failure of each request
    (the next attempt's compare-before-write finds out whether it landed)."""
    try:
        results = list(src.push(reqs))
    except Cancelled:
        raise
    except WorkbenchError as exc:
        # A whole call refused: passing trouble when the connector says so (HTTP 429/5xx, limits,
        # locks), else a refusal a retry will not cure (a read-only source, a bad mapping).
        return [WriteResult(cid, "transient" if exc.transient else "permanent", exc.one_line())
                for cid in dict.fromkeys(r.correction_id for r in reqs)]
    except Exception as exc:
        msg = " ".join(f"{type(exc).__name__}: {exc}".split())[:500]
        # Network trouble may pass; anything else is a fault in the connector that a retry will
        # not cure: dead-letter it with the words, to replay once the connector is fixed.
        outcome = "transient" if _is_network_error(exc) else "permanent"
        if outcome == "permanent":
            msg = f"the connector failed: {msg}"
        return [WriteResult(cid, outcome, msg) for cid in dict.fromkeys(r.correction_id for r in reqs)]
    answers: dict[int, list[WriteResult]] = {}
    for r in results:
        answers.setdefault(r.correction_id, []).append(r)
    asked: dict[int, list[WriteRequest]] = {}
    for q in reqs:
        asked.setdefault(q.correction_id, []).append(q)
    out = []
    for cid, qs in asked.items():
        got = answers.get(cid, [])
        # a correction of several fields gets one answer per field, in the order asked
        silent = WriteResult(cid, "transient", "the connector gave no answer for this record")
        got = got + [silent] * (len(qs) - len(got))
        out.append(combine(qs, got[:len(qs)]))
    return out


def _is_network_error(exc: BaseException) -> bool:
    if isinstance(exc, (OSError, TimeoutError, ConnectionError)):
        return True
    return type(exc).__module__.split(".")[0] in ("requests", "httpx", "httpcore", "urllib3", "ssl")


def _record(store: Store, me: str, actor: str, reqs: list[WriteRequest], results: list[WriteResult],
            max_attempts: int, backoff: Backoff, rep: PushReport) -> bool:
    """Record a batch's answers; False (nothing recorded) when its period was certified while it
    was being sent: the batch stays pushing, and the first push after the reopen reads its targets
    (recover_stale) to record what landed."""
    try:
        _record_batch(store, me, actor, reqs, results, max_attempts, backoff, rep)
    except PeriodLocked as exc:
        ids = sorted({r.correction_id for r in results})
        rep.errors.append(f"correction {ids[0]}{f' and {len(ids) - 1} more' if len(ids) > 1 else ''} "
                          f"stay pushing: {exc}")
        return False
    return True


def _record_batch(store: Store, me: str, actor: str, reqs: list[WriteRequest], results: list[WriteResult],
                  max_attempts: int, backoff: Backoff, rep: PushReport) -> None:
    with store.session() as s:
        rows = {c.id: c for c in s.execute(select(Correction).where(
            Correction.id.in_([r.correction_id for r in reqs])).with_for_update()).scalars()}
        for r in results:
            c = rows.get(r.correction_id)
            if c is None or c.state != CorrectionState.PUSHING or c.claimed_by != me:
                continue  # a recovery took it over (our lease ran out); its re-read decided instead
            try:  # its first step is the compare-and-set, so a refusal leaves nothing written
                record_result(s, c, r, actor=actor, max_attempts=max_attempts, backoff=backoff, report_=rep)
            except StaleState:
                continue
