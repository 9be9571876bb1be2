"""Reading and writing runs: the one place that knows how a run is laid out in the store.

A run is saved in one transaction (run, sources, snapshots with canonical records,
links, exceptions, an audit event): a failure or cancel leaves nothing half-stored,
only a failed/cancelled run row that says why.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from datetime import UTC, datetime
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from workbench import __version__
from workbench.store import bulk, coverage, snapshots, trail
from workbench.store.advisory import CARRY_LOCK
from workbench.config import RunConfig
from workbench.gc_pause import gc_paused
from workbench.jsonable import plain
from workbench.progress import TaskState
from workbench.reconcile.result import EXCEPTION_COLUMNS, LINK_COLUMNS, ReconResult
from workbench.sources.base import Extract, content_hash
from workbench.store.db import Store
from workbench.store.schema import (AuditEvent, CustomerLink, ExceptionRow, Run, RunSource)
from workbench.model.states import UNSETTLED, ExceptionStatus

EXCEPTION_STATE_COLUMNS = ["id", "run_id", "status", "assignee", "first_seen", "last_seen", "resolution", "version"]




def record_fail(store: Store, config: RunConfig, *, user: str, started_at: datetime, status: str,
                error: str) -> int:
    """Keep a trace of a run that did not complete (failed or cancelled), with its reason."""
    with store.session() as s:
        run = Run(name=config.name, status=status, started_at=started_at, finished_at=datetime.now(UTC),
                  as_of=config.as_of, period=config.period, user_name=user, config_path=str(config.path or ""),
                  config=config.public(), software_version=__version__, error=error)
        s.add(run)
        s.flush()
        trail.append(s, actor=user, action=f"run.{status}", entity_type="run", entity_id=run.id, run_id=run.id,
                     detail={"error": error})
        return run.id


def save_run(store: Store, config: RunConfig, crm: Extract, erp: Extract, result: ReconResult, *,
             user: str, started_at: datetime, summary: dict[str, Any], state: TaskState | None = None,
             raw: dict[str, snapshots.RawParts] | None = None,
             then: Callable[[Session, int], object] | None = None) -> int:
    """Store a completed run whole, in one transaction; ``raw``: per side, the raw records' parts when
    ``snapshots.take_raw`` took them out of the extract already; ``then(session, run id)``: what else is
    stored with the run, in the same transaction (its materiality waivers), after its completed event."""
    now = datetime.now(UTC)
    with store.session() as s:
        run = Run(name=config.name, status="completed", started_at=started_at, finished_at=now,
                  as_of=config.as_of, period=config.period, user_name=user, config_path=str(config.path or ""),
                  config=config.public(), summary=summary, software_version=__version__)
        s.add(run)
        s.flush()
        for ex in (crm, erp):
            m = ex.meta
            s.add(RunSource(run_id=run.id, side=m.side, system=m.system, connector=m.connector,
                            instance=m.instance, api_version=m.api_version, objects=m.objects, queries=m.queries,
                            extracted_at=m.extracted_at, incremental_since=m.incremental_since,
                            row_counts=m.row_counts, content_hash=m.content_hash, api_usage=plain(m.api_usage)))
        with snapshots.Saving(s, run.id, state) as saving:
            for side, parts in (raw or {}).items():  # stored first: their bytes go before the frames are built
                saving.add_raw(side, parts)
            for ex in (crm, erp):
                saving.add(ex)
            # while the last parts compress and are stored on saving's worker thread
            _save_links(s, run.id, result.links, state, saving.db)
            saved = _save_exceptions(s, run.id, result.exceptions, now, state, saving.db)
            stored = saving.finish()
        trail.append(s, actor=user, action="run.completed", entity_type="run", entity_id=run.id, run_id=run.id,
                     detail={"name": config.name, "as_of": config.as_of, "started_at": coverage.moment(started_at),
                             "sources": {ex.meta.side: {"system": ex.meta.system, "hash": ex.meta.content_hash,
                                                        "rows": ex.meta.row_counts} for ex in (crm, erp)},
                             "exceptions": int(len(result.exceptions)),
                             # the control totals and settings the workbook shows are the run row's: proven here
                             "period": config.period, "summary": coverage.json_digest(run.summary),
                             "config": coverage.json_digest(run.config),
                             "covered": coverage.covered(s, run.id, stored, saved)})
        if then is not None:
            then(s, run.id)
        return run.id


def _values(frame: pd.DataFrame, column: str) -> list[Any]:
    """The column's values, missing ones (``is_missing``: None, NaN, NA, NaT) as None."""
    values = frame[column].to_numpy(dtype=object)
    missing = pd.isna(values)
    if missing.any():
        values = values.copy()
        values[missing] = None
    out: list[Any] = values.tolist()
    return out


