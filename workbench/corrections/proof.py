"""What the audit trail proves about corrections and exceptions, and where the tables disagree.

The tables say what state things are in; the trail says how they got there. Replaying each
correction's events (proposed → approved by whom → queued → pushing → applied → verified) and
each exception's status changes gives the state the trail proves; a table row that differs was
changed without an event. ``audit verify`` reports every such difference, and the pusher sends
nothing whose approval the trail does not prove (``approval_refusals``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from workbench.corrections.review_proof import check_review, status_change
from workbench.store import coverage
from workbench.store.chunks import chunks
from workbench.store.schema import AuditEvent, Correction, ExceptionRow, Run, RunSource
from workbench.team.identity import same_person
from workbench.close.proof import check_close
from workbench.team.user_proof import user_problems


def _same(a: Any, b: Any) -> bool:
    """Values as stored (JSON text in the table, JSON in the event) compared as JSON."""
    return _j(a) == _j(b)


def _j(v: Any) -> str:
    return json.dumps(v, sort_keys=True, default=str, ensure_ascii=False)


def _show(v: Any) -> str:
    return "(none)" if v is None else repr(v) if not isinstance(v, str) else f"'{v}'"


# ---------------------------------------------------------------- corrections


@dataclass
class ProvenCorrection:
    """A correction as its events tell it."""
    id: int
    state: str | None = None
    last_event: int | None = None
    preparer: str | None = None
    approver: str | None = None
    approval_event: int | None = None
    target: dict[str, Any] | None = None
    before: Any = None
    after: Any = None
    also: Any = None  # a compound correction's further changes as proposed
    exception_id: int | None = None
    run_id: int | None = None
    # the record's version the approver saw, which the conflict check sends (If-Match, write_date);
    # None when the proposal event predates carrying it
    seen_version: tuple[Any] | None = None
    verification: str | None = None
    reason: tuple[Any] | None = None  # the preparer's reason; None when the proposal event predates carrying it
    problems: list[str] = field(default_factory=list)


def _target_of(c: Correction) -> dict[str, Any]:
    return {"side": c.target_side, "system": c.target_system, "object": c.target_object, "record": c.target_record,
            "field": c.field}


def replay_correction(cid: int, events: Iterable[AuditEvent]) -> ProvenCorrection:
    p = ProvenCorrection(cid)
    for ev in events:
        d = ev.detail or {}
        if ev.action == "correction.verified":
            p.verification = d.get("verification")
            continue
        if ev.action == "correction.proposed":
            if p.state is not None:
                p.problems.append(f"correction {cid}: event {ev.id} proposes it again after event {p.last_event}")
            p.state, p.last_event, p.preparer = "proposed", ev.id, ev.actor
            p.target, p.before, p.after, p.exception_id = d.get("target"), d.get("before"), d.get("after"), \
                d.get("exception_id")
            p.also, p.run_id = d.get("also"), ev.run_id
            p.seen_version = (d["seen_version"],) if "seen_version" in d else None
            p.reason = (d["reason"],) if "reason" in d else None
            continue
        if p.state is None:
            p.problems.append(f"correction {cid}: event {ev.id} ({ev.action}) comes before any proposal")
        elif d.get("state_before") != p.state:
            p.problems.append(f"correction {cid}: event {ev.id} ({ev.action}) starts from "
                              f"{_show(d.get('state_before'))} but the trail had it {p.state} (event {p.last_event}): "
                              "its state was changed without an event in between")
        if p.target is not None and not (_same(d.get("target"), p.target) and _same(d.get("before"), p.before)
                                         and _same(d.get("after"), p.after) and _same(d.get("also"), p.also)):
            p.problems.append(f"correction {cid}: event {ev.id} ({ev.action}) carries the value "
                              f"{_show(d.get('after'))} for {_show((d.get('target') or {}).get('field'))}, "
                              f"it was proposed as {_show(p.after)} for {_show(p.target.get('field'))}: "
                              "the correction was changed without an event")
        p.state, p.last_event = d.get("state_after", ev.action.removeprefix("correction.")), ev.id
        if p.state == "approved":
            p.approver, p.approval_event = d.get("approver") or ev.actor, ev.id
    return p


def _events_by_entity(session: Session, entity_type: str, ids: Iterable[object] | None = None
                      ) -> dict[str, list[AuditEvent]]:
    q = select(AuditEvent).where(AuditEvent.entity_type == entity_type).order_by(AuditEvent.id)
    out: dict[str, list[AuditEvent]] = {}
    if ids is None:
        for ev in session.execute(q).scalars():
            out.setdefault(str(ev.entity_id), []).append(ev)
        return out
    keys = [str(i) for i in ids]
    for part in chunks(keys):  # IN lists within every database's parameter limit
        for ev in session.execute(q.where(AuditEvent.entity_id.in_(part))).scalars():
            out.setdefault(str(ev.entity_id), []).append(ev)
    return out


def correction_mismatches(c: Correction, p: ProvenCorrection) -> list[str]:
    """Each column of the row that differs from what the trail proves, named with both values."""
    if p.state is None:
        return [f"correction {c.id} has no proposal in the audit trail: it was created outside the workbench"]
    out = list(p.problems)
    where = f"correction {c.id}: the table says"
    if c.state != p.state:
        out.append(f"{where} state {_show(c.state)}, the trail proves {_show(p.state)} (event {p.last_event})")
    if c.approver != p.approver:
        proven = f"approved by {_show(p.approver)} (event {p.approval_event})" if p.approver else "no approval"
        out.append(f"{where} approver {_show(c.approver)}, the trail proves {proven}")
    if c.preparer != p.preparer:
        out.append(f"{where} preparer {_show(c.preparer)}, the trail proves {_show(p.preparer)}")
    if not (_same(_target_of(c), p.target) and _same(c.from_value, p.before) and _same(c.to_value, p.after)):
        out.append(f"{where} {c.target_side} {c.target_record} {c.field}: {_show(c.from_value)} → "
                   f"{_show(c.to_value)}, the trail proves {(p.target or {}).get('record')} "
                   f"{(p.target or {}).get('field')}: {_show(p.before)} → {_show(p.after)}")
    if p.seen_version is not None and c.seen_version != p.seen_version[0]:
        out.append(f"{where} the record's version seen at approval {_show(c.seen_version)}, the trail proves "
                   f"{_show(p.seen_version[0])}")
    if p.reason is not None and c.reason != p.reason[0]:
        out.append(f"{where} the preparer's reason {_show(c.reason)}, the trail proves {_show(p.reason[0])}")
    if c.run_id != p.run_id:
        out.append(f"{where} run {c.run_id}, the trail proves run {p.run_id}")
    if not _same(c.also or None, p.also):
        out.append(f"{where} {c.target_side} {c.target_record} also changes {_show(c.also)}, the trail proves "
                   f"{_show(p.also)}")
    if c.exception_id != p.exception_id and c.exception_id is not None:
        out.append(f"{where} exception {c.exception_id}, the trail proves exception {p.exception_id}")
    if c.verification != p.verification:
        out.append(f"{where} verification {_show(c.verification)}, the trail proves {_show(p.verification)}")
    return out


def approval_refusals(session: Session, rows: Iterable[Correction]) -> dict[int, str]:
    """Why each correction must not be sent (only those refused): its approval is not proven by
    the trail — an approval event by someone other than the proposer, for the value and target
    the row holds now — or the row differs from what the trail proves."""
    rows = list(rows)
    events = _events_by_entity(session, "correction", [c.id for c in rows])
    out: dict[int, str] = {}
    for c in rows:
        p = replay_correction(c.id, events.get(str(c.id), []))
        if p.approver is None:
            why = (f"the trail holds no approval of it (the trail has it {p.state})" if p.state
                   else "the trail holds no event for it")
        elif same_person(p.approver, p.preparer):  # as the approval itself compares them: "Carol " is carol
            why = f"the trail has it approved by {p.approver}, who proposed it (maker-checker)"
        else:
            bad = correction_mismatches(c, p)
            why = bad[0] if bad else ""
        if why:
            out[c.id] = f"correction {c.id} not pushed: its approval is not proven by the audit trail: {why}"
    return out


# ---------------------------------------------------------------- exceptions


@dataclass
class ProvenException:
    first: str | None = None  # the status before its first change
    status: str | None = None
    last_event: int | None = None
    problems: list[str] = field(default_factory=list)


def replay_exception(eid: str, events: Iterable[AuditEvent]) -> ProvenException:
    p = ProvenException()
    for ev in events:
        change = status_change(ev)
        if change is None:
            continue
        before, after = change
        if p.status is None:
            p.first = before
        elif before != p.status:
            p.problems.append(f"exception {eid}: event {ev.id} changes its status from {_show(before)} but the "
                              f"trail had it {p.status} (event {p.last_event}): its status was changed without "
                              "an event in between")
        p.status, p.last_event = after, ev.id
    return p


# ---------------------------------------------------------------- the whole store


@dataclass
class StateCheck:
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    corrections: int = 0
    exceptions: int = 0
    runs: int = 0


def check_store(session: Session) -> StateCheck:
    """Every correction, exception, run and user compared with what the trail proves."""
    out = StateCheck()
    by_corr = _events_by_entity(session, "correction")
    seen: set[str] = set()
    for c in session.execute(select(Correction).order_by(Correction.id)).scalars():
        out.corrections += 1
        seen.add(str(c.id))
        out.problems.extend(correction_mismatches(c, replay_correction(c.id, by_corr.get(str(c.id), []))))
    for cid in sorted(set(by_corr) - seen, key=_num):
        out.problems.append(f"correction {cid} is in the audit trail but not in the table: it was deleted "
                            "outside the workbench")

    by_exc = _events_by_entity(session, "exception")
    first_status: dict[int, dict[int, str]] = {}  # run -> exception -> its first status
    rows = session.execute(select(ExceptionRow.id, ExceptionRow.run_id, ExceptionRow.status)
                           .order_by(ExceptionRow.id))
    for eid, run_id, status in rows:
        out.exceptions += 1
        p = replay_exception(str(eid), by_exc.get(str(eid), []))
        out.problems.extend(p.problems)
        if p.status is not None:
            if status != p.status:
                out.problems.append(f"exception {eid}: the table says status {_show(status)}, the trail proves "
                                    f"{_show(p.status)} (event {p.last_event})")
            if p.first is not None:
                first_status.setdefault(run_id, {})[eid] = p.first

    out.problems.extend(user_problems(session))
    out.problems.extend(check_close(session))  # periods, sign-offs, carry-forwards, rates and thresholds
    by_run = _events_by_entity(session, "run")
    stored_at = {int(rid): done[-1].id for rid, evs in by_run.items() if rid.isdigit()
                 and (done := [e for e in evs if e.action == "run.completed"])}
    review = check_review(session, by_exc, stored_at)
    out.problems.extend(review.problems)
    if review.unrecorded:
        out.notes.append(f"{review.unrecorded} exception(s) were waived as immaterial by an event that does not "
                         "record the resolution it wrote: their resolution was not compared")
    sources: dict[int, list[RunSource]] = {}
    for src in session.execute(select(RunSource).order_by(RunSource.id)).scalars():
        sources.setdefault(src.run_id, []).append(src)
    legacy = []
    for run in session.execute(select(Run).order_by(Run.id)).scalars():
        out.runs += 1
        evs = by_run.get(str(run.id), [])
        done = [e for e in evs if e.action == "run.completed"]
        if not evs:
            out.problems.append(f"run {run.id} has no event in the audit trail: it was stored outside the workbench")
        elif run.status == "completed" and not done:
            out.problems.append(f"run {run.id}: the table says completed, the trail proves "
                                f"{evs[-1].action.removeprefix('run.')} (event {evs[-1].id})")
        elif done and run.status != "completed":
            out.problems.append(f"run {run.id}: the table says {run.status}, the trail proves completed "
                                f"(event {done[-1].id})")
        if done and (start := (done[-1].detail or {}).get("started_at")) is not None \
                and start != coverage.moment(run.started_at):
            # a later start makes the next re-run ask for changes from then: those in between would be missed
            out.problems.append(f"run {run.id}: the table says it started {coverage.moment(run.started_at)}, the "
                                f"trail proves {start} (event {done[-1].id})")
        if done:
            out.problems.extend(run_mismatches(run, done[-1], sources.get(run.id, [])))
            recorded = (done[-1].detail or {}).get("covered")
            if recorded is None:
                legacy.append(run.id)
            else:
                out.problems.extend(coverage.check_run(session, run.id, recorded, first_status.get(run.id)))
    if legacy:
        out.notes.append(f"{len(legacy)} run(s) stored before snapshots were covered by the trail "
                         f"(first: run {legacy[0]}): their snapshots and exceptions were not recomputed")
    return out


def run_mismatches(run: Run, done: AuditEvent, sources: list[RunSource]) -> list[str]:
    """Each column of the run row that differs from its completed event: who ran it, its name, the
    day balances were judged as of (the workbook's cover and every overdue status rest on it), and
    what each source delivered. Keys an older event lacks are not compared."""
    detail = done.detail or {}
    where, ev = f"run {run.id}: the table says", f"(event {done.id})"
    out = []
    if not same_person(run.user_name, done.actor):
        out.append(f"{where} it was run by {_show(run.user_name)}, the trail proves {_show(done.actor)} {ev}")
    if "name" in detail and run.name != detail["name"]:
        out.append(f"{where} name {_show(run.name)}, the trail proves {_show(detail['name'])} {ev}")
    if "as_of" in detail and (run.as_of.isoformat() if run.as_of else None) != detail["as_of"]:
        out.append(f"{where} as of {_show(run.as_of and run.as_of.isoformat())}, the trail proves "
                   f"{_show(detail['as_of'])} {ev}")
    if "period" in detail and run.period != detail["period"]:
        out.append(f"{where} period {_show(run.period)}, the trail proves {_show(detail['period'])} {ev}")
    for column in ("summary", "config"):  # digests: the JSON is too large to hold in an event
        if column in detail and coverage.json_digest(getattr(run, column)) != detail[column]:
            out.append(f"{where} a {column} ({'control totals and counts' if column == 'summary' else 'settings'}) "
                       f"other than the one the trail proves {ev}: it was edited outside the workbench")
    recorded = detail.get("sources")
    if isinstance(recorded, dict):
        for src in sources:
            proven = recorded.get(src.side)
            if not isinstance(proven, dict):
                out.append(f"{where} a {src.side} source the trail does not record {ev}")
                continue
            if src.content_hash != proven.get("hash"):
                out.append(f"{where} the {src.side} source's content hash {_show(src.content_hash)}, the trail "
                           f"proves {_show(proven.get('hash'))} {ev}")
            if not _same(src.row_counts, proven.get("rows")):
                out.append(f"{where} the {src.side} source delivered rows {_show(src.row_counts)}, the trail "
                           f"proves {_show(proven.get('rows'))} {ev}")
    return out


def _num(v: str) -> tuple[int, str]:
    return (int(v), "") if v.isdigit() else (0, v)
