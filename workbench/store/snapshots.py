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

import ctypes
import functools
import hashlib
import json
import os
import tempfile
import threading
import typing
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, fields
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
from workbench.model.records import RECORD_TYPES
from workbench.progress import TaskState, check_cancelled
from workbench.sources.base import SNAPSHOT_COLUMNS, Extract, SourceMeta, sha256_each, text_buffer
from workbench.sources.delta import MergedRaw
from workbench.store.db import Store
from workbench.store.schema import Snapshot, SnapshotBlob, SnapshotPart

ROW_GROUP = 100_000  # rows per Parquet row group: bounds the memory a part takes to write
ZSTD_LEVEL = 1  # levels 1 to 3 make parts of about the same size here; 1 is the fastest
META_KEY = b"workbench"
SEQ = "_seq"  # a raw record's position in the pull, so the kinds' parts read back in pull order


class TamperedSnapshot(WorkbenchError):
    """A stored part's bytes no longer match the SHA-256 they are stored under."""


@dataclass(frozen=True)
class Part:
    side: str
    name: str
    rows: int
    data: memoryview
    sha256: str  # of ``data``
    # a previous run's part taken by reference: its bytes, read from its blob by this run, were found to be
    # those of ``sha256`` (``_hashed``), so the blob need not be read and hashed again as it is referenced
    checked: bool = False


@dataclass(frozen=True)
class StoredPart:
    """A part as the store holds it: its bytes, the SHA-256 recorded for them and the SHA-256 they have."""
    side: str
    name: str
    rows: int
    sha256: str  # recorded
    data: bytes
    actual: str  # of ``data``, as read


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


def _addresses(values: np.ndarray) -> np.ndarray:
    """Each element's identity: an object array holds its objects' addresses, which in CPython are
    their ``id()``s (read in place, not one ``id()`` call per row)."""
    values = np.ascontiguousarray(values)
    view = np.ctypeslib.as_array((ctypes.c_ssize_t * len(values)).from_address(values.ctypes.data))
    out: np.ndarray = view.copy()  # the view does not keep ``values`` alive
    return out