def _save_links(s: Session, run_id: int, links: pd.DataFrame, state: TaskState | None,
                lock: AbstractContextManager[Any]) -> None:
    if links is None or links.empty:
        return
    n = len(links)
    bulk.insert(s, CustomerLink.__table__, {  # type: ignore[arg-type]
        "run_id": [run_id] * n, "crm_id": _values(links, "crm_id"), "erp_id": _values(links, "erp_id"),
        "method": links["method"].tolist(),
        "confidence": [float(v or 0.0) for v in links["confidence"].tolist()],
        "evidence": links["evidence"].tolist(),
        "status": [v or "auto" for v in links["status"].tolist()], "version": [1] * n}, state, plain_json={"evidence"},
        lock=lock)


def lineage_of(name: str | None, config: dict[str, Any] | None) -> str:
    """Which reconciliation a run belongs to, as one digest: its name (``[run] name``, else the config file's)
    and what it reads, its ``[crm]`` and ``[erp]`` tables as written. Its runs share it whatever their rules,
    and whoever runs the config from wherever; another entity's runs in the same store do not."""
    return content_hash({"name": name, "crm": (config or {}).get("crm"), "erp": (config or {}).get("erp")})


def _completed_runs(s: Session) -> list[tuple[int, str | None, str]]:
    """(id, name, lineage) of every completed run, newest first; worked out once per session (a waiver of a
    thousand findings asks for each later copy's previous run)."""
    cached: list[tuple[int, str | None, str]] | None = s.info.get("completed_runs")
    if cached is None:
        cached = [(int(rid), name, lineage_of(name, cfg)) for rid, name, cfg in s.execute(
            select(Run.id, Run.name, Run.config).where(Run.status == "completed").order_by(Run.id.desc()))]
        s.info["completed_runs"] = cached
    return cached


def previous_run(s: Session, run_id: int) -> int | None:
    """The run a new run takes its findings' state from: the latest completed run before ``run_id`` of the same
    reconciliation (``lineage_of``: a store can hold several, e.g. one per entity, whose runs alternate); when
    there is none (the sources were changed, e.g. to this month's extract folder), the latest of the same name;
    else the latest completed run."""
    own = s.get(Run, run_id)
    if own is None:
        return None
    wanted = lineage_of(own.name, own.config)
    earlier = [(rid, name, lineage) for rid, name, lineage in _completed_runs(s) if rid < run_id]
    for match in (lambda name, lineage: lineage == wanted, lambda name, lineage: name == own.name,
                  lambda name, lineage: True):
        found = next((rid for rid, name, lineage in earlier if match(name, lineage)), None)
        if found is not None:
            return found
    return None


def _previous_state(s: Session, run_id: int) -> dict[str, dict[str, Any]]:
    """Status, assignee and first-seen of each exception of the run before ``run_id`` (``previous_run``;
    ``run_id`` is itself already "completed" in this transaction), by key: what a finding seen again
    carries forward (a waiver stands, a resolved one reopens)."""
    last_run = previous_run(s, run_id)
    if last_run is None:
        return {}
    out: dict[str, dict[str, Any]] = {}
    columns = bulk.read(s, ExceptionRow.__table__,  # type: ignore[arg-type]
                        ["key", "status", "assignee", "first_seen", "resolution"], last_run)
    for key, status, assignee, first_seen, resolution in zip(*columns, strict=True):
        out[key] = {"status": status, "assignee": assignee, "first_seen": first_seen, "resolution": resolution}
    return out


