"""Incremental pulls: what a connector read since the last run, and its merge with that run's data.

A connector asked to pull ``since`` a moment returns a ``DeltaExtract``: for each kind either
only the records changed since then (``mode = "changes"``) together with what tells the
deletions (the ids deleted since, or every id the system holds now from a key-only pull), or
the whole kind (``mode = "full"``, with the reason) where the system cannot tell changes.
``merge`` lays that over the previous run's extract: a changed record replaces its previous
row in place, a new one is appended, a deleted one is removed, and a kind pulled in full is
taken as pulled. The result is what a full pull would have read, in the same order (records
keep the position they had; the systems list new records last).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol, runtime_checkable

import pandas as pd

from workbench.model import frames as frames_mod
from workbench.progress import TaskState
from workbench.sources.base import SNAPSHOT_COLUMNS, Extract

CHANGES, FULL = "changes", "full"

# How far before the previous run's start a re-run asks for changes. Systems stamp a record when
# its transaction starts, but the record becomes visible when it commits: a change committed
# during the previous pull can carry a stamp from before that pull began (Salesforce says as
# much of getUpdated/getDeleted: "latestDateCovered ... changes that started after this date but
# didn't complete before endDate"). The overlap also absorbs clock skew between this machine and
# the service. Re-reading a record twice is harmless: the merge replaces it by id.
OVERLAP = timedelta(minutes=5)


@dataclass
class KindDelta:
    """What one kind of an incremental pull holds."""
    mode: str  # CHANGES | FULL
    deleted: frozenset[str] = frozenset()  # ids the system says were deleted since
    live: frozenset[str] | None = None  # every id the system holds now (a key-only pull), when it tells deletions so
    why: str = ""  # FULL: why this kind was read in full
    query: str = ""  # how deletions were found (shown with the run)


@dataclass
class DeltaExtract(Extract):
    """An extract pulled since ``meta.incremental_since``: per kind, see ``KindDelta``."""
    kinds: dict[str, KindDelta] = field(default_factory=dict)


@runtime_checkable
class DeltaSource(Protocol):
    """A connector that can pull only what changed since a moment. ``previous`` is what the previous
    run read (some systems tell deletions only against the records known before)."""

    def pull_changes(self, state: TaskState | None, since: datetime, previous: Extract) -> DeltaExtract: ...


@runtime_checkable
class Derives(Protocol):
    """A connector that fills fields from other kinds (a price's product code from its product):
    after a merge it fills them again over the whole merged data."""

    def derive(self, frames: dict[str, pd.DataFrame]) -> None: ...


def since_for(previous_start: datetime) -> datetime:
    return previous_start - OVERLAP


def known_ids(previous: Extract) -> dict[str, frozenset[str]]:
    return {kind: frozenset(_ids(frame)) for kind, frame in previous.frames.items()}


def _ids(frame: pd.DataFrame) -> list[str]:
    return [str(x) for x in frame["record_id"].tolist()]


def _merge_rows(prev: pd.DataFrame, new: pd.DataFrame, key_prev: list[Any], key_new: list[Any],
                gone: set[Any]) -> tuple[pd.DataFrame, int]:
    """Previous rows with changed ones replaced in place and new ones appended; rows whose key is
    in ``gone`` (and not in ``new``) removed. Returns the frame and how many previous rows it reused."""
    new_pos = {k: i for i, k in enumerate(key_new)}
    take: list[tuple[int, int]] = []  # (0 = previous / 1 = new, row position)
    seen: set[Any] = set()
    reused = 0
    for i, k in enumerate(key_prev):
        j = new_pos.get(k)
        if j is not None:
            take.append((1, j))
            seen.add(k)
        elif k not in gone:
            take.append((0, i))
            reused += 1
    take.extend((1, j) for j, k in enumerate(key_new) if k not in seen)
    if all(src == 0 for src, _ in take):  # nothing new: the previous rows as they were (dtypes too)
        return prev.iloc[[i for _, i in take]].reset_index(drop=True), reused
    both = pd.concat([prev.reset_index(drop=True), new.reset_index(drop=True)[list(prev.columns)]],
                     ignore_index=True)
    offset = len(prev)
    out = both.iloc[[i if src == 0 else offset + i for src, i in take]].reset_index(drop=True)
    return out, reused


def merge(previous: Extract, delta: DeltaExtract) -> tuple[Extract, dict[str, dict[str, Any]]]:
    """The previous extract brought up to date by ``delta``, and per kind what was done
    (mode, changed, deleted, reused rows, why)."""
    out_frames: dict[str, pd.DataFrame] = {}
    gone_by_kind: dict[str, set[str]] = {}
    changed_by_kind: dict[str, set[str]] = {}
    report: dict[str, dict[str, Any]] = {}
    for kind in sorted(set(previous.frames) | set(delta.frames) | set(delta.kinds)):
        kd = delta.kinds.get(kind, KindDelta(FULL, why="the connector did not say what it read"))
        new = delta.frames.get(kind)
        new = frames_mod.empty(kind) if new is None else new
        prev = previous.frames.get(kind)
        if kd.mode == FULL or prev is None:
            out_frames[kind] = new
            report[kind] = {"mode": FULL, "rows": len(new),
                            "why": kd.why or "the previous run did not read this kind"}
            continue
        prev_ids, new_ids = _ids(prev), _ids(new)
        gone = set(kd.deleted)
        if kd.live is not None:
            gone |= {i for i in prev_ids if i not in kd.live}
        gone -= set(new_ids)
        merged, reused = _merge_rows(prev, new, prev_ids, new_ids, gone)
        out_frames[kind] = merged
        gone_by_kind[kind] = gone & set(prev_ids)
        changed_by_kind[kind] = set(new_ids)
        report[kind] = {"mode": CHANGES, "changed": len(new_ids), "deleted": len(gone_by_kind[kind]),
                        "reused": reused}
        if kd.query:
            report[kind]["deletions"] = kd.query
    snaps = _merge_snapshots(previous.snapshots, delta.snapshots, report, gone_by_kind)
    meta = delta.meta
    merged_extract = Extract(meta, out_frames, snaps, delta.issues)
    return merged_extract.finish(), report


def _merge_snapshots(prev: pd.DataFrame, new: pd.DataFrame, report: dict[str, dict[str, Any]],
                     gone_by_kind: dict[str, set[str]]) -> pd.DataFrame:
    """The raw snapshot rows merged like the frames: by (kind, record id); a kind read in full
    takes only what was read now."""
    full = {k for k, r in report.items() if r["mode"] == FULL}
    prev = prev[~prev["kind"].isin(full)] if full else prev
    gone = {(k, i) for k, ids in gone_by_kind.items() for i in ids}
    key_prev = list(zip(prev["kind"].tolist(), (str(x) for x in prev["record_id"].tolist())))
    key_new = list(zip(new["kind"].tolist(), (str(x) for x in new["record_id"].tolist())))
    merged, _ = _merge_rows(prev[SNAPSHOT_COLUMNS], new[SNAPSHOT_COLUMNS], key_prev, key_new, gone)
    return merged
