"""What a run pulled, stored compact and verifiable: the one place that reads and writes it.

Each side of a run is kept as parts (``snapshot_parts``), each part one Parquet file
compressed with zstd and stored once under the SHA-256 of its bytes (``snapshot_blobs``):

- ``meta``: the source's meta (system, instance, queries, row counts, ledger, ...) and the part order;
- ``raw:<kind>``: the records of a kind as the source sent them (object, kind, record_id, query,
  content_hash, payload JSON) with their position in the pull;
- ``frame:<kind>``: the canonical frame of a kind;
- ``issues``: rows whose reference to another record was unknown or ambiguous.

A re-run whose data did not change references the same blobs and adds no bytes. The parts are
written in the run's own transaction, so a run stops whole or not at all.

Canonical frames round-trip exactly: a Decimal keeps its scale (stored as its text, see
docs/benchmarks.md for what that costs against decimal128), a date stays a date, a list a list.

Runs stored before the parts existed keep one row per record in ``snapshots``; every reader
here answers for both (``load_extract`` only for runs with parts: it returns None otherwise).
"""

from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass, fields
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd
from pandas.api.types import pandas_dtype
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from workbench.errors import WorkbenchError
from workbench.jsonable import plain
from workbench.progress import TaskState, check_cancelled
from workbench.sources.base import SNAPSHOT_COLUMNS, Extract, SourceMeta
from workbench.store.db import Store
from workbench.store.schema import Snapshot, SnapshotBlob, SnapshotPart

ROW_GROUP = 100_000  # rows per Parquet row group: bounds the memory a part takes to write
ZSTD_LEVEL = 3
META_KEY = b"workbench"
SEQ = "_seq"  # a raw record's position in the pull, so the kinds' parts read back in pull order


class TamperedSnapshot(WorkbenchError):
    """A stored part's bytes no longer match the SHA-256 they are stored under."""


@dataclass(frozen=True)
class Part:
    side: str
    name: str
    rows: int
    data: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


# --- values in columns ------------------------------------------------------------------------------

def _json_default(v: Any) -> Any:
    if isinstance(v, Decimal):
        return {"$decimal": str(v)}
    if isinstance(v, datetime):
        return {"$datetime": v.isoformat()}
    if isinstance(v, date):
        return {"$date": v.isoformat()}
    if isinstance(v, (np.generic,)):
        return v.item()
    return {"$text": str(v)}  # outside the canonical contract: kept as its text


def _json_hook(d: dict[str, Any]) -> Any:
    if len(d) == 1:
        (k, v), = d.items()
        if k == "$decimal":
            return Decimal(v)
        if k == "$datetime":
            return datetime.fromisoformat(v)
        if k == "$date":
            return date.fromisoformat(v)
        if k == "$text":
            return v
    return d


def _tagged_json(v: Any) -> str:
    return json.dumps(v, default=_json_default, ensure_ascii=False, separators=(",", ":"))


def _encode_column(series: pd.Series) -> tuple[pa.Array, str]:
    """A frame column as an Arrow array and the tag that says how to read it back exactly."""
    if isinstance(series.dtype, pd.ArrowDtype):
        return pa.array(series), "arrow"
    if series.dtype != object:
        return pa.Array.from_pandas(series), f"pandas:{series.dtype}"
    values = series.to_numpy(dtype=object)
    kinds = {type(v) for v in values if v is not None}
    if not kinds:
        return pa.nulls(len(values)), "null"
    if kinds == {str}:
        return pa.array(values, type=pa.string()), "str"
    if kinds == {Decimal}:  # its text keeps the scale ("100.00", JPY "1200") exactly
        return pa.array([None if v is None else str(v) for v in values], type=pa.string()), "decimal"
    if kinds == {date}:
        return pa.array(values, type=pa.date32()), "date"
    if kinds == {datetime}:  # ISO text keeps the offset as the source gave it (or its absence)
        return pa.array([None if v is None else v.isoformat() for v in values], type=pa.string()), "datetime"
    if kinds == {bool}:
        return pa.array(values, type=pa.bool_()), "bool"
    if kinds == {int}:
        try:
            return pa.array(values, type=pa.int64()), "int"
        except OverflowError:
            pass
    if kinds == {float}:
        return pa.array(values, type=pa.float64(), from_pandas=False), "float"
    return pa.array([None if v is None else _tagged_json(v) for v in values], type=pa.string()), "json"


