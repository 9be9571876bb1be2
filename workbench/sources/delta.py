"""Incremental pulls: what a connector read since the last run, and its merge with that run's data.

A connector asked to pull ``since`` a moment returns a ``DeltaExtract``: for each kind either
only the records changed since then (``mode = "changes"``) together with what tells the
deletions (the ids deleted since, or every id the system holds now from a key-only pull, or
nothing where a count says none was: ``gone_by_count``), or the whole kind (``mode = "full"``,
with the reason) where the system cannot tell changes. ``merge`` lays that over the previous
run's extract: a changed record replaces its previous row in place, a new one is appended, a
deleted one is removed, and a kind pulled in full is taken as pulled. The result is what a full
pull would have read, in the same order (records keep the position they had; the systems list
new records last).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from collections.abc import Iterable
from typing import Any, Protocol, runtime_checkable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from workbench.model import frames as frames_mod
from workbench.progress import TaskState
from workbench.sources.base import SNAPSHOT_COLUMNS, Extract

CHANGES, FULL = "changes", "full"

# How far before the previous run's start a re-run asks for changes. Systems stamp a record when
# its transaction starts, but the record becomes visible when it commits: a change committed
# during the previous pull can carry a stamp from before that pull began (Salesforce says as
# much of getUpdated/getDeleted: "latestDateCovered ... changes that started after this date but
# didn't complete before endDate"). The overlap also absorbs clock skew between this machine and
# the service. Re-reading a record twice is harmless: the merge replaces it by id. A transaction that
# runs longer than the overlap across the previous run's start (a long posting batch) is missed: the
# overlap is the config's ``[run] overlap_minutes`` (RunConfig.overlap), 5 minutes unless set.


@dataclass
class KindDelta:
    """What one kind of an incremental pull holds."""
    mode: str  # CHANGES | FULL
    deleted: frozenset[str] = frozenset()  # ids the system says were deleted since
    live: frozenset[str] | None = None  # every id the system holds now (a key-only pull), when it tells deletions so
    # every id in the order a full read lists them, when a new record is not simply listed last (a line added to a
    # journal is listed with its journal's lines): the merged rows take that order
    order: tuple[str, ...] | None = None
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


def gone_by_count(count: int, known: frozenset[str], read: Iterable[str]) -> int:
    """How many records of a kind the previous run knew are gone, by ``count``, the kind's records counted before
    its changes were ``read``. Where a record can enter the kind only by a change that stamps it, every record
    counted is one the previous run knew or one the changes brought, and a record added after the count is among
    the changes but not counted: 0 says none is gone (and none was added meanwhile); more, that the ids must be
    read to tell which. A record added after ``since`` and deleted again between the count and the read is counted
    but neither known nor read: it can hide one deletion, which the next run's count then finds. So can a record
    committed later than the overlap reaches (stamped before ``since``, so not read, and not known): where the ids
    are integers, ``id_sum_differs`` tells those apart."""
    return len(known | frozenset(read)) - count


def id_sum_differs(id_sum: int, known: frozenset[str], read: Iterable[str]) -> bool:
    """Whether ``id_sum``, the sum of the kind's integer ids asked together with its count (``gone_by_count``),
    differs from the sum of the ids the previous run knew or the changes brought. Where the count is as many as
    those, every record counted but neither known nor read (committed later than the overlap reaches, or added
    after ``since`` and deleted again before the read) stands beside as many known records gone: the sums differ
    unless those ids sum alike, which one of each cannot (no two records share an id, and the gone one was known
    where the other was not); two or more of each can. An id that is not an integer is no number to add: the sums
    are taken to differ."""
    try:
        return sum(int(i) for i in known | frozenset(read)) != id_sum
    except ValueError:
        return True


def since_for(previous_start: datetime, overlap: timedelta) -> datetime:
    return previous_start - overlap


def known_ids(previous: Extract) -> dict[str, frozenset[str]]:
    return {kind: ids_of(frame) for kind, frame in previous.frames.items()}


def ids_of(frame: pd.DataFrame | None) -> frozenset[str]:
    """A frame's record ids as text; none without a frame."""
    return frozenset() if frame is None else frozenset(_keys(frame).to_pylist())


