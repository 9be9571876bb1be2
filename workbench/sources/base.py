"""What every source connector gives the engine and takes from the push.

A connector turns one side's system (files, Salesforce, Business Central, Odoo, a
REST profile) into an ``Extract``: canonical frames plus the raw snapshot of every
record it read, and takes ``WriteRequest``s back for the push.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime, UTC
from decimal import Decimal
from typing import Any, Protocol
from collections.abc import Callable, Iterable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from workbench.errors import Cancelled, WorkbenchError
from workbench.model import frames
from workbench.progress import TaskState

SIDES = ("crm", "erp")
_HASH_BATCH = 4096  # records hashed per batch by sha256_each


def content_hash(payload: Any) -> str:
    """SHA-256 of a record's canonical JSON (sorted keys, Decimal/date as text)."""
    text = json.dumps(payload, sort_keys=True, default=str, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass
class SourceMeta:
    side: str  # "crm" | "erp"
    system: str  # "salesforce", "business_central", "odoo", "rest:<profile>", "files"
    connector: str  # "files", "salesforce", "business_central", "odoo", "rest"
    instance: str | None = None  # instance URL or the directory/file set read
    api_version: str | None = None
    objects: dict[str, str] = field(default_factory=dict)  # canonical kind -> source object/file
    queries: dict[str, str] = field(default_factory=dict)  # canonical kind -> query/filter/file path used
    extracted_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    row_counts: dict[str, int] = field(default_factory=dict)
    content_hash: str | None = None  # hash over all snapshot hashes
    api_usage: dict[str, Any] = field(default_factory=dict)  # e.g. {"calls": 12, "used": 1012, "max": 15000}
    incremental_since: datetime | None = None
    # files connector: per kind, rows read / used / dropped (with reasons) and reference resolution counts
    ledger: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        d = dict(self.__dict__)
        d["extracted_at"] = self.extracted_at.isoformat()
        d["incremental_since"] = self.incremental_since.isoformat() if self.incremental_since else None
        return d


SNAPSHOT_COLUMNS = ["object", "kind", "record_id", "query", "content_hash", "payload"]


@dataclass
class Extract:
    meta: SourceMeta
    frames: dict[str, pd.DataFrame]
    # one row per raw record read: object, record_id, query, content_hash, payload (JSON text)
    snapshots: pd.DataFrame
    # rows whose reference to another record is unknown or ambiguous (files connector; see file_refs.ISSUE_COLUMNS)
    issues: pd.DataFrame | None = None

    def frame(self, kind: str) -> pd.DataFrame:
        f = self.frames.get(kind)
        return frames.empty(kind) if f is None else f

    def finish(self) -> Extract:
        """Fill row counts and the snapshot hash; call once the pull is done."""
        self.meta.row_counts = {k: len(v) for k, v in self.frames.items()}
        # the same digest as feeding the hashes one by one, in one call over their concatenation
        # (an Arrow text column already holds that concatenation in its data buffer)
        hashes = pa.array(self.snapshots["content_hash"], type=pa.string(), from_pandas=True)
        if isinstance(hashes, pa.ChunkedArray):
            hashes = hashes.combine_chunks()
        self.meta.content_hash = hashlib.sha256(_text_bytes(hashes)).hexdigest()
        return self


def text_buffer(values: pa.Array) -> tuple[memoryview, np.ndarray]:
    """A string array's UTF-8 data and its n + 1 value offsets: value i is data[offsets[i]:offsets[i + 1]]
    (a missing value is an empty slice)."""
    width = np.int64 if pa.types.is_large_string(values.type) else np.int32
    offsets = np.frombuffer(values.buffers()[1], dtype=width)[values.offset:values.offset + len(values) + 1] \
        if len(values) else np.zeros(1, dtype=width)
    return memoryview(values.buffers()[2] or b""), offsets


def _text_bytes(values: pa.StringArray) -> bytes | memoryview:
    """The concatenated UTF-8 of a string array's values (nulls contribute nothing)."""
    data, offsets = text_buffer(values)
    return data[int(offsets[0]):int(offsets[-1])]


def sha256_each(values: pa.Array) -> pa.Array:
    """The SHA-256 (hex) of each text of a string array, hashed where its bytes lie in Arrow's buffer:
    no Python string per value (a million records' payloads hash in well under a second). A missing
    text has no hash."""
    data, offsets = text_buffer(values)
    n = len(values)
    sha = hashlib.sha256
    digits = bytearray(64 * n)
    # a few thousand at a time: the transient Python objects (offsets, hex strings) of a 100,000-record
    # slice, made while other threads make objects that stay, would leave the allocator's arenas holed
    for k in range(0, n, _HASH_BATCH):
        ends = offsets[k:k + _HASH_BATCH + 1].tolist()
        digits[64 * k:64 * (k + len(ends) - 1)] = "".join(
            [sha(data[a:b]).hexdigest() for a, b in zip(ends, ends[1:])]).encode("ascii")
    hexes = pa.Array.from_buffers(pa.string(), n, [None, pa.py_buffer(np.arange(0, 64 * (n + 1), 64, dtype=np.int32)),
                                                   pa.py_buffer(digits)])
    return pc.if_else(values.is_null(), None, hexes) if values.null_count else hexes


# characters json.dumps escapes with ensure_ascii=False: the quote, the backslash, control characters
_ESCAPE = r'["\\\x00-\x1f]'


def needs_json_escape(values: pa.Array) -> bool:
    """True when a text holds a byte JSON must escape (a quote, a backslash or a control character)."""
    data, offsets = text_buffer(values)
    b = np.frombuffer(data, dtype=np.uint8)[int(offsets[0]):int(offsets[-1])] if len(data) else np.empty(0, np.uint8)
    return bool((b < 0x20).any() or (b == 0x22).any() or (b == 0x5C).any())


def json_escaped(values: pa.Array) -> pa.Array:
    """The texts written as json.dumps writes them between their quotes (only those that need it changed)."""
    rows = pc.match_substring_regex(values, _ESCAPE)
    fixed = [json.dumps(v, ensure_ascii=False)[1:-1] for v in values.filter(rows).to_pylist()]
    return pc.replace_with_mask(values, rows, pa.array(fixed, type=values.type))


def snapshot_frame(rows: Iterable[tuple[str, str, str, str, Any]]) -> pd.DataFrame:
    """Build the snapshot frame from (object, kind, record_id, query, raw payload dict).

    ``object`` is the source's name (Account, salesInvoices, Account.csv), ``kind`` the
    canonical kind the record became; the hash is over the raw payload's canonical JSON.
    """
    out = []
    for obj, kind, rid, query, payload in rows:
        text = _CANONICAL.encode(payload)
        out.append((obj, kind, rid, query, hashlib.sha256(text.encode("utf-8")).hexdigest(), text))
    return pd.DataFrame(out, columns=SNAPSHOT_COLUMNS, dtype=object)


def _json_default(v: Any) -> str:
    if isinstance(v, Decimal):
        return str(v)
    if hasattr(v, "isoformat"):
        return str(v.isoformat())
    return str(v)


# the payload's canonical JSON; one encoder for every record (json.dumps with options builds one per call)
_CANONICAL = json.JSONEncoder(sort_keys=True, default=_json_default, separators=(",", ":"), ensure_ascii=False)


@dataclass
class WriteRequest:
    """One field change to write to a target record (built from an approved correction)."""
    correction_id: int
    idempotency_key: str
    object: str  # canonical kind ("customers", "invoices", ...) or source object name
    record_id: str
    field: str  # canonical field name; the connector maps it to the source field
    old_value: Any  # the value seen at approval time
    new_value: Any
    seen_version: str | None = None  # version seen at approval time (SystemModstamp, etag, write_date)


@dataclass
class WriteResult:
    correction_id: int
    outcome: str  # "applied" | "already_applied" | "conflict" | "transient" | "permanent"
    message: str = ""
    response_id: str | None = None  # the system's id/etag/correlation id of the write
    current_value: Any = None  # on conflict: what the system holds now
    new_version: str | None = None
    retry_after: float | None = None  # on transient: seconds the system asked to wait (Retry-After)


class Source(Protocol):
    """What a connector offers. Connectors live one per module in workbench.sources."""

    meta: SourceMeta

    def pull(self, state: TaskState | None = None, since: datetime | None = None) -> Extract: ...

    def push(self, requests: list[WriteRequest], state: TaskState | None = None) -> list[WriteResult]: ...

    def read_current(self, kind: str, record_ids: list[str], fields: list[str]) -> dict[str, dict[str, Any]]:
        """Current canonical values (and "version") of the given records, for conflict checks and verification."""
        ...

    def describe(self, kind: str) -> list[dict[str, Any]]:
        """Fields the source really has for a kind: name, label, type, updateable."""
        ...

    def test_connection(self) -> list[tuple[str, bool, str]]:
        """(check, ok, words) for auth, API version, objects readable, API usage left."""
        ...

    def close(self) -> None: ...


def push_each(requests: list[WriteRequest], push_one: Callable[[WriteRequest], WriteResult], state: TaskState | None,
              target: str) -> list[WriteResult]:
    """Write requests one by one (APIs without a batch update), stopping between writes on cancel.

    A cancel never interrupts a write: every write done is reported, the rest stay queued.
    A request that raises is answered alone (a connector's failed re-read after a refused write,
    say), so the writes done before it keep their answers: the trail says they were written.
    """
    results: list[WriteResult] = []
    for n, req in enumerate(requests, start=1):
        if state is not None and state.cancelled:
            break
        try:
            results.append(push_one(req))
        except Cancelled:
            raise
        except WorkbenchError as exc:
            results.append(WriteResult(req.correction_id, "transient" if exc.transient else "permanent",
                                       exc.one_line()))
        if state is not None:
            state.set_progress(n, len(requests), f"pushed {n:,} of {len(requests):,} to {target}")
    return results
