"""What the review screen loads, as plain functions run on the database worker (no Qt here)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from app.models.queue_frame import QueueFrame
from workbench.gc_pause import gc_paused
from workbench.model.missing import is_missing
from workbench.model.changes import Changes
from workbench.store import queue_read, repo
from workbench.store.db import Store


@dataclass
class RunBundle:
    run: dict[str, Any]
    frame: QueueFrame
    links: pd.DataFrame


@dataclass
class Detail:
    exception: dict[str, Any]
    crm: dict[str, Any] | None           # repo.load_record(...) for the CRM side, or None
    erp: dict[str, Any] | None
    link: dict[str, Any] | None          # the customer link row behind this exception, if any
    history: list[dict[str, Any]] = field(default_factory=list)
    systems: dict[str, str] = field(default_factory=dict)  # side -> system name for headers


def load_bundle(store: Store, run_id: int | None) -> RunBundle | None:
    if run_id is None:
        run_id = repo.latest_run_id(store)
        if run_id is None:
            return None
    run = repo.load_run(store, run_id)
    frame = QueueFrame.from_table(queue_read.read_queue(store, run_id))  # Arrow columns: no object per cell
    with gc_paused():  # a run's customer links can be many new objects: see workbench.gc_pause
        links = repo.load_links(store, run_id)
    return RunBundle(run=run, frame=frame, links=links)


def load_detail(store: Store, run: dict[str, Any], exception_id: int, links: pd.DataFrame) -> Detail | None:
    """Everything the side by side shows of one exception, read by id (its diffs, proposal and
    message are not in the queue's columns); None when it is gone from the store."""
    exception = queue_read.read_exception(store, exception_id)
    if exception is None:
        return None
    run_id = int(exception.get("run_id") or run["id"])
    recs: dict[str, dict[str, Any] | None] = {}
    for side in ("crm", "erp"):
        kind, rid = exception.get(f"{side}_object"), exception.get(f"{side}_id")
        recs[side] = repo.load_record(store, run_id, side, kind, rid) if kind and rid else None
    link = _link_for(exception, recs, links)
    history = repo.exception_history(store, exception["key"]) if exception.get("key") else []
    systems = {s["side"]: s.get("system") or s["side"] for s in run.get("sources", [])}
    return Detail(exception=exception, crm=recs["crm"], erp=recs["erp"], link=link, history=history,
                  systems=systems)


def load_states(store: Store, run_id: int, frame: QueueFrame | None = None):
    """Status and assignee of every exception of a run (cheap to re-read after others changed them);
    with ``frame``, what must change in it (``QueueFrame.prepare_states``)."""
    from sqlalchemy import select

    from workbench.store.schema import ExceptionRow
    with store.session() as s:
        result = s.execute(select(ExceptionRow.id, ExceptionRow.status, ExceptionRow.assignee)
                           .where(ExceptionRow.run_id == run_id).order_by(ExceptionRow.id)
                           .execution_options(yield_per=repo.FETCH_ROWS))
        states = repo.object_frame(result, ["id", "status", "assignee"])  # in slices: see object_frame
    return states if frame is None else frame.prepare_states(states)


@dataclass
class Changed:
    """What the review screen re-read after an action: new queue states, new link decisions."""
    states: dict[str, Any]       # QueueFrame.prepare_states of the changed exceptions
    links: pd.DataFrame          # workbench.review.states.link_states of the decided links


def load_changed(store: Store, frame: QueueFrame, changes: Changes) -> Changed:
    """Worker side of a refresh from an action's changes: only the changed ids are read."""
    from workbench.review.states import exception_states, link_states
    states = frame.prepare_states(exception_states(store, changes.exceptions)) if changes.exceptions else {}
    return Changed(states=states, links=link_states(store, changes.links))


def _customer_id(exception: dict[str, Any], rec: dict[str, Any] | None, side: str) -> str | None:
    if exception.get(f"{side}_object") == "customers":
        return exception.get(f"{side}_id")
    canon = (rec or {}).get("canonical") or {}
    return canon.get("customer_id")


def _link_for(exception: dict[str, Any], recs: dict[str, Any], links: pd.DataFrame) -> dict[str, Any] | None:
    if links is None or links.empty:
        return None
    crm_c = _customer_id(exception, recs["crm"], "crm")
    erp_c = _customer_id(exception, recs["erp"], "erp")
    hit = pd.Series(False, index=links.index)
    if crm_c:
        hit |= links["crm_id"] == crm_c
    if erp_c:
        hit |= links["erp_id"] == erp_c
    rows = links[hit]
    if rows.empty:
        return None
    # Prefer the link that covers both customers, then a suggestion waiting for a decision.
    both = rows[(rows["crm_id"] == crm_c) & (rows["erp_id"] == erp_c)] if crm_c and erp_c else rows.iloc[0:0]
    pick = both if not both.empty else rows
    sugg = pick[pick["status"] == "suggested"]
    row = (sugg if not sugg.empty else pick).iloc[0].to_dict()
    return {k: (None if is_missing(v) else v) for k, v in row.items()}