def _text(values: pd.Series) -> pa.Array:
    """A column as Arrow text, each value as ``str`` gives it."""
    arr = pa.array(values.astype(str), type=pa.string(), from_pandas=True)
    return arr.combine_chunks() if isinstance(arr, pa.ChunkedArray) else arr


def _keys(frame: pd.DataFrame) -> pa.Array:
    """The frame's record ids as text, in row order."""
    return _text(frame["record_id"])


def _among(keys: pa.Array, values: set[str]) -> np.ndarray:
    """Which of ``keys`` are in ``values``, as a boolean mask."""
    if not values:
        return np.zeros(len(keys), dtype=bool)
    found = pc.is_in(keys, value_set=pa.array(list(values), type=pa.string()))
    return np.asarray(found.to_numpy(zero_copy_only=False), dtype=bool)


def _merge_order(key_prev: pa.Array, key_new: pa.Array,
                 gone: np.ndarray) -> tuple[np.ndarray | None, np.ndarray, np.ndarray]:
    """How previous and new rows merge: the new rows kept (None: all; a record read twice, as pages
    moved under the reader, counts its last reading), which previous rows are kept as they were,
    and the merged rows as positions into the previous rows followed by the kept new ones. Changed
    rows replace their previous row in place, new ones are appended, previous rows marked in ``gone``
    (and not read again) are removed. Matched by hash look-ups over whole columns (Arrow), so a
    re-run with few changes does not walk every previous row in Python."""
    last = None
    if len(key_new) and pc.count_distinct(key_new).as_py() < len(key_new):
        last = ~pd.Series(key_new.to_pylist()).duplicated(keep="last").to_numpy()
        key_new = key_new.filter(pa.array(last))
    if len(key_new):
        at_new = pc.index_in(key_prev, value_set=key_new).fill_null(-1).to_numpy(zero_copy_only=False)
    else:
        at_new = np.full(len(key_prev), -1)
    kept = (at_new < 0) & ~gone
    appended = np.setdiff1d(np.arange(len(key_new)), at_new[at_new >= 0])
    offset = len(key_prev)
    in_place = np.where(at_new >= 0, offset + at_new, np.arange(len(key_prev)))[(at_new >= 0) | kept]
    return last, kept, np.concatenate([in_place, offset + appended]).astype(np.int64)


def _merge_rows(prev: pd.DataFrame, new: pd.DataFrame, key_prev: pa.Array, key_new: pa.Array,
                gone: np.ndarray) -> tuple[pd.DataFrame, np.ndarray]:
    """Previous rows merged with new ones (see ``_merge_order``). Returns the frame and where each of
    its rows comes from: its previous row, or -1 for a new row."""
    last, kept, order = _merge_order(key_prev, key_new, gone)
    if last is not None:
        new = new[last]
    reused = np.where(order < len(prev), order, -1)
    if len(order) == len(prev) == int(kept.sum()):  # nothing new: the previous rows as they were (dtypes too)
        return prev.reset_index(drop=True), reused
    if not len(new):
        return prev[kept].reset_index(drop=True), reused
    both = pd.concat([prev.reset_index(drop=True), new.reset_index(drop=True)[list(prev.columns)]],
                     ignore_index=True)
    return both.iloc[order].reset_index(drop=True), reused