def _hold_carry_lock(s: Session, *, shared: bool) -> None:
    """On PostgreSQL, the advisory lock between a run's save, from reading the previous run's state to its
    commit, and a change carried to later runs (``carried_copies``). Without it, a change committed while a run
    is being saved is neither read by that save (it read the state before) nor finds the run to carry to (not
    committed yet). SQLite needs none: the save holds the database's write lock from its first insert."""
    if s.get_bind().dialect.name == "postgresql":
        s.execute(text(f"SELECT pg_advisory_xact_lock{'_shared' if shared else ''}({CARRY_LOCK})"))


def carried_copies(s: Session, exc: ExceptionRow, holds: Callable[[ExceptionRow], bool]) -> list[ExceptionRow]:
    """The same finding (by key) in the completed runs saved after ``exc``'s that carried it on, run to run
    (``previous_run``), for as long as each ``holds`` the state it carried forward (``_previous_state``): a
    change to ``exc``
    that reaches the store after a later run was saved from it (made while that run was being saved, or on
    a screen opened before) belongs on those copies too, or the latest run never shows it. A copy someone
    changed since is where the carrying ends: from there on, that change is what was carried."""
    _hold_carry_lock(s, shared=True)  # a run being saved now is waited for, then found here
    later = s.execute(select(ExceptionRow).join(Run, Run.id == ExceptionRow.run_id).where(
        ExceptionRow.key == exc.key, ExceptionRow.run_id > exc.run_id, Run.status == "completed")
        .order_by(ExceptionRow.run_id).with_for_update()).scalars()
    out: list[ExceptionRow] = []
    carriers = {exc.run_id}  # the runs that carry the change on: runs can branch (two saved from one)
    for row in later:
        if previous_run(s, row.run_id) not in carriers:
            continue  # a run of another reconciliation, or one saved from a copy that no longer carries it
        if holds(row):  # a copy changed since carries that change on instead, and its branch stops here
            out.append(row)
            carriers.add(row.run_id)
    return out


def _save_exceptions(s: Session, run_id: int, exc: pd.DataFrame, now: datetime, state: TaskState | None,
                     lock: AbstractContextManager[Any]) -> dict[str, list[Any]] | None:
    """Insert the run's exceptions (``lock``: held while using the connection); gives their facts as
    reading them back would (``bulk.insert``'s echo, see ``coverage.saved_exception_digest``)."""
    if exc is None or exc.empty:
        return None
    with lock:
        _hold_carry_lock(s, shared=False)  # held to the commit: see _hold_carry_lock
        prev = _previous_state(s, run_id)
    keys = exc["key"].tolist()
    n = len(keys)
    status: list[str] = [ExceptionStatus.OPEN] * n
    assignee: list[str | None] = [None] * n
    first_seen: list[datetime] = [now] * n
    resolution: list[str | None] = [None] * n
    for i, key in enumerate(keys):
        before = prev.get(key)
        if not before:
            continue
        first_seen[i], assignee[i] = before["first_seen"] or now, before["assignee"]
        if before["status"] == ExceptionStatus.WAIVED:
            status[i], resolution[i] = ExceptionStatus.WAIVED, before["resolution"]  # a waiver stands until revoked
        elif before["status"] == ExceptionStatus.RESOLVED:
            status[i], resolution[i] = ExceptionStatus.REOPENED, "found again after it was resolved"
        elif before["status"] in UNSETTLED:
            status[i] = before["status"]
    texts = {c: [None if v is None else str(v) for v in _values(exc, c)]
             for c in ("crm_number", "erp_number", "crm_value", "erp_value")}
    return bulk.insert(s, ExceptionRow.__table__, {  # type: ignore[arg-type]
        "run_id": [run_id] * n, "key": keys, "type": exc["type"].tolist(), "family": exc["family"].tolist(),
        "severity": exc["severity"].tolist(), "status": status,
        **{c: _values(exc, c) for c in ("crm_object", "crm_id", "erp_object", "erp_id")},
        **texts,
        **{c: _values(exc, c) for c in ("customer_name", "field", "difference", "amount_at_risk", "currency")},
        "diffs": exc["diffs"].tolist(), "proposal": exc["proposal"].tolist(),
        "message": _values(exc, "message"), "assignee": assignee, "first_seen": first_seen,
        "last_seen": [now] * n, "resolution": resolution, "version": [1] * n}, state, plain_json={"diffs", "proposal"},
        echo={*coverage.EXCEPTION_FACTS, "status"}, lock=lock)