def _decode_column(arr: pa.ChunkedArray, tag: str) -> pd.Series:
    if tag == "arrow":
        return pd.Series(arr, dtype=pd.ArrowDtype(arr.type))
    if tag.startswith("pandas:"):
        dtype: Any = pandas_dtype(tag.removeprefix("pandas:"))
        series: pd.Series = pd.Series(arr.to_pandas(), dtype=dtype)
        return series
    if tag == "str":
        return pd.Series(arr.to_numpy(zero_copy_only=False), dtype=object)
    texts: Any = arr.to_numpy(zero_copy_only=False) if tag in ("decimal", "datetime", "json") else None
    if tag == "null":
        values: list[Any] = [None] * len(arr)
    elif tag == "decimal":
        values = [None if v is None else Decimal(v) for v in texts]
    elif tag == "datetime":
        values = [None if v is None else datetime.fromisoformat(v) for v in texts]
    elif tag == "json":
        values = [None if v is None else json.loads(v, object_hook=_json_hook) for v in texts]
    else:  # date, bool, int, float: as Python values
        values = arr.to_pylist()
    out = np.empty(len(values), dtype=object)
    if tag == "json":
        for i, v in enumerate(values):  # one by one: a list value stays one element
            out[i] = v
    else:
        out[:] = values
    return pd.Series(out, dtype=object, copy=False)


def _frame_bytes(frame: pd.DataFrame, extra: dict[str, pa.Array] | None = None) -> bytes:
    arrays, names, tags = [], [], {}
    for name in frame.columns:
        if name == "content_hash" and "payload" in frame.columns:
            arr, tag = _hash_column(frame["content_hash"], frame["payload"]), HASH_OF_PAYLOAD
        else:
            arr, tag = _encode_column(frame[name])
        arrays.append(arr)
        names.append(str(name))
        tags[str(name)] = tag
    for name, arr in (extra or {}).items():
        arrays.append(arr)
        names.append(name)
    schema = pa.schema([pa.field(n, a.type) for n, a in zip(names, arrays, strict=True)],
                       metadata={META_KEY: json.dumps({"columns": tags}).encode()})
    table = pa.Table.from_arrays(arrays, schema=schema)
    buf = io.BytesIO()
    pq.write_table(table, buf, compression="zstd", compression_level=ZSTD_LEVEL, row_group_size=ROW_GROUP)
    return buf.getvalue()


def _read_table(data: bytes, columns: list[str] | None = None) -> pa.Table:
    return pq.read_table(pa.BufferReader(data), columns=columns)


def _table_frame(table: pa.Table) -> pd.DataFrame:
    tags = json.loads((table.schema.metadata or {}).get(META_KEY, b"{}")).get("columns", {})
    data = {name: _decode_column(table.column(name), "str" if tag == HASH_OF_PAYLOAD else tag)
            for name, tag in tags.items()}
    for name, tag in tags.items():
        if tag == HASH_OF_PAYLOAD:
            data[name] = pd.Series([_sha256(p) if h is None else h for h, p in zip(data[name], data["payload"],
                                                                                    strict=True)], dtype=object)
    return pd.DataFrame(data, columns=list(tags), copy=False)


# A raw record's hash is, for every connector today, the SHA-256 of its payload text: stored only
# where it is not (a third of a raw part's bytes otherwise), recomputed when read.
HASH_OF_PAYLOAD = "sha256(payload)"


def _sha256(text: str | None) -> str | None:
    return None if text is None else hashlib.sha256(text.encode("utf-8")).hexdigest()


def _hash_column(hashes: pd.Series, payloads: pd.Series) -> pa.Array:
    return pa.array([None if h == _sha256(p) else h for h, p in zip(hashes.tolist(), payloads.tolist(), strict=True)],
                    type=pa.string())


# --- parts of an extract ----------------------------------------------------------------------------

def _meta_json(meta: SourceMeta, order: dict[str, Any]) -> bytes:
    body = {"meta": {f.name: getattr(meta, f.name) for f in fields(meta)}, "order": order}
    return json.dumps(body, default=_json_default, ensure_ascii=False, sort_keys=True).encode("utf-8")


def parts(extract: Extract, state: TaskState | None = None) -> Iterator[Part]:
    """The extract as parts, one at a time (a part's bytes are dropped once written)."""
    side = extract.meta.side
    snaps = extract.snapshots[SNAPSHOT_COLUMNS].reset_index(drop=True)
    raw_order: list[str] = []
    kinds = snaps["kind"].to_numpy(dtype=object)
    seq = np.arange(len(snaps), dtype=np.int64)
    for kind in dict.fromkeys(kinds):
        name = "raw" if kind is None else f"raw:{kind}"
        mask = np.array([k is None for k in kinds]) if kind is None else (kinds == kind)
        rows = snaps[mask].reset_index(drop=True)
        raw_order.append(name)
        yield Part(side, name, len(rows), _frame_bytes(rows, {SEQ: pa.array(seq[mask])}))
        check_cancelled(state)
    frame_order: list[str] = []
    for kind, frame in extract.frames.items():
        frame_order.append(kind)
        yield Part(side, f"frame:{kind}", len(frame), _frame_bytes(frame.reset_index(drop=True)))
        check_cancelled(state)
    if extract.issues is not None:
        yield Part(side, "issues", len(extract.issues), _frame_bytes(extract.issues.reset_index(drop=True)))
    yield Part(side, "meta", 1, _meta_json(extract.meta, {"raw": raw_order, "frames": frame_order,
                                                          "issues": extract.issues is not None}))