def _in_order(merged: pd.DataFrame, came: np.ndarray, order: tuple[str, ...]) -> tuple[pd.DataFrame, np.ndarray]:
    """The merged rows in ``order`` (record ids as a full read lists them), with where each comes from
    (``_merge_rows``); a row ``order`` does not name (read after the listing) stays after them."""
    at = pc.index_in(pa.array(order, type=pa.string()), value_set=_keys(merged)).fill_null(-1)
    listed = np.asarray(at.to_numpy(zero_copy_only=False), dtype=np.int64)
    listed = listed[listed >= 0]
    perm = np.concatenate([listed, np.setdiff1d(np.arange(len(merged)), listed)])
    return merged.iloc[perm].reset_index(drop=True), came[perm]


@dataclass
class RawKeys:
    """The kind and record id of each of the previous run's raw records, in pull order, when those
    records are held elsewhere than the previous extract's ``snapshots`` (a run's stored parts)."""
    kinds: pa.Array
    ids: pa.Array


@dataclass
class MergedRaw(Extract):
    """A merged extract whose raw records are not all in ``snapshots``: ``raw_from`` gives, for each
    merged raw record in order, its position among the previous records (``RawKeys``) when it is
    one of them, else -1 - its position in ``snapshots`` (the delta's records); ``frames_from``, for
    each frame merged from changes, where each of its rows comes from: its row in the previous
    frame, or -1 for a row read now. Its meta's content hash is left to be computed from the records
    (None until then)."""
    raw_from: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    frames_from: dict[str, np.ndarray] = field(default_factory=dict)


def merge(previous: Extract, delta: DeltaExtract,
          previous_raw: RawKeys | None = None) -> tuple[Extract, dict[str, dict[str, Any]]]:
    """The previous extract brought up to date by ``delta``, and per kind what was done
    (mode, changed, deleted, reused rows, why). ``previous_raw``: the previous raw records' keys
    when ``previous.snapshots`` does not hold them: the result is then a ``MergedRaw``."""
    out_frames: dict[str, pd.DataFrame] = {}
    frames_from: dict[str, np.ndarray] = {}
    gone_by_kind: dict[str, set[str]] = {}
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
        prev_ids, new_ids = _keys(prev), _keys(new)
        read = set(new_ids.to_pylist())
        gone = _among(prev_ids, set(kd.deleted) - read)
        if kd.live is not None:
            gone |= ~_among(prev_ids, set(kd.live) | read)
        merged, frames_from[kind] = _merge_rows(prev, new, prev_ids, new_ids, gone)
        if kd.order is not None and len(new_ids) and not pc.all(pc.is_in(new_ids, value_set=prev_ids)).as_py():
            # only a record new to the kind can stand out of the listing's order: a changed one kept its place
            merged, frames_from[kind] = _in_order(merged, frames_from[kind], kd.order)
        reused = int((frames_from[kind] >= 0).sum())
        out_frames[kind] = merged
        gone_by_kind[kind] = set(prev_ids.filter(pa.array(gone)).to_pylist())
        report[kind] = {"mode": CHANGES, "changed": len(read), "deleted": len(gone_by_kind[kind]),
                        "reused": reused}
        if kd.query:
            report[kind]["deletions"] = kd.query
    pulled = [*previous.frames, *delta.frames]  # the kinds in the order a pull reads them, empty ones too
    if previous_raw is None:
        snaps = _merge_snapshots(previous.snapshots, delta.snapshots, report, gone_by_kind, pulled)
        return Extract(delta.meta, out_frames, snaps, delta.issues).finish(), report
    new_rows, raw_from = _snapshot_order(previous_raw, delta.snapshots, report, gone_by_kind, pulled)
    out = MergedRaw(delta.meta, out_frames, new_rows, delta.issues, raw_from=raw_from, frames_from=frames_from)
    out.meta.row_counts = {k: len(v) for k, v in out_frames.items()}
    out.meta.content_hash = None
    return out, report