def _distinct(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The codes and first positions of the distinct objects of an object array, by identity.

    A connector that parses each distinct text once shares one object between the rows that hold
    it (a pull's timestamp, an invoice date, a balance): such a value is typed and turned into text
    once, however many rows share it. By identity, so equal values of different scale or offset
    (``Decimal("1.0")`` and ``Decimal("1.00")``) never stand in for each other."""
    codes, _ = pd.factorize(_addresses(values))
    seen = np.maximum.accumulate(codes)  # codes are numbered in order of first appearance
    first = np.flatnonzero(np.concatenate(([True], seen[1:] > seen[:-1]))) if len(codes) else codes
    return codes, first


# Canonical fields whose values Arrow converts only from their own type (refusing an int or a float
# in a text field, a text in a flag): no need to look at each value's type first.
_BY_ARROW: dict[Any, tuple[pa.DataType, str]] = {str: (pa.string(), "str"), bool: (pa.bool_(), "bool")}
SAMPLE = 1024  # values looked at to tell a column of few distinct objects
# The share of distinct objects (on the sample) under which converting each distinct object once
# and spreading it (``take``) beats converting every row: Arrow copies a text in a few nanoseconds,
# a Decimal or datetime is first made text in Python.
_FEW = {"str": 0.25, "other": 0.6}


def _repetitive(values: np.ndarray, share: float) -> bool:
    """Whether the rows share few value objects (a file name, a currency, a pull's timestamp, None),
    judged on rows spread over the column."""
    sample = _addresses(values[::max(1, len(values) // SAMPLE)])
    return len(np.unique(sample)) <= share * len(sample)


def _encode_column(series: pd.Series, declared: Any = None) -> tuple[pa.Array, str]:
    """A frame column as an Arrow array and the tag that says how to read it back exactly.

    ``declared``: the type the canonical model gives the field (records.py), if any."""
    if isinstance(series.dtype, pd.ArrowDtype):
        return pa.array(series), "arrow"
    if series.dtype != object:
        return pa.Array.from_pandas(series), f"pandas:{series.dtype}"
    values = series.to_numpy(dtype=object)
    if len(values) and _repetitive(values, _FEW["str" if declared in _BY_ARROW else "other"]):
        codes, first = _distinct(values)  # each distinct object typed and converted once
        arr, tag = _encode_values(values[first], declared)
        return arr.take(pa.array(codes)), tag
    return _encode_values(values, declared)


def _encode_values(values: np.ndarray, declared: Any = None) -> tuple[pa.Array, str]:
    if declared in _BY_ARROW:  # Arrow converts these faster than any look at their objects
        arrow_type, tag = _BY_ARROW[declared]
        try:
            return pa.array(values, type=arrow_type), tag
        except (pa.ArrowInvalid, pa.ArrowTypeError):
            pass  # a value of another type: typed below, as in any column
    kinds = set(map(type, values))
    kinds.discard(type(None))
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


def _same(v: Any) -> Any:
    return v


def _parsed(arr: pa.ChunkedArray, parse: Any) -> np.ndarray:
    """Each distinct stored value made into a Python value once (``parse``, from the value Arrow
    gives); the rows that share a stored value share that (immutable) Python value."""
    whole = arr.combine_chunks() if isinstance(arr, pa.ChunkedArray) else arr
    coded = whole.dictionary_encode()
    values = np.empty(len(coded.dictionary) + 1, dtype=object)  # the last one: a missing value
    values[:-1] = [parse(v) for v in coded.dictionary.to_pylist()]
    out: np.ndarray = values[coded.indices.fill_null(len(coded.dictionary)).to_numpy()]
    return out


def _few_distinct(arr: pa.ChunkedArray) -> bool:
    """``_repetitive`` for stored values."""
    sample = arr.take(pa.array(np.arange(0, len(arr), max(1, len(arr) // SAMPLE))))
    return bool(len(sample)) and pc.count_distinct(sample, mode="all").as_py() * 4 <= len(sample)


def _parsed_text(arr: pa.ChunkedArray, parse: Callable[[str], Any]) -> np.ndarray:
    """``_parsed`` of stored text: where most values differ (an amount, a record's stamp), each row's
    text parsed as it is, without first building the dictionary of the distinct ones (which then
    holds about every value, and costs as much as the parsing again)."""
    if _few_distinct(arr):
        return _parsed(arr, parse)
    texts = arr.to_numpy(zero_copy_only=False)
    if not arr.null_count:
        out: np.ndarray = np.frompyfunc(parse, 1, 1)(texts)
        return out
    out = np.full(len(texts), None, dtype=object)
    present = np.flatnonzero(pd.notna(texts))
    out[present] = np.frompyfunc(parse, 1, 1)(texts[present])
    return out


def _decode_column(arr: pa.ChunkedArray, tag: str) -> pd.Series:
    if tag == "arrow":
        return pd.Series(arr, dtype=pd.ArrowDtype(arr.type))
    if tag.startswith("pandas:"):
        dtype: Any = pandas_dtype(tag.removeprefix("pandas:"))
        series: pd.Series = pd.Series(arr.to_pandas(), dtype=dtype)
        return series
    if tag == "str":  # a text many rows hold (a file name, a currency) made once, shared by those rows
        out = _parsed(arr, str) if _few_distinct(arr) else arr.to_numpy(zero_copy_only=False)
    elif tag == "decimal":
        out = _parsed_text(arr, Decimal)
    elif tag == "datetime":
        out = _parsed_text(arr, datetime.fromisoformat)
    elif tag in ("date", "bool"):  # few distinct values (a run's dates span months): each made once
        out = _parsed(arr, _same)
    else:
        out = np.empty(len(arr), dtype=object)  # filled element by element below (None where "null")
        if tag == "json":
            for i, v in enumerate(arr.to_numpy(zero_copy_only=False)):  # one by one: a list value stays one element
                out[i] = None if v is None else json.loads(v, object_hook=_json_hook)
        elif tag != "null":  # int, float: as Python values
            out[:] = arr.to_pylist()
    return pd.Series(out, dtype=object, copy=False)


def _frame_table(frame: pd.DataFrame, declared: dict[str, Any] | None = None,
                 extra: dict[str, pa.Array] | None = None, derived: dict[str, str] | None = None) -> pa.Table:
    """The frame as an Arrow table that says how to read each column back. ``declared``: the model's
    type of each field; ``extra``: columns stored but not part of the frame; ``derived``: columns of
    the frame stored as the rule that recomputes them (tag), not as values."""
    arrays, names, tags = [], [], {}
    for name in frame.columns:
        rule = (derived or {}).get(str(name))
        if rule is not None:
            tags[str(name)] = rule
            continue
        arr, tag = _encode_column(frame[name], (declared or {}).get(str(name)))
        arrays.append(arr)
        names.append(str(name))
        tags[str(name)] = tag
    for name, arr in (extra or {}).items():
        arrays.append(arr)
        names.append(name)
    schema = pa.schema([pa.field(n, a.type) for n, a in zip(names, arrays, strict=True)],
                       metadata={META_KEY: json.dumps({"columns": tags}).encode()})
    return pa.Table.from_arrays(arrays, schema=schema)


@dataclass
class FrameReuse:
    """A frame merged over a previous run's (``delta.merge``): that frame as stored and as decoded, and
    where each merged row comes from (its previous row, or -1 for a row read now). The stored frame
    is kept compressed until the save reads it (a fraction of its Arrow size while the engine runs)."""
    part: bytes
    decoded: pd.DataFrame
    rows: np.ndarray
    sha256: str = ""  # recorded for ``part`` (its bytes were checked against it as they were read)
    reading: Future[pa.Table] | None = field(default=None, init=False, repr=False)
    by_reference: bool | None = field(default=None, init=False)  # ``check``'s answer: None until asked

    def check(self, frame: pd.DataFrame | None) -> bool:
        """Whether the merged ``frame`` is stored by reference (``unchanged``), noted for ``read_ahead``."""
        self.by_reference = frame is not None and self.unchanged(frame)
        return self.by_reference

    def read_ahead(self, pool: ThreadPoolExecutor) -> None:
        """Start reading the stored frame on ``pool`` (Parquet lets go of the GIL as it decompresses),
        once ``check`` said its values are needed (not for a part stored by reference)."""
        if self.reading is None and self.by_reference is False:
            self.reading = pool.submit(_read_table, self.part)

    @functools.cached_property
    def stored(self) -> pa.Table:
        return _read_table(self.part) if self.reading is None else self.reading.result()

    def unchanged(self, frame: pd.DataFrame) -> bool:
        """Whether the merged ``frame`` is the stored frame as it was decoded: each row its stored row, in
        place, and each value the very object decoded from it (an object column; a value a connector filled
        again after the merge is another object) or, in a column of another type, the same values. Encoding
        it then stores the stored part's very bytes (``_frame_table`` of what ``_table_frame`` read back:
        the round trip is exact), so the part is taken by reference, neither encoded nor compressed again."""
        prev = self.decoded
        if not self.sha256 or len(self.rows) != len(prev) or len(frame) != len(prev) \
                or not np.array_equal(self.rows, np.arange(len(prev))) \
                or list(frame.columns) != list(prev.columns) or not frame.columns.is_unique:
            return False
        return all(_same_values(frame[name], prev[name]) for name in frame.columns)


def _same_values(now: pd.Series, before: pd.Series) -> bool:
    """Whether a column holds what it held as decoded: the same objects (object columns), the same bits
    (numpy columns: -0.0 is not 0.0 here), the same texts (string columns); any other type is taken as
    changed (encoded again)."""
    if now.dtype != before.dtype:
        return False
    if now.dtype == object:
        return bool(np.array_equal(_addresses(now.to_numpy(dtype=object)), _addresses(before.to_numpy(dtype=object))))
    if isinstance(now.dtype, np.dtype):
        return now.to_numpy().tobytes() == before.to_numpy().tobytes()
    if isinstance(now.dtype, pd.StringDtype):
        return bool(now.equals(before))
    return False


# Tags whose values a subset of a column's rows keeps, however few of them remain: a text column
# the model declares (Arrow converts only text into it, a missing one too).
_KEPT_BY_ANY_ROWS = {"str"}
_TYPED = {"decimal", "date", "datetime", "bool", "int", "float", "str"}  # one Python type each


def _reused_frame_table(frame: pd.DataFrame, declared: dict[str, Any], reuse: FrameReuse) -> pa.Table:
    """``_frame_table`` of a merged frame, the same table, with each column's values that are the very
    objects decoded from the previous run's stored frame taken from that stored table rather than
    encoded again: only values read now, or replaced after the merge (a connector's ``derive``,
    told by the value object's identity), are encoded."""
    if len(reuse.rows) != len(frame) or not frame.columns.is_unique:
        return _frame_table(frame, declared)
    stored_tags = json.loads((reuse.stored.schema.metadata or {}).get(META_KEY, b"{}")).get("columns", {})
    kept = reuse.rows >= 0
    kept_rows = reuse.rows[kept]
    arrays, names, tags = [], [], {}
    for name in frame.columns:
        key = str(name)
        arr_tag = _reused_column(frame[name], declared.get(key), reuse, (kept, kept_rows), key, stored_tags.get(key))
        arr, tag = arr_tag if arr_tag is not None else _encode_column(frame[name], declared.get(key))
        arrays.append(arr)
        names.append(key)
        tags[key] = tag
    schema = pa.schema([pa.field(n, a.type) for n, a in zip(names, arrays, strict=True)],
                       metadata={META_KEY: json.dumps({"columns": tags}).encode()})
    return pa.Table.from_arrays(arrays, schema=schema)


def _reused_column(series: pd.Series, declared: Any, reuse: FrameReuse, kept: tuple[np.ndarray, np.ndarray],
                   name: str, stored_tag: str | None) -> tuple[pa.Array, str] | None:
    """The column as ``_encode_column`` gives it, from the stored column and the values to encode;
    None where that cannot be told without encoding it whole. ``kept``: which rows come from a
    previous row, and those previous rows."""
    if stored_tag is None or series.dtype != object or name not in reuse.decoded.columns \
            or reuse.decoded[name].dtype != object or name not in reuse.stored.column_names:
        return None
    values = series.to_numpy(dtype=object)
    same = kept[0].copy()
    if len(kept[1]):  # the objects' addresses gathered, not the objects (no count of references to move)
        before = _addresses(reuse.decoded[name].to_numpy(dtype=object))[kept[1]]
        same[kept[0]] = _addresses(values)[kept[0]] == before
    fresh = np.flatnonzero(~same)
    stored = reuse.stored.column(name)
    if len(fresh):
        # every value of the column typed alike both in the stored rows and in the fresh ones: the
        # whole column is too, so it takes that tag (and each value is encoded on its own)
        arr, tag = _encode_column(pd.Series(values[fresh], dtype=object, copy=False), declared)
        if tag != stored_tag or arr.type != stored.type or tag not in _TYPED | {"null"}:
            return None
        parts = pa.chunked_array([*stored.chunks, arr], type=stored.type)
    else:
        # only stored rows: their tag holds if some value remains to give it (a column of missing values is "null")
        parts = stored
        tag = stored_tag
        if tag not in _TYPED | {"null"}:
            return None
    at = np.where(same, reuse.rows, 0)
    at[fresh] = len(stored) + np.arange(len(fresh))
    whole = parts.combine_chunks()  # see PreviousRaw.of: one array first, then the take
    # the stored column itself where each row is its stored row, in place (a kind nothing changed in)
    in_place = len(at) == len(stored) and not len(fresh) and bool(np.all(at == np.arange(len(at))))
    taken = whole if in_place else whole.take(pa.array(at))
    if not len(fresh) and tag not in _KEPT_BY_ANY_ROWS | {"null"} and len(taken) == taken.null_count:
        return None
    if tag == "str" and declared not in _BY_ARROW and len(taken) == taken.null_count:
        return None
    return taken, tag


def _parquet(table: pa.Table) -> memoryview:
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink, row_group_size=ROW_GROUP, **_writer_options(table))
    return memoryview(sink.getvalue())


def _stored(table: pa.Table) -> tuple[memoryview, str]:
    """The table's Parquet bytes and their SHA-256 (both let go of the GIL: the worker thread's job)."""
    data = _parquet(table)
    return data, hashlib.sha256(data).hexdigest()


def _writer_options(table: pa.Table) -> dict[str, Any]:
    """zstd does what a Parquet dictionary would (and better on these parts: smaller and faster
    without one, see docs/benchmarks.md); no reader filters on column statistics; a raw record's
    position counts up by one, which delta encoding stores in next to nothing."""
    options: dict[str, Any] = {"compression": "zstd", "compression_level": ZSTD_LEVEL, "use_dictionary": False,
                               "write_statistics": False}
    if SEQ in table.column_names:
        options["column_encoding"] = {SEQ: "DELTA_BINARY_PACKED"}
    return options


def _read_table(data: bytes | memoryview, columns: list[str] | None = None) -> pa.Table:
    return pq.read_table(pa.BufferReader(data), columns=columns)


def _table_frame(table: pa.Table) -> pd.DataFrame:
    tags = json.loads((table.schema.metadata or {}).get(META_KEY, b"{}")).get("columns", {})
    data = {name: _decode_column(table.column(name), tag)
            for name, tag in tags.items() if name in table.column_names and tag != HASH_OF_PAYLOAD}
    for name, tag in tags.items():
        if tag != HASH_OF_PAYLOAD:
            continue
        hashes = _payload_hashes(table.column("payload"))
        if name in table.column_names:  # written before the hash was the payload's by contract: kept where it was not
            hashes = pc.coalesce(table.column(name), hashes)
        data[name] = (pd.Series(hashes, dtype=pd.ArrowDtype(pa.string())) if tags["payload"] == "arrow"
                      else pd.Series(hashes.to_numpy(zero_copy_only=False), dtype=object))
    return pd.DataFrame(data, columns=list(tags), copy=False)


def _payload_hashes(payloads: pa.ChunkedArray) -> pa.ChunkedArray:
    """The SHA-256 of each payload text, hashed from Arrow's UTF-8 bytes (no Python text made)."""
    return pa.chunked_array([sha256_each(chunk) for chunk in payloads.chunks], type=pa.string())


# A raw record's content hash is the SHA-256 of its payload text, for every connector (the contract
# of workbench.sources.base.snapshot_frame): a raw part does not store it, its reader recomputes it.
# Parts written before that was the contract store it where it differed from the payload's.
HASH_OF_PAYLOAD = "sha256(payload)"
SPOT_CHECKS = 64  # records of a side whose hash is checked against its payload as the run is saved


class HashNotOfPayload(WorkbenchError):
    """A connector gave a record a content hash that is not the SHA-256 of its payload text."""


def _sha256(text: str | None) -> str | None:
    return None if text is None else hashlib.sha256(text.encode("utf-8")).hexdigest()


def _check_hashes(side: str, snaps: pd.DataFrame) -> None:
    """Refuse a pull whose hashes break the contract, on records spread over it (hashing every
    payload again would take seconds; a connector that breaks the contract breaks it everywhere)."""
    n = len(snaps)
    for i in np.unique(np.linspace(0, n - 1, num=min(n, SPOT_CHECKS)).astype(np.int64)) if n else []:
        row = snaps.iloc[int(i)]
        if row["content_hash"] != _sha256(row["payload"]):
            raise HashNotOfPayload(
                f"{side.upper()} {row['object']} record {row['record_id']}: its content hash is not the SHA-256 of "
                "its payload text, as every connector must give it (workbench.sources.base.snapshot_frame); "
                "the run was not stored")


RAW_TYPES: dict[str, Any] = dict.fromkeys(("object", "kind", "record_id", "query", "payload"), str)


@functools.cache
def _declared(kind: str) -> dict[str, Any]:
    """The canonical model's type of each field of a kind (str, Decimal, date, datetime, bool)."""
    record_type = RECORD_TYPES.get(kind)
    if record_type is None:
        return {}
    out = {}
    for name, hint in typing.get_type_hints(record_type).items():
        members = [t for t in typing.get_args(hint) if t is not type(None)] or [hint]
        if len(members) == 1:
            out[name] = members[0]
    return out


def _kind_rows(kinds: np.ndarray) -> dict[Any, np.ndarray | slice]:
    """The rows of each kind, in order of first appearance: a slice where they are one run (a pull
    reads kind after kind), else their positions."""
    n = len(kinds)
    change = np.flatnonzero(kinds[1:] != kinds[:-1]) + 1
    starts, ends = np.concatenate(([0], change)), np.concatenate((change, [n]))
    spans: dict[Any, list[tuple[int, int]]] = {}
    for a, b in zip(starts.tolist(), ends.tolist(), strict=True):
        spans.setdefault(kinds[a], []).append((a, b))
    return {kind: slice(*runs[0]) if len(runs) == 1 else np.concatenate([np.arange(a, b) for a, b in runs])
            for kind, runs in spans.items()}


# --- parts of an extract ----------------------------------------------------------------------------

def _meta_json(meta: SourceMeta, order: dict[str, Any]) -> bytes:
    body = {"meta": {f.name: getattr(meta, f.name) for f in fields(meta)}, "order": order}
    return json.dumps(body, default=_json_default, ensure_ascii=False, sort_keys=True).encode("utf-8")


class RawParts:
    """A side's raw records already made into their parts (``take_raw``), waiting for the run's save
    in a temporary file: about 100 MB a side at a million invoices, which the engine's peak of memory
    would otherwise carry. The file has no name (it is gone when closed, or with the process)."""

    def __init__(self) -> None:
        self._file = tempfile.TemporaryFile(prefix="workbench-raw-")
        # side, name, rows, sha256, offset, size, checked
        self._index: list[tuple[str, str, int, str, int, int, bool]] = []
        self._end = 0
        self.at: dict[str, int] = {}  # the pull position each raw part's ``_seq`` counts from (see ``_seq_at``)
        self.frames: dict[str, FrameReuse] = {}  # the side's frames merged over a previous run's (``merged_raw``)

    def add(self, part: Part, at: int = 0) -> None:
        if at:
            self.at[part.name] = at
        self._file.write(part.data)
        self._index.append((part.side, part.name, part.rows, part.sha256, self._end, len(part.data), part.checked))
        self._end += len(part.data)

    @property
    def names(self) -> list[str]:
        return [name for _, name, *_ in self._index]

    def loaders(self) -> list[Callable[[], Part]]:
        """One call per part that reads it back (from any thread), in the order they were added."""
        self._file.flush()
        fd = self._file.fileno()

        def loader(side: str, name: str, rows: int, sha: str, offset: int, size: int,
                   checked: bool) -> Callable[[], Part]:
            return lambda: Part(side, name, rows, memoryview(os.pread(fd, size, offset)), sha, checked)
        return [loader(*entry) for entry in self._index]

    def close(self) -> None:
        self._file.close()

    @property
    def closed(self) -> bool:
        return self._file.closed


def take_raw(extract: Extract, state: TaskState | None = None) -> RawParts:
    """Compress the extract's raw records into their parts now, and take them out of the extract.

    A run needs the payload text of what it pulled (about 0.45 GB a side at a million invoices) only to
    store it. Compressed as soon as a side is pulled (the pipeline does it on a worker thread while the
    other side is pulled), the text is let go before the engine runs; ``save`` stores these parts as
    they are. The extract keeps its frames; its ``snapshots`` are empty afterwards."""
    side = extract.meta.side
    snaps = extract.snapshots[SNAPSHOT_COLUMNS]
    _check_hashes(side, snaps)
    raw = _kind_rows(snaps["kind"].to_numpy(dtype=object)) if len(snaps) else {}
    out = RawParts()
    at = _raw_at(raw)
    try:
        for name, rows, table in _raw_tables(snaps, raw):
            out.add(Part(side, name, rows, *_stored(table)), at.get(name, 0))
            del table
            check_cancelled(state)
    except BaseException:
        out.close()
        raise
    extract.snapshots = snaps.iloc[:0]
    del snaps
    pa.default_memory_pool().release_unused()  # the text's pages back to the system, not kept by Arrow
    return out


PENDING_BYTES = 256 << 20  # Arrow bytes of tables waiting for compression before encoding waits
BIG_ROWS = 200_000  # a table of this many rows waits until the worker has compressed all before it


class Saving:
    """A run's sides being stored as parts, in the run's transaction::

        with Saving(session, run_id, state) as saving:
            saving.add(crm, raw_crm)
            saving.add(erp, raw_erp)
            ...  # the run's other rows (using the connection under ``saving.db``)
            stored = saving.finish()

    ``add`` encodes a side's tables on the calling thread and hands each to a worker thread that
    compresses it and stores the part (Arrow lets go of the GIL as it compresses, SQLite and psycopg
    as they write), in order, across both sides: encoding does not wait at the end of a side, and
    the caller's next work overlaps the last ones. Tables wait for the worker (see ``_before_table``).
    A blob already stored under the same SHA-256 is referenced, not written again. ``finish`` waits
    for the worker and gives (side, part, rows, sha256) of each part."""

    def __init__(self, s: Session, run_id: int, state: TaskState | None = None) -> None:
        self._run_id, self._state = run_id, state
        conn = s.connection()
        driver = conn.connection.driver_connection
        assert driver is not None
        self._driver: Any = driver
        q, mark = conn.dialect.identifier_preparer.quote, "?" if conn.dialect.paramstyle == "qmark" else "%s"
        self._sql = [f"INSERT INTO {q(table)} ({', '.join(map(q, cols))}) VALUES ({', '.join([mark] * len(cols))})"
                     + conflict for table, cols, conflict in (
                         ("snapshot_blobs", ("sha256", "size", "content"), " ON CONFLICT (sha256) DO NOTHING"),
                         ("snapshot_parts", ("run_id", "side", "part", "rows", "sha256"), ""))]
        blobs = q("snapshot_blobs")
        self._stored_sql = f"SELECT content FROM {blobs} WHERE sha256 = {mark}"
        self._mend_sql = f"UPDATE {blobs} SET size = {mark}, content = {mark} WHERE sha256 = {mark}"
        self.db = threading.Lock()  # the connection: the worker's writes and the caller's, one at a time
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="snapshot-parts")
        self._reads = ThreadPoolExecutor(max_workers=1, thread_name_prefix="stored-frames")
        self._stored: list[Future[tuple[str, str, int, str]]] = []
        self._waiting: list[tuple[int, Future[tuple[str, str, int, str]]]] = []  # (Arrow bytes, not stored yet)
        self._raw_names: dict[str, list[str]] = {}
        self._raw_at: dict[str, dict[str, int]] = {}  # per side: where each raw part's ``_seq`` counts from
        self._reuse: dict[str, dict[str, FrameReuse]] = {}  # per side: its frames merged over a previous run's
        self._raws: list[RawParts] = []  # closed (their file gone) once the worker is done with them

    def __enter__(self) -> Saving:
        return self

    def __exit__(self, *exc: object) -> None:
        self._reads.shutdown(wait=True, cancel_futures=True)
        self._pool.shutdown(wait=True, cancel_futures=True)
        for raw in self._raws:
            raw.close()

    def add_raw(self, side: str, raw: RawParts) -> None:
        """Queue a side's raw records' parts that ``take_raw`` took already: each is read back from
        its file and stored on the worker, one at a time, before the frames are built."""
        self._raws.append(raw)
        self._stored += [self._pool.submit(self._load_and_put, load) for load in raw.loaders()]
        self._raw_names[side] = raw.names
        self._raw_at[side] = raw.at
        self._reuse[side] = raw.frames

    def add(self, extract: Extract, raw: RawParts | None = None) -> None:
        """Queue the extract's parts; ``raw``: its raw records' parts when ``take_raw`` took them already
        (see ``add_raw``, which may have queued them before)."""
        side = extract.meta.side
        if raw is not None and side not in self._raw_names:
            self.add_raw(side, raw)
        for kind, reuse in self._reuse.get(side, {}).items():
            reuse.check(extract.frames.get(kind))
        self._read_stored_frames(side)
        if side in self._raw_names:
            raw_names = self._raw_names[side]
            tables = _tables(extract, None, self._state, self._before_table, self._reuse.get(side))
        else:
            snaps = extract.snapshots[SNAPSHOT_COLUMNS]
            _check_hashes(side, snaps)
            rows_of = _kind_rows(snaps["kind"].to_numpy(dtype=object)) if len(snaps) else {}
            raw_names = [_raw_name(kind) for kind in rows_of]
            self._raw_at[side] = _raw_at(rows_of)
            tables = _tables(extract, _raw_tables(snaps, rows_of, self._before_table), self._state,
                             self._before_table)
        while True:
            item = next(tables, None)
            if item is None:
                break
            name, rows, table = item
            if isinstance(table, Part):  # a stored part taken as it is: nothing to compress
                self._stored.append(self._pool.submit(self._put, table))
                continue
            future = self._pool.submit(self._compress_and_put, side, name, rows, table)
            self._waiting.append((table.nbytes, future))
            self._stored.append(future)
            del table, item
        order: dict[str, Any] = {"raw": raw_names, "frames": list(extract.frames), "issues": extract.issues is not None}
        if self._raw_at.get(side):
            order["raw_at"] = self._raw_at[side]
        meta = _meta_json(extract.meta, order)
        self._stored.append(self._pool.submit(self._put, Part(side, "meta", 1, memoryview(meta),
                                                               hashlib.sha256(meta).hexdigest())))

    def _read_stored_frames(self, side: str) -> None:
        """Start reading the previous run's frames whose values the merged ones take (``FrameReuse.check``:
        not those stored by reference), in the order its tables are built (see ``_tables``), each while
        the calling thread builds the tables before it."""
        for reuse in sorted(self._reuse.get(side, {}).values(), key=lambda r: -len(r.rows)):
            reuse.read_ahead(self._reads)

    def _before_table(self, rows: int) -> None:
        """Wait for the worker before a table is built: until the tables it has not compressed yet
        hold at most ``PENDING_BYTES``, or none at all before a big one (a million invoices: two of
        those at once would be the run's peak of memory)."""
        self._wait_below(0 if rows >= BIG_ROWS else PENDING_BYTES)

    def _wait_below(self, most: int) -> None:
        self._waiting = [(n, f) for n, f in self._waiting if not f.done()]
        while self._waiting and sum(n for n, _ in self._waiting) > most:
            self._waiting.pop(0)[1].result()

    def _load_and_put(self, load: Callable[[], Part]) -> tuple[str, str, int, str]:
        return self._put(load())

    def _compress_and_put(self, side: str, name: str, rows: int, table: pa.Table) -> tuple[str, str, int, str]:
        return self._put(Part(side, name, rows, *_stored(table)))

    def _put(self, part: Part) -> tuple[str, str, int, str]:
        """Store a part (on the worker thread)."""
        with self.db:
            cursor = self._driver.cursor()
            try:
                cursor.execute(self._sql[0], (part.sha256, len(part.data), part.data))
                if cursor.rowcount == 0 and not part.checked:  # stored before, by this or an earlier run
                    # Referenced as it is only if its bytes are still these: a blob edited outside the workbench
                    # would otherwise stay wrong under every later run that pulls the same data (a forced full
                    # pull included), and each would be reported edited. Writing the bytes again restores
                    # exactly what the earlier runs stored (their SHA-256 names them). A part this run read from
                    # that very blob and found whole moments ago (``Part.checked``) is referenced as it is.
                    cursor.execute(self._stored_sql, (part.sha256,))
                    stored = cursor.fetchone()
                    if stored is None or hashlib.sha256(stored[0]).hexdigest() != part.sha256:
                        cursor.execute(self._mend_sql, (len(part.data), part.data, part.sha256))
                cursor.execute(self._sql[1], (self._run_id, part.side, part.name, part.rows, part.sha256))
            finally:
                cursor.close()
        return part.side, part.name, part.rows, part.sha256

    def finish(self) -> list[tuple[str, str, int, str]]:
        stored = [f.result() for f in self._stored]
        self._stored = []
        return stored


def _raw_name(kind: Any) -> str:
    return "raw" if kind is None else f"raw:{kind}"


def _raw_tables(snaps: pd.DataFrame, raw: dict[Any, np.ndarray | slice],
                ready: Callable[[int], None] = lambda rows: None) -> Iterator[tuple[str, int, pa.Table]]:
    """Each kind's raw records (``raw``: their rows) as an Arrow table, with their positions in the pull;
    ``ready`` is told the rows of each table before it is built."""
    for kind, rows in raw.items():
        seq = np.arange(len(snaps))[rows] - _seq_at(rows)
        ready(len(seq))
        yield _raw_name(kind), len(seq), _frame_table(snaps.iloc[rows], RAW_TYPES, {SEQ: pa.array(seq)},
                                                      {"content_hash": HASH_OF_PAYLOAD})


def _seq_at(rows: np.ndarray | slice) -> int:
    """Where a raw part's ``_seq`` counts from: a kind read in one run of the pull (as pulls read kinds, one
    after the other) stores its records' positions from its first one (0, 1, 2, ...), and the meta says
    where that is (``order.raw_at``); a kind read interleaved with others stores their positions in the
    pull. A kind nothing changed in then stores the same bytes however many records the kinds before it
    gained or lost, and a re-run takes its part by reference (``_merged_raw``)."""
    return (rows.start or 0) if isinstance(rows, slice) else 0


def _raw_at(raw: dict[Any, np.ndarray | slice]) -> dict[str, int]:
    """``_seq_at`` of each raw part (by name), where not 0."""
    return {_raw_name(kind): at for kind, rows in raw.items() if (at := _seq_at(rows))}


def _tables(extract: Extract, raw_tables: Iterator[tuple[str, int, pa.Table]] | None, state: TaskState | None,
            ready: Callable[[int], None] = lambda rows: None,
            reuse: dict[str, FrameReuse] | None = None) -> Iterator[tuple[str, int, pa.Table | Part]]:
    """The extract's parts but its meta as Arrow tables (``raw_tables``: its raw records', unless taken),
    or, for a frame that is its previous run's stored frame unchanged (``FrameReuse.unchanged``), that
    stored part; ``ready`` is told the rows of each frame's table before it is built.

    A kind's raw records and its frame are taken in turn: a raw part costs little to build and much
    to compress (the payload text), a frame the other way round, so each overlaps the other's work."""
    def frame_tables() -> Iterator[tuple[str, int, pa.Table | Part]]:
        # the biggest first: the small ones are encoded while it compresses
        for kind, frame in sorted(extract.frames.items(), key=lambda kv: -len(kv[1])):
            reused = (reuse or {}).get(kind)
            if reused is not None and (reused.check(frame) if reused.by_reference is None else reused.by_reference):
                # its stored part, by reference
                yield f"frame:{kind}", len(frame), Part(extract.meta.side, f"frame:{kind}", len(frame),
                                                        memoryview(reused.part), reused.sha256, checked=True)
                continue
            ready(len(frame))
            yield f"frame:{kind}", len(frame), (_frame_table(frame, _declared(kind)) if reused is None
                                                else _reused_frame_table(frame, _declared(kind), reused))

    queues = [frame_tables()] if raw_tables is None else [raw_tables, frame_tables()]
    while queues:  # one of each in turn, each built only when it is its turn
        for queue in list(queues):
            item = next(queue, None)
            if item is None:
                queues.remove(queue)
                continue
            yield item
            check_cancelled(state)
    if extract.issues is not None:
        ready(len(extract.issues))
        yield "issues", len(extract.issues), _frame_table(extract.issues)


def _extract(side: str, blobs: dict[str, bytes], with_raw: bool = True) -> Extract:
    body = json.loads(blobs["meta"], object_hook=_json_hook)
    meta = SourceMeta(**body["meta"])
    order = body["order"]
    snaps = _raw_records(blobs, order["raw"] if with_raw else [], order.get("raw_at", {}))
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="frame-parts") as pool:
        tables = _read_ahead([blobs[f"frame:{kind}"] for kind in order["frames"]], pool)
        frames = {kind: _table_frame(next(tables)) for kind in order["frames"]}
    issues = _table_frame(_read_table(blobs["issues"])) if order["issues"] else None
    return Extract(meta=meta, frames=frames, snapshots=snaps, issues=issues)


def _read_ahead(parts: list[bytes], pool: ThreadPoolExecutor) -> Iterator[pa.Table]:
    """Each part's table, the next one read on ``pool`` (Parquet lets go of the GIL as it decompresses)
    while the caller decodes this one; one ahead, not all: a table is let go once decoded."""
    ahead = pool.submit(_read_table, parts[0]) if parts else None
    for following in [*parts[1:], None]:
        assert ahead is not None
        table = ahead.result()
        ahead = None if following is None else pool.submit(_read_table, following)
        yield table


def _raw_records(blobs: dict[str, bytes], names: list[str], at: dict[str, int]) -> pd.DataFrame:
    """The raw records of the parts named, decoded, in pull order (``at``: the meta's ``raw_at``)."""
    raws = []
    for name in names:
        table = _read_table(blobs[name])
        raws.append(_table_frame(table).assign(**{SEQ: table.column(SEQ).to_numpy() + at.get(name, 0)}))
    if not raws:
        return pd.DataFrame({c: pd.Series([], dtype=object) for c in SNAPSHOT_COLUMNS})
    snaps = pd.concat(raws, ignore_index=True)
    if not snaps[SEQ].is_monotonic_increasing:  # kinds pulled interleaved
        snaps = snaps.sort_values(SEQ, kind="stable")
    out: pd.DataFrame = snaps.drop(columns=SEQ).reset_index(drop=True)
    return out


# --- an incremental re-run's raw records ----------------------------------------------------------

_RAW_TAGS = {**dict.fromkeys(RAW_TYPES, "str"), "content_hash": HASH_OF_PAYLOAD}


@dataclass
class PreviousRaw:
    """A previous run's raw records as stored, for a re-run that merges changes over them: planned from
    their kinds and ids alone; their parts are read whole (``tables``, one per kind, its ``_seq``
    column dropped) only to build the new parts, on the save's worker, and their payloads neither
    decoded nor hashed again but where the merged records need their content hashes."""
    side: str
    parts: list[bytes]  # as stored
    table_of: np.ndarray  # each record in pull order: its part
    row_of: np.ndarray  # and its row there
    kinds: pa.Array  # each record's kind and record id, in pull order
    ids: pa.Array
    shas: list[str] = field(default_factory=list)  # each part's SHA-256, as recorded (its bytes checked against it)
    # each part's ``_seq`` counts from 0 by one (``_seq_at``): the part a kind nothing changed in stores again
    counted: list[bool] = field(default_factory=list)
    # each frame as stored, decoded, and the SHA-256 its stored bytes were checked against
    frames: dict[str, tuple[bytes, pd.DataFrame, str]] = field(default_factory=dict)

    @classmethod
    def of(cls, side: str, parts: list[bytes], at: list[int] | None = None,
           shas: list[str] | None = None) -> PreviousRaw | None:
        """None where a part is not as ``take_raw`` writes parts now (its records are then decoded).
        ``at``: where each part's ``_seq`` counts from (the meta's ``raw_at``); ``shas``: their SHA-256s."""
        keys = []
        for data in parts:
            schema = pq.read_schema(pa.BufferReader(data))
            tags = json.loads((schema.metadata or {}).get(META_KEY, b"{}")).get("columns", {})
            if tags != _RAW_TAGS or schema.names != [*RAW_TYPES, SEQ] \
                    or any(schema.field(c).type != pa.string() for c in RAW_TYPES):
                return None
            keys.append(_read_table(data, ["kind", "record_id", SEQ]))
        sizes = [t.num_rows for t in keys]
        stored = [t.column(SEQ).to_numpy() for t in keys]
        counted = [bool(np.array_equal(q, np.arange(len(q)))) for q in stored]
        seq = np.concatenate([q + a for q, a in zip(stored, at or [0] * len(keys), strict=True)]
                             or [np.zeros(0, dtype=np.int64)])
        in_order = bool(np.all(seq[1:] > seq[:-1]))  # kinds pulled one after the other, as they usually are
        pull_order = np.arange(len(seq)) if in_order else np.argsort(seq, kind="stable")
        table_of = np.repeat(np.arange(len(keys)), sizes)[pull_order]
        row_of = np.concatenate([np.arange(n) for n in sizes] or [np.zeros(0, dtype=np.int64)])[pull_order]

        def column(name: str) -> pa.Array:
            # the parts' chunks, not their columns: given whole columns, Arrow converts them value by value
            values = pa.chunked_array([c for t in keys for c in t.column(name).chunks], type=pa.string())
            whole = values.combine_chunks()  # one array first: a take over chunks is several times slower
            return whole if in_order else whole.take(pa.array(pull_order))
        return cls(side, parts, table_of, row_of, column("kind"), column("record_id"), list(shas or []), counted)

    def table(self, part: int) -> pa.Table:
        return _read_table(self.parts[part]).drop_columns([SEQ])

    def frame(self) -> pd.DataFrame:
        """The records decoded, in pull order (as ``load_extract`` gives them)."""
        if not self.parts:
            return pd.DataFrame({c: pd.Series([], dtype=object) for c in SNAPSHOT_COLUMNS})
        tables = [self.table(i) for i in range(len(self.parts))]
        decoded = pd.concat([_table_frame(t) for t in tables], ignore_index=True)
        starts = np.cumsum([0] + [t.num_rows for t in tables])[:-1]
        out: pd.DataFrame = decoded.iloc[starts[self.table_of] + self.row_of].reset_index(drop=True)
        return out


def merged_raw(merged: MergedRaw, previous: PreviousRaw, state: TaskState | None = None) -> RawParts:
    """The raw parts of an extract merged over a previous run's stored records (``delta.merge`` with
    ``RawKeys``): the same parts ``take_raw`` makes of the whole merged records, built from the stored
    Arrow tables and the changed records alone. Fills the merged meta's content hash."""
    out = _merged_raw(merged, previous, state)
    out.frames = {kind: FrameReuse(*previous.frames[kind][:2], rows, previous.frames[kind][2])
                  for kind, rows in merged.frames_from.items() if kind in previous.frames}
    return out


def _merged_raw(merged: MergedRaw, previous: PreviousRaw, state: TaskState | None) -> RawParts:
    side = merged.meta.side
    new = merged.snapshots[SNAPSHOT_COLUMNS]
    _check_hashes(side, new)  # the records reused were checked when their run was saved
    new_table = _frame_table(new, RAW_TYPES, None, {"content_hash": HASH_OF_PAYLOAD})
    if json.loads(new_table.schema.metadata[META_KEY])["columns"] != _RAW_TAGS:
        # a record of a type ``take_raw`` stores otherwise: the whole merged records, as ``take_raw`` takes them
        prev = previous.frame()
        both = pd.concat([prev, new.reset_index(drop=True)], ignore_index=True)
        at = np.where(merged.raw_from >= 0, merged.raw_from, len(prev) - 1 - merged.raw_from)
        merged.snapshots = both.iloc[at].reset_index(drop=True)
        merged.finish()
        return take_raw(merged, state)
    from_prev = merged.raw_from >= 0
    at_prev = np.where(from_prev, merged.raw_from, 0)
    has_prev = len(previous.table_of) > 0
    tables = np.where(from_prev, previous.table_of[at_prev] if has_prev else -1, -1)
    rows = np.where(from_prev, previous.row_of[at_prev] if has_prev else 0, -1 - merged.raw_from)
    new_kinds = new_table.column("kind").combine_chunks()
    merged_kinds = pa.chunked_array([previous.kinds, new_kinds], type=pa.string()).combine_chunks().take(
        pa.array(np.where(from_prev, merged.raw_from, len(previous.kinds) + rows))).to_numpy(zero_copy_only=False)
    schema = new_table.schema.append(pa.field(SEQ, pa.int64()))
    hashes: dict[int, pa.ChunkedArray] = {}  # of the stored records' payloads, per part read
    out = RawParts()
    try:
        for kind, span in (_kind_rows(merged_kinds) if len(merged_kinds) else {}).items():
            seq = np.arange(len(merged_kinds))[span]
            start = _seq_at(span)
            stored = np.unique(tables[seq][tables[seq] >= 0])
            if len(stored) > 1:  # a kind's records come from its one part (a key holds the kind)
                raise AssertionError(f"{side} raw records of {kind} merged from {len(stored)} stored parts")
            if len(stored) and isinstance(span, slice) and _as_stored(previous, int(stored[0]), tables[seq],
                                                                      rows[seq], schema):
                # nothing changed in the kind: its stored part is the one to store, by reference (its
                # payloads read alone, for the side's content hash)
                t = int(stored[0])
                hashes[t] = _payload_hashes(_read_table(previous.parts[t], ["payload"]).column("payload"))
                out.add(Part(side, _raw_name(kind), len(seq), memoryview(previous.parts[t]), previous.shas[t],
                             checked=True), start)
                check_cancelled(state)
                continue
            stack = [new_table]
            for t in stored.tolist():  # read whole only now, on the worker: Parquet lets go of the GIL
                stack.insert(0, previous.table(t))
                hashes[t] = _payload_hashes(stack[0].column("payload"))
            base = stack[0].num_rows if len(stored) else 0
            at = np.where(tables[seq] >= 0, rows[seq], base + rows[seq])
            table = pa.concat_tables(stack).take(pa.array(at)).combine_chunks()
            table = pa.Table.from_arrays([*table.columns, pa.array(seq - start)], schema=schema)
            out.add(Part(side, _raw_name(kind), len(seq), *_stored(table)), start)
            del table, stack
            check_cancelled(state)
        merged.meta.content_hash = _content_hash(previous, hashes, tables, rows, new["content_hash"])
    except BaseException:
        out.close()
        raise
    merged.snapshots = new.iloc[:0]
    pa.default_memory_pool().release_unused()
    return out


def _as_stored(previous: PreviousRaw, part: int, tables: np.ndarray, rows: np.ndarray, schema: pa.Schema) -> bool:
    """Whether a kind's merged records (``tables``, ``rows``: each one's stored part and row there) are
    every record of stored ``part``, in its order, and that part stores what ``_merged_raw`` would store
    of them (its ``_seq`` from 0, its schema this one): then its bytes are those it would write."""
    if not previous.shas or not previous.counted[part] or not bool(np.all(tables == part)) \
            or int(np.count_nonzero(previous.table_of == part)) != len(rows) \
            or not np.array_equal(rows, np.arange(len(rows))):
        return False
    return bool(pq.read_schema(pa.BufferReader(previous.parts[part])).equals(schema, check_metadata=True))


def _content_hash(previous: PreviousRaw, hashes: dict[int, pa.ChunkedArray], tables: np.ndarray, rows: np.ndarray,
                  new_hashes: pd.Series) -> str:
    """``Extract.finish``'s hash over the merged records' content hashes, in order: a stored record's
    is the SHA-256 of its payload (the contract ``HASH_OF_PAYLOAD``), hashed from Arrow's bytes as its
    part was read (``hashes``; a part no merged record comes from was not read)."""
    sizes = np.bincount(previous.table_of, minlength=len(previous.parts)).tolist()
    every = [hashes.get(i, pa.chunked_array([pa.nulls(n, pa.string())])) for i, n in enumerate(sizes)]
    every.append(pa.chunked_array([pa.array(new_hashes, type=pa.string(), from_pandas=True)], type=pa.string()))
    starts = np.cumsum([0] + [len(h) for h in every])
    at = np.where(tables >= 0, starts[np.maximum(tables, 0)] + rows, starts[-2] + rows)
    whole = pa.chunked_array([c for h in every for c in h.chunks], type=pa.string()).combine_chunks()
    merged = whole.take(pa.array(at))
    data, offsets = text_buffer(merged)
    return hashlib.sha256(data[int(offsets[0]):int(offsets[-1])]).hexdigest()


# --- the store -----------------------------------------------------------------------------------

def save(s: Session, run_id: int, extract: Extract, state: TaskState | None = None,
         raw: RawParts | None = None) -> list[tuple[str, str, int, str]]:
    """Store the extract's parts for the run (in the caller's transaction): (side, part, rows, sha256) each;
    ``raw``: the raw records' parts when ``take_raw`` took them out of the extract already."""
    with Saving(s, run_id, state) as saving:
        saving.add(extract, raw)
        return saving.finish()


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
    return _hashed(run_id, StoredPart(side, name, 0, sha, data, hashlib.sha256(data).hexdigest()))


def _hashed(run_id: int, part: StoredPart) -> bytes:
    """The part's bytes, refused where they are not those its recorded SHA-256 is of."""
    side, name, data = part.side, part.name, part.data
    if part.actual != part.sha256:
        raise TamperedSnapshot(f"run {run_id}: the stored {side.upper()} snapshot part {name} no longer matches "
                               "its SHA-256: it was edited outside the workbench (see: workbench audit verify)")
    return data


def has_parts(s: Session, run_id: int) -> bool:
    return bool(s.execute(select(func.count()).select_from(SnapshotPart)
                          .where(SnapshotPart.run_id == run_id)).scalar())


def load_extract(store: Store, run_id: int, side: str) -> Extract | None:
    """The run's side exactly as it was pulled (frames, raw records, meta, issues); None for a run
    without stored parts (a failed run, or one stored before parts existed)."""
    stored = _stored_side(store, run_id, side)
    return None if stored is None else _extract(side, stored[1])


def _stored_side(store: Store, run_id: int, side: str, parts: list[StoredPart] | None = None
                 ) -> tuple[list[tuple[str, str, int, str, bytes]], dict[str, bytes]] | None:
    """The side's stored parts (side, part, rows, sha256, bytes) and their bytes by part name, each
    checked against its SHA-256; None for a run without stored parts. ``parts``: the side's
    ``stored_parts``, when read (and hashed) already."""
    if parts is not None:
        return ([(p.side, p.name, p.rows, p.sha256, p.data) for p in parts],
                {p.name: _hashed(run_id, p) for p in parts}) if parts else None
    with store.session() as s:
        rows = _blobs(s, run_id, side)
    if not rows:
        return None
    return rows, {name: _checked(run_id, sd, name, sha, data) for sd, name, _, sha, data in rows}


def load_previous(store: Store, run_id: int, side: str,
                  parts: list[StoredPart] | None = None) -> tuple[Extract, PreviousRaw | None] | None:
    """The run's side for a re-run that merges changes over it: as ``load_extract`` gives it, but its
    raw records kept as stored (``PreviousRaw``; the extract's snapshots empty) where their parts
    allow. None as for ``load_extract``. ``parts``: the side's ``stored_parts``, when read already."""
    stored = _stored_side(store, run_id, side, parts)
    if stored is None:
        return None
    rows, blobs = stored
    order = json.loads(blobs["meta"])["order"]
    names, at = order["raw"], order.get("raw_at", {})
    shas = {name: sha for _, name, _, sha, _ in rows}
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="previous-raw") as pool:
        # the raw records' kinds and ids read (Arrow, mostly without the GIL) while the frames are decoded
        planned = pool.submit(PreviousRaw.of, side, [blobs[name] for name in names],
                              [at.get(name, 0) for name in names], [shas[name] for name in names])
        extract = _extract(side, blobs, with_raw=False)
        raw = planned.result()
    if raw is None:  # parts not as ``take_raw`` writes them now: their records decoded
        extract.snapshots = _raw_records(blobs, names, at)
        return extract, None
    raw.frames = {kind: (blobs[f"frame:{kind}"], frame, shas[f"frame:{kind}"])
                  for kind, frame in extract.frames.items()}
    return extract, raw