def _extract(side: str, blobs: dict[str, bytes]) -> Extract:
    body = json.loads(blobs["meta"], object_hook=_json_hook)
    meta = SourceMeta(**body["meta"])
    order = body["order"]
    raws = []
    for name in order["raw"]:
        table = _read_table(blobs[name])
        raws.append(_table_frame(table).assign(**{SEQ: table.column(SEQ).to_numpy()}))
    if raws:
        snaps = pd.concat(raws, ignore_index=True).sort_values(SEQ, kind="stable").drop(columns=SEQ)
        snaps = snaps.reset_index(drop=True)
    else:
        snaps = pd.DataFrame({c: pd.Series([], dtype=object) for c in SNAPSHOT_COLUMNS})
    frames = {kind: _table_frame(_read_table(blobs[f"frame:{kind}"])) for kind in order["frames"]}
    issues = _table_frame(_read_table(blobs["issues"])) if order["issues"] else None
    return Extract(meta=meta, frames=frames, snapshots=snaps, issues=issues)


# --- the store -----------------------------------------------------------------------------------

def save(s: Session, run_id: int, extract: Extract, state: TaskState | None = None) -> list[tuple[str, str, int, str]]:
    """Store the extract's parts for the run (in the caller's transaction): (side, part, rows, sha256) each.

    A blob already stored under the same SHA-256 is referenced, not written again."""
    from sqlalchemy.dialects import postgresql, sqlite
    dialect = s.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stored = []
    for part in parts(extract, state):
        sha = part.sha256
        s.execute(insert(SnapshotBlob).values(sha256=sha, size=len(part.data), content=part.data)
                  .on_conflict_do_nothing(index_elements=["sha256"]))
        s.execute(insert(SnapshotPart).values(run_id=run_id, side=part.side, part=part.name, rows=part.rows,
                                              sha256=sha))
        stored.append((part.side, part.name, part.rows, sha))
    return stored


def _blobs(s: Session, run_id: int, side: str | None = None,
           names: list[str] | None = None) -> list[tuple[str, str, int, str, bytes]]:
    q = (select(SnapshotPart.side, SnapshotPart.part, SnapshotPart.rows, SnapshotPart.sha256, SnapshotBlob.content)
         .join(SnapshotBlob, SnapshotBlob.sha256 == SnapshotPart.sha256)
         .where(SnapshotPart.run_id == run_id).order_by(SnapshotPart.id))
    if side is not None:
        q = q.where(SnapshotPart.side == side)
    if names is not None:
        q = q.where(SnapshotPart.part.in_(names))
    return [tuple(r) for r in s.execute(q)]  # type: ignore[misc]


def _checked(run_id: int, side: str, name: str, sha: str, data: bytes) -> bytes:
    if hashlib.sha256(data).hexdigest() != sha:
        raise TamperedSnapshot(f"run {run_id}: the stored {side.upper()} snapshot part {name} no longer matches "
                               "its SHA-256: it was edited outside the workbench (see: workbench audit verify)")
    return data


def has_parts(s: Session, run_id: int) -> bool:
    return bool(s.execute(select(func.count()).select_from(SnapshotPart)
                          .where(SnapshotPart.run_id == run_id)).scalar())


def load_extract(store: Store, run_id: int, side: str) -> Extract | None:
    """The run's side exactly as it was pulled (frames, raw records, meta, issues); None for a run
    without stored parts (a failed run, or one stored before parts existed)."""
    with store.session() as s:
        rows = _blobs(s, run_id, side)
    if not rows:
        return None
    return _extract(side, {name: _checked(run_id, sd, name, sha, data) for sd, name, _, sha, data in rows})


def part_hashes(s: Session, run_id: int) -> list[tuple[str, str, int, str, str]]:
    """(side, part, rows, recorded sha256, sha256 of the stored bytes) of each part of the run."""
    return [(sd, name, rows, sha, hashlib.sha256(data).hexdigest()) for sd, name, rows, sha, data in _blobs(s, run_id)]