def _merge_snapshots(prev: pd.DataFrame, new: pd.DataFrame, report: dict[str, dict[str, Any]],
                     gone_by_kind: dict[str, set[str]], pulled: list[str]) -> pd.DataFrame:
    """The raw snapshot rows merged like the frames: by (kind, record id); a kind read in full
    takes only what was read now."""
    new_rows, raw_from = _snapshot_order(RawKeys(_text(prev["kind"]), _text(prev["record_id"])), new, report,
                                         gone_by_kind, pulled)
    both = pd.concat([prev[SNAPSHOT_COLUMNS].reset_index(drop=True), new_rows], ignore_index=True)
    return both.iloc[np.where(raw_from >= 0, raw_from, len(prev) - 1 - raw_from)].reset_index(drop=True)


def _snapshot_order(prev: RawKeys, new: pd.DataFrame, report: dict[str, dict[str, Any]],
                    gone_by_kind: dict[str, set[str]], pulled: list[str]) -> tuple[pd.DataFrame, np.ndarray]:
    """The delta's raw rows that stay and where each merged raw row comes from (see ``MergedRaw``):
    merged like the frames, by (kind, record id); a kind read in full takes only what was read now;
    kind by kind in the order ``pulled`` names them (``_kinds_grouped``)."""
    full = [k for k, r in report.items() if r["mode"] == FULL]
    kinds = pc.fill_null(prev.kinds, "None")  # as ``str`` gives a missing kind, like the delta's keys
    at = np.flatnonzero(~_among(kinds, set(full))) if full else np.arange(len(kinds))
    keys = _joined(kinds, prev.ids).take(pa.array(at))
    gone = _among(keys, {f"{k}\x1f{i}" for k, ids in gone_by_kind.items() for i in ids})
    last, _, order = _merge_order(keys, _snapshot_keys(new), gone)
    new_rows = (new if last is None else new[last])[SNAPSHOT_COLUMNS].reset_index(drop=True)
    raw_from = np.where(order < len(at), at[np.minimum(order, len(at) - 1)] if len(at) else order,
                        len(at) - 1 - order)
    return new_rows, raw_from[_kinds_grouped(pulled, kinds, _text(new_rows["kind"]), raw_from)]


def _kinds_grouped(pulled: list[str], prev_kinds: pa.Array, new_kinds: pa.Array, raw_from: np.ndarray) -> np.ndarray:
    """The merged raw rows (``raw_from``, see ``MergedRaw``) reordered kind by kind, in the order ``pulled`` names
    the kinds (the frames' order: a pull's, a kind the previous run read none of included), then as the raw rows
    list any other, each kind's rows keeping their merged order. A full pull reads kind after kind, so a record new
    to a kind, or a kind read in full, belongs with its kind, not after every other kind: the raw rows' order is
    their stored position (``_seq``) and makes the extract's content hash, which a full pull of the same data must
    give alike."""
    listed = pa.concat_arrays([pa.array(pulled, type=pa.string()), prev_kinds, new_kinds])
    named = pc.unique(listed)  # in order of first appearance
    prev_rank = pc.index_in(prev_kinds, value_set=named).to_numpy(zero_copy_only=False)
    new_rank = pc.index_in(new_kinds, value_set=named).to_numpy(zero_copy_only=False)
    rank = np.zeros(len(raw_from), dtype=np.int64)
    rank[raw_from >= 0] = prev_rank[raw_from[raw_from >= 0]]
    rank[raw_from < 0] = new_rank[-1 - raw_from[raw_from < 0]]
    return np.argsort(rank, kind="stable")


def _snapshot_keys(snaps: pd.DataFrame) -> pa.Array:
    return _joined(_text(snaps["kind"]), _text(snaps["record_id"]))


def _joined(kinds: pa.Array, ids: pa.Array) -> pa.Array:
    """(kind, record id) of each raw row as one text key (the unit separator occurs in neither)."""
    joined = pc.binary_join_element_wise(kinds, pc.fill_null(ids, "None"), "\x1f")
    return joined.combine_chunks() if isinstance(joined, pa.ChunkedArray) else joined