def load_reused(store: Store, run_id: int, side: str,
                parts: list[StoredPart] | None = None) -> tuple[Extract, RawParts] | None:
    """The run's side for a new run that takes it as it is (its files did not change): the frames,
    meta and issues read back, the raw records' parts kept as stored, neither decompressed nor
    decoded (the new run references the same blobs). None as for ``load_extract``; ``parts`` as
    for ``load_previous``."""
    stored = _stored_side(store, run_id, side, parts)
    if stored is None:
        return None
    rows, blobs = stored
    raw = {name: Part(side, name, n, memoryview(blobs[name]), sha, checked=True)
           for _, name, n, sha, _ in rows if name == "raw" or name.startswith("raw:")}
    extract = _extract(side, blobs, with_raw=False)
    taken = RawParts()
    order = json.loads(blobs["meta"])["order"]
    for name in order["raw"]:
        taken.add(raw[name], order.get("raw_at", {}).get(name, 0))
    return extract, taken


def stored_parts(s: Session, run_id: int) -> list[StoredPart]:
    """Every part of the run, each hashed from its stored bytes: a re-run checks its previous run's
    parts against that run's event (``coverage.snapshot_problems``) and then builds on the same bytes
    (``load_previous``), read and hashed once."""
    return [StoredPart(sd, name, rows, sha, data, hashlib.sha256(data).hexdigest())
            for sd, name, rows, sha, data in _blobs(s, run_id)]


def part_hashes(s: Session, run_id: int,
                parts: list[StoredPart] | None = None) -> list[tuple[str, str, int, str, str]]:
    """(side, part, rows, recorded sha256, sha256 of the stored bytes) of each part of the run;
    ``parts``: the run's ``stored_parts``, when read already."""
    return [(p.side, p.name, p.rows, p.sha256, p.actual) for p in (stored_parts(s, run_id) if parts is None else parts)]


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