# --- reading -------------------------------------------------------------------------------------------

def latest_run_id(store: Store) -> int | None:
    with store.session() as s:
        return s.execute(select(func.max(Run.id)).where(Run.status == "completed")).scalar()


def _run_dict(run: Run, sources: list[RunSource], with_config: bool = False) -> dict[str, Any]:
    d = {"id": run.id, "name": run.name, "status": run.status, "started_at": run.started_at,
         "finished_at": run.finished_at, "as_of": run.as_of, "period": run.period, "user_name": run.user_name,
         "summary": run.summary or {}, "software_version": run.software_version, "error": run.error,
         "config_path": run.config_path,
         "sources": [{"side": x.side, "system": x.system, "connector": x.connector, "instance": x.instance,
                      "api_version": x.api_version, "objects": x.objects, "queries": x.queries,
                      "extracted_at": x.extracted_at, "incremental_since": x.incremental_since,
                      "row_counts": x.row_counts, "content_hash": x.content_hash, "api_usage": x.api_usage}
                     for x in sources]}
    if with_config:
        d["config"] = run.config
    return d


def list_runs(store: Store) -> list[dict[str, Any]]:
    with store.session() as s:
        runs = s.execute(select(Run).order_by(Run.id.desc())).scalars().all()
        srcs = s.execute(select(RunSource)).scalars().all()
        by_run: dict[int, list[RunSource]] = {}
        for x in srcs:
            by_run.setdefault(x.run_id, []).append(x)
        return [_run_dict(r, by_run.get(r.id, [])) for r in runs]


def load_run(store: Store, run_id: int | None = None) -> dict[str, Any]:
    from workbench.errors import ConfigError
    with store.session() as s:
        if run_id is None:
            run_id = s.execute(select(func.max(Run.id)).where(Run.status == "completed")).scalar()
            if run_id is None:
                raise ConfigError("no completed run in this database yet; start one with: workbench run --config FILE")
        run = s.get(Run, run_id)
        if run is None:
            raise ConfigError(f"there is no run {run_id} in this database (see: workbench runs)")
        srcs = s.execute(select(RunSource).where(RunSource.run_id == run_id)).scalars().all()
        return _run_dict(run, list(srcs), with_config=True)


def load_exceptions(store: Store, run_id: int) -> pd.DataFrame:
    cols = EXCEPTION_COLUMNS + [c for c in EXCEPTION_STATE_COLUMNS if c not in EXCEPTION_COLUMNS]
    with store.session() as s, gc_paused():  # a million rows are millions of new objects: see gc_pause
        return object_frame(bulk.read(s, ExceptionRow.__table__, cols, run_id), cols)  # type: ignore[arg-type]


def load_links(store: Store, run_id: int) -> pd.DataFrame:
    cols = ["id"] + LINK_COLUMNS + ["decided_by", "decided_at", "version"]
    with store.session() as s, gc_paused():
        return object_frame(bulk.read(s, CustomerLink.__table__, cols, run_id), cols)  # type: ignore[arg-type]


FETCH_ROWS = bulk.FETCH_ROWS  # rows per fetch (and per copy into a column), see object_frame


