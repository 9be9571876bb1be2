"""A large object's Bulk API 2.0 results in columns: parsed, converted and snapshotted without a dict per record.

A full pull reads an object of many records through Bulk API 2.0, whose result pages are CSV (Bulk API 2.0
Developer Guide, "Get Results for a Query Job"). Each page is parsed by Arrow, every column as text and an
empty cell as missing, which is what ``csv.DictReader`` with "" -> None gives for the same text (quoted
commas, quotes and line breaks included; no type is guessed, so an id or a code like "00123" stays text).

The canonical values are those ``ObjectMap.to_canonical`` gives record by record: each column's distinct
values go once through the same converter, and the rows that share a value share its object; the status
comes from each distinct combination of the status fields. A value with no canonical form raises the
error the per-record path raises, for the record and field it would meet first.

Each record's snapshot payload is the text ``base.snapshot_frame`` writes for the record's dict (sorted
keys, compact, non-ASCII as is, null for an empty cell), joined column by column in Arrow and hashed where
its bytes lie, so stored parts and their hashes are the same whichever path read the records.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from workbench.errors import InputError, SourceError
from workbench.sources.base import SNAPSHOT_COLUMNS, json_escaped, needs_json_escape, sha256_each
from workbench.sources.file_parse import encoded, first_row, spread
from workbench.sources.salesforce_mapping import SHORTCUTS, ObjectMap

_PARSE = pacsv.ParseOptions(newlines_in_values=True)  # Bulk CSV quotes every value and doubles quotes


def read_page(text: str, obj: str) -> pa.Table:
    """One Bulk 2.0 result page (CSV with a header line) as a table of text columns, missing where empty."""
    if not text:
        return pa.table({})
    header = next(csv.reader(io.StringIO(text[:text.find("\n") + 1 or len(text)])))
    types = dict.fromkeys(header, pa.string())
    convert = pacsv.ConvertOptions(column_types=types, null_values=[""], strings_can_be_null=True,
                                   quoted_strings_can_be_null=True)
    try:
        return pacsv.read_csv(io.BytesIO(text.encode("utf-8")), parse_options=_PARSE, convert_options=convert)
    except pa.ArrowInvalid as exc:
        raise SourceError(f"Salesforce Bulk 2.0 results of {obj}: not the CSV Bulk API 2.0 writes: {exc}") from None


def canonical_frame(m: ObjectMap, table: pa.Table, columns: list[str]) -> pd.DataFrame:
    """The map's records as a frame of canonical ``columns``: the values ``m.to_canonical`` gives (and,
    for orders, ``kind`` and ``booked``), in object columns."""
    n = table.num_rows
    failures: list[tuple[int, int, InputError]] = []  # (row, place in the record's conversion, error)
    out: dict[str, np.ndarray] = {}
    for place, (canon, api, conv) in enumerate(m.converters):
        out[canon] = _converted(m, table, api, conv, failures, place)
    if m.status_fields and m.status_map is not None:
        out.update(_statuses(m, table, failures, len(m.converters)))
    out.update({canon: _repeated(value, n) for canon, (value, _) in m.fixed.items()})
    if failures:
        raise min(failures, key=lambda f: (f[0], f[1]))[2]  # the one a record-by-record pull meets first
    if m.kind == "orders":
        out["kind"] = _repeated(m.object, n)
        booked = np.full(n, True) if m.object == "Opportunity" else out.get("status", np.full(n, None)) == "Activated"
        out["booked"] = booked.astype(object)  # Python's True and False, as the per-record path gives
    none = _repeated(None, n)
    return pd.DataFrame({c: out.get(c, none) for c in columns}, columns=columns, dtype=object)


def _texts(table: pa.Table, api: str) -> pd.Series:
    """Column ``api``, found in any case as ``ObjectMap.to_canonical`` finds a field (missing: all null)."""
    name = api if api in table.column_names else \
        next((c for c in table.column_names if c.lower() == api.lower()), None)
    col = table.column(name) if name is not None else pa.nulls(table.num_rows, pa.string())
    return pd.Series(col, dtype=pd.ArrowDtype(pa.string()))


def _converted(m: ObjectMap, table: pa.Table, api: str, conv: Any, failures: list[tuple[int, int, InputError]],
               place: int) -> np.ndarray:
    """Column ``api`` through ``conv``, each distinct value once (every converter gives None for None); the
    values a shortcut answers (``SHORTCUTS``) without a call of ``conv`` each."""
    codes, values = encoded(_texts(table, api))
    out = np.full(len(values), None, dtype=object)
    todo = np.flatnonzero(values.is_valid().to_numpy(zero_copy_only=False))
    if conv in SHORTCUTS and len(todo):
        easy, answer = SHORTCUTS[conv]
        known = easy(values).fill_null(False).to_numpy(zero_copy_only=False)
        try:
            out[known] = answer(values.filter(pa.array(known)))
            todo = np.flatnonzero(~known & values.is_valid().to_numpy(zero_copy_only=False))
        except ValueError:
            pass  # a text of the right form with no value (2026-02-30): the converter says which, and why
    for k, v in zip(todo, values.take(pa.array(todo, type=pa.int64())).to_pylist()):
        try:
            out[k] = conv(v)
        except ValueError as exc:
            row = first_row(codes, int(k))
            failures.append((row, place, m.bad_value(str(exc), _record_id(table, row), api)))
    return spread(codes, out)


def _statuses(m: ObjectMap, table: pa.Table, failures: list[tuple[int, int, InputError]],
              place: int) -> dict[str, np.ndarray]:
    """status_raw, status and is_credit_note, each distinct combination of the status fields mapped once."""
    coded = [encoded(_texts(table, f)) for f in m.status_fields]
    key = np.zeros(table.num_rows, dtype=np.int64)  # the combinations seen so far, numbered
    for codes, vals in coded:
        key = pd.factorize(key * (len(vals) + 1) + (codes + 1))[0]
    _, first, inverse = np.unique(key, return_index=True, return_inverse=True)
    raws: list[str | None] = []
    statuses: list[str | None] = []
    for row in first:
        values = [None if codes[row] < 0 else vals[int(codes[row])].as_py() for codes, vals in coded]
        try:
            raw, status = m.status_of(values, _record_id(table, int(row)))
        except InputError as exc:
            failures.append((int(row), place, exc))
            raw, status = None, None
        raws.append(raw)
        statuses.append(status)
    codes = inverse.reshape(-1)
    return {"status_raw": spread(codes, raws), "status": spread(codes, statuses),
            "is_credit_note": spread(codes, [s == "credit_note" for s in statuses])}


def _record_id(table: pa.Table, row: int) -> Any:
    """A record's Id as the raw record holds it (None when the results carry no Id)."""
    return table.column("Id")[row].as_py() if "Id" in table.column_names else None