def _canonical(frame: pd.DataFrame) -> dict[str, dict[str, Any]]:
    cols = [str(c) for c in frame.columns]
    out = {}
    for row in frame.itertuples(index=False, name=None):
        rec = {k: plain(v) for k, v in zip(cols, row, strict=True)}
        out[str(rec.get("record_id"))] = rec
    return out


def records(s: Session, run_id: int, kind: str,
            side: str | None = None) -> Iterator[tuple[str, str, dict[str, Any] | None]]:
    """(side, record_id, canonical record as JSON-ready values or None) of every record of a kind pulled."""
    if has_parts(s, run_id):
        by_side: dict[str, dict[str, bytes]] = {}
        for sd, name, _, sha, data in _blobs(s, run_id, side, [f"raw:{kind}", f"frame:{kind}"]):
            by_side.setdefault(sd, {})[name] = _checked(run_id, sd, name, sha, data)
        for sd, blobs in by_side.items():
            if f"raw:{kind}" not in blobs:
                continue
            canon = _canonical(_table_frame(_read_table(blobs[f"frame:{kind}"]))) if f"frame:{kind}" in blobs else {}
            for rid in _read_table(blobs[f"raw:{kind}"], ["record_id"]).column("record_id").to_pylist():
                yield sd, rid, canon.get(rid)
        return
    q = select(Snapshot.side, Snapshot.record_id, Snapshot.canonical).where(Snapshot.run_id == run_id,
                                                                           Snapshot.kind == kind)
    if side is not None:
        q = q.where(Snapshot.side == side)
    for sd, rid, text in s.execute(q.execution_options(yield_per=5_000)):
        try:
            yield sd, rid, json.loads(text) if text else None
        except ValueError:
            yield sd, rid, None


def count(s: Session, run_id: int, side: str, kind: str) -> int:
    """How many records of a kind the side pulled."""
    if has_parts(s, run_id):
        return int(s.execute(select(func.coalesce(func.sum(SnapshotPart.rows), 0))
                             .where(SnapshotPart.run_id == run_id, SnapshotPart.side == side,
                                    SnapshotPart.part == f"raw:{kind}")).scalar() or 0)
    return int(s.execute(select(func.count()).select_from(Snapshot)
                         .where(Snapshot.run_id == run_id, Snapshot.side == side, Snapshot.kind == kind)).scalar() or 0)


def _row(data: bytes, record_id: str, *, last: bool) -> pa.Table | None:
    """The row of a part whose record_id is ``record_id`` (its first or last), reading only the ids
    and the one row group that holds it: a detail view must not decode a million payloads."""
    pf = pq.ParquetFile(pa.BufferReader(data))
    ids = pf.read(columns=["record_id"]).column("record_id")
    if ids.type != pa.string():
        return None
    hits = pc.indices_nonzero(pc.equal(ids, record_id)).to_pylist()
    if not hits:
        return None
    at = hits[-1] if last else hits[0]
    for group in range(pf.num_row_groups):
        n = pf.metadata.row_group(group).num_rows
        if at < n:
            return pf.read_row_group(group).slice(at, 1)
        at -= n
    return None


def record(s: Session, run_id: int, side: str, kind: str, record_id: str) -> dict[str, Any] | None:
    """One record as pulled: canonical (JSON-ready values), raw (the payload), object, query, content_hash."""
    rid = str(record_id)
    if has_parts(s, run_id):
        blobs = {name: _checked(run_id, sd, name, sha, data)
                 for sd, name, _, sha, data in _blobs(s, run_id, side, [f"raw:{kind}", f"frame:{kind}"])}
        if f"raw:{kind}" not in blobs:
            return None
        raw = _row(blobs[f"raw:{kind}"], rid, last=False)
        if raw is None:
            return None
        hit = _table_frame(raw).to_dict("records")
        canonical: dict[str, Any] = {}
        frame = _row(blobs[f"frame:{kind}"], rid, last=True) if f"frame:{kind}" in blobs else None
        if frame is not None:
            canonical = _canonical(_table_frame(frame))[rid]
        h = hit[0]
        return {"canonical": canonical, "raw": json.loads(h["payload"]), "object": h["object"],
                "query": h["query"], "content_hash": h["content_hash"]}
    snap = s.execute(select(Snapshot).where(Snapshot.run_id == run_id, Snapshot.side == side,
                                            Snapshot.kind == kind, Snapshot.record_id == rid)
                     .limit(1)).scalar_one_or_none()
    if snap is None:
        return None
    return {"canonical": json.loads(snap.canonical) if snap.canonical else {},
            "raw": json.loads(snap.payload), "object": snap.object, "query": snap.query,
            "content_hash": snap.content_hash}