def object_frame(result: Any, cols: list[str]) -> pd.DataFrame:
    """The rows as an object-dtype frame, built a slice of rows at a time.

    ``result`` is a streaming SQLAlchemy result (``yield_per``; a buffered one holds every row
    twice) or the columns ``bulk.read`` gives. The app loads runs on a worker thread. Fetching a
    million rows at once, or building a frame from a million tuples, is one C call that holds
    the GIL for a second, and the window freezes meanwhile; slices of 5,000 rows leave the GUI
    thread its turns between them, and the garbage collector waits (workbench.gc_pause) instead
    of walking the rows as they arrive.
    """
    data = {}
    with gc_paused():
        if isinstance(result, list):
            columns: list[list[Any]] = result
        else:
            columns = [[] for _ in cols]
            for part in result.partitions(FETCH_ROWS):
                for column, part_values in zip(columns, zip(*part, strict=True), strict=True):
                    column.extend(part_values)
        for name, values in zip(cols, columns, strict=True):
            arr = np.empty(len(values), dtype=object)
            for i in range(0, len(values), FETCH_ROWS):  # element by element, also where a value is a list
                arr[i:i + FETCH_ROWS] = values[i:i + FETCH_ROWS]
            values.clear()
            data[name] = pd.Series(arr, dtype=object, copy=False)
    return pd.DataFrame(data, columns=cols, copy=False)  # one block per column: no consolidating copy


def load_record(store: Store, run_id: int, side: str, kind: str, record_id: str) -> dict[str, Any] | None:
    with store.session() as s:
        return snapshots.record(s, run_id, side, kind, record_id)


def exception_history(store: Store, key: str) -> list[dict[str, Any]]:
    """Earlier sightings of the same exception and every decision recorded about it, oldest first."""
    out: list[dict[str, Any]] = []
    with store.session() as s:
        rows = s.execute(select(ExceptionRow.id, ExceptionRow.run_id, ExceptionRow.status, ExceptionRow.crm_value,
                                ExceptionRow.erp_value, ExceptionRow.last_seen, ExceptionRow.assignee)
                         .where(ExceptionRow.key == key).order_by(ExceptionRow.run_id)).all()
        ids = [str(r.id) for r in rows]
        for r in rows:
            out.append({"kind": "seen", "at": r.last_seen, "run_id": r.run_id, "status": r.status,
                        "crm_value": r.crm_value, "erp_value": r.erp_value, "assignee": r.assignee})
        if ids:
            evs = s.execute(select(AuditEvent).where(AuditEvent.entity_type == "exception",
                                                     AuditEvent.entity_id.in_(ids)).order_by(AuditEvent.id)).scalars()
            for e in evs:
                out.append({"kind": "event", "at": e.at, "run_id": e.run_id, "actor": e.actor, "action": e.action,
                            "detail": e.detail})
        from workbench.store.schema import Comment
        for c in s.execute(select(Comment).where(Comment.exception_key == key).order_by(Comment.id)).scalars():
            out.append({"kind": "comment", "at": c.at, "actor": c.author, "text": c.text})
    out.sort(key=lambda d: (d["at"].replace(tzinfo=UTC) if d["at"] and d["at"].tzinfo is None
                            else d["at"]) or datetime.min.replace(tzinfo=UTC))
    return out


def unmatched_customers(store: Store, run_id: int) -> dict[str, pd.DataFrame]:
    """Customers of each side that no link (auto or confirmed) covers, as canonical records."""
    with store.session() as s:
        linked: dict[str, set[str]] = {"crm": set(), "erp": set()}
        for crm_id, erp_id, status in s.execute(select(CustomerLink.crm_id, CustomerLink.erp_id, CustomerLink.status)
                                                .where(CustomerLink.run_id == run_id)):
            if status in ("auto", "confirmed") and crm_id and erp_id:
                linked["crm"].add(crm_id)
                linked["erp"].add(erp_id)
        out = {}
        for side in ("crm", "erp"):
            recs = [canon or {"record_id": rid} for _, rid, canon in snapshots.records(s, run_id, "customers", side)
                    if rid not in linked[side]]
            out[side] = pd.DataFrame(recs)
        return out


def customer_names(store: Store, run_id: int) -> dict[tuple[str, str], str]:
    """(side, record_id) → the customer's name as its system shows it, for lists of links."""
    out: dict[tuple[str, str], str] = {}
    with store.session() as s:
        for side, rid, canon in snapshots.records(s, run_id, "customers"):
            name = (canon or {}).get("name")
            if name:
                out[(side, rid)] = name
    return out