def snapshot_rows(obj: str, kind: str, query: str, table: pa.Table, record_ids: np.ndarray) -> pd.DataFrame:
    """The rows ``base.snapshot_frame`` gives for the records' dicts ({column: text or None})."""
    names = sorted(table.column_names)
    # '{"key":' before the first value and ',"key":' before the others, as json.dumps writes keys
    keys = [("{" if k == 0 else ",") + json.dumps(name, ensure_ascii=False) + ":" for k, name in enumerate(names)]
    texts, hashes = [], []
    for batch in table.select(names).to_batches():
        text = _json_objects(keys, batch.columns) if keys else pa.array(["{}"] * len(batch))
        texts.append(text.to_numpy(zero_copy_only=False))
        hashes.append(sha256_each(text).to_numpy(zero_copy_only=False))
    n = table.num_rows
    return pd.DataFrame({"object": _repeated(obj, n), "kind": _repeated(kind, n),
                         "record_id": record_ids, "query": _repeated(query, n),
                         "content_hash": _joined(hashes), "payload": _joined(texts)}, columns=SNAPSHOT_COLUMNS,
                        dtype=object)


def _json_objects(keys: list[str], columns: list[pa.Array]) -> pa.Array:
    """Each row's JSON object: ``keys[k]`` then column k's value as a JSON string (null where missing), then
    "}". The quotes of a column with no missing value go into the texts around it (one join fewer)."""
    pieces: list[Any] = []
    before = ""  # text still to put before the next value
    for key, arr in zip(keys, columns):
        value = json_escaped(arr) if needs_json_escape(arr) else arr
        if arr.null_count:
            pieces += [before + key, pc.binary_join_element_wise('"', value, '"', "").fill_null("null")]
            before = ""
        else:
            pieces += [before + key + '"', value]
            before = '"'
    return pc.binary_join_element_wise(*pieces, before + "}", "")


def _repeated(value: Any, n: int) -> np.ndarray:
    """``value`` n times, the one object (np.full would make a copy of a text for each row)."""
    out = np.empty(n, dtype=object)
    out.fill(value)
    return out


def _joined(parts: list[np.ndarray]) -> np.ndarray:
    return np.concatenate(parts) if parts else np.empty(0, dtype=object)
