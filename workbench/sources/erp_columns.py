"""An ERP page (Business Central, Odoo) made canonical in columns: each distinct value converted once.

A page of JSON records (``decode``: numbers with a fraction as Decimal) holds few distinct values per
field: a few hundred dates, a handful of currencies and statuses. Each source field's values are taken
as one list, every distinct value goes once through the converter the record-by-record path
(``_canonical``) calls, and the rows that share a value share its result; a status comes from each
distinct combination of its fields. A value with no canonical form raises the error the per-record path
raises, for the record and field it would meet first.

"Distinct" is as JSON tells values apart, not as Python's ``==`` does: Decimal("1.0") == Decimal("1.00")
== 1 == True and 0 == False hash alike, yet convert and encode differently (Odoo sends ``false`` for an
empty field of any type). A value is keyed on its ``repr`` (its class and its text); a column of str, of
int or of bool alone is factorized by pandas as it is. A column whose values hardly repeat (ids, stamps,
amounts) is taken value by value, as a table of them would save nothing.

Each record's snapshot payload is the text ``base.snapshot_frame`` writes (``_CANONICAL``: sorted keys,
compact, non-ASCII as is, Decimal as its text), joined column by column from each distinct value encoded
once when every record of the page has the same keys, record by record otherwise, and hashed in Arrow's
buffer, so stored parts and their hashes are the same whichever path read the records.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from itertools import repeat
from json.encoder import encode_basestring
from operator import itemgetter
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from workbench.errors import InputError
from workbench.model import frames
from workbench.sources.base import _CANONICAL, SNAPSHOT_COLUMNS, sha256_each

# (raw value, where) -> canonical value; ``where`` names the record for an error
Convert = Callable[[Any, str], Any]
# (the raw values of some fields, where) -> canonical fields
Combine = Callable[[list[Any], str], dict[str, Any]]
# classes whose values pandas may factorize as they are: equal means same JSON and same conversion within
# one of them (never two of them at once, as 1 == True; nor Decimal, as Decimal("1.0") == Decimal("1.00"))
_ALONE = {str, int, bool}
_SAMPLE = 256  # values looked at to tell a column whose values hardly repeat (ids, stamps, amounts)
# a value's JSON as _CANONICAL writes it inside an object, by class: a Decimal as its text (the encoder's
# default), which has nothing to escape
_ENCODE: dict[type, Callable[[Any], str]] = {
    str: encode_basestring, int: int.__repr__, bool: lambda v: "true" if v else "false",
    type(None): lambda _v: "null", Decimal: lambda v: f'"{v}"'}


@dataclass(frozen=True)
class Step:
    """One canonical field from one source field."""
    canon: str
    source: str
    convert: Convert


@dataclass(frozen=True)
class Combined:
    """Canonical fields from a combination of source fields (a status from its fields), computed after
    the steps of a record (its errors come after theirs)."""
    sources: tuple[str, ...]
    combine: Combine


class _Column:
    """One source field's values over a page: ``codes`` per row index the distinct values, which are the
    values at rows ``firsts`` (the first row holding each, in page order); ``None`` codes when each row
    is taken as its own value."""

    def __init__(self, values: list[Any]):
        self.values = values
        self.classes = set(map(type, values))
        self.codes, self.firsts = _factorize(values, self.classes)

    def distinct(self) -> list[Any]:
        return self.values if self.firsts is None else [self.values[i] for i in self.firsts.tolist()]

    def spread(self, results: list[Any]) -> np.ndarray:
        """The results of the distinct values, one per row."""
        out: np.ndarray = _objects(results)
        return out if self.codes is None else out[self.codes]

    def rows(self) -> list[int]:
        """The row of each distinct value."""
        return list(range(len(self.values))) if self.firsts is None else self.firsts.tolist()


def _factorize(values: list[Any], classes: set[type]) -> tuple[np.ndarray | None, np.ndarray | None]:
    """(codes, first rows) of the values told apart as JSON tells them (see the module's words); (None,
    None) for a column whose values hardly repeat, where a table of them would save nothing."""
    plain = classes - {type(None)}
    head = values[:_SAMPLE]
    # Python's equality may merge a few of the sample's values (1 and True): a guess, never a key
    if len(head) > 16 and not plain & {list, dict} and len(set(head)) > 0.9 * len(head):
        return None, None
    if len(plain) <= 1 and plain <= _ALONE:
        codes = pd.factorize(_objects(values), use_na_sentinel=False)[0]
    else:  # repr tells the JSON values' classes apart (1, True, Decimal('1.0'), '1', None) and their texts
        codes = pd.factorize(_objects(list(map(repr, values))))[0]
    return codes, _firsts(codes)


def _firsts(codes: np.ndarray) -> np.ndarray:
    """The first row of each code, codes being numbered in order of appearance (pandas' factorize): where
    their running maximum goes up."""
    out: np.ndarray = np.flatnonzero(np.diff(np.maximum.accumulate(codes), prepend=-1))
    return out


def _objects(values: Sequence[Any]) -> np.ndarray:
    """The values as an object array, one element each (a list among them stays one element)."""
    return np.fromiter(values, dtype=object, count=len(values))


class Page:
    """A page of raw records, its columns factorized once for the conversion and the snapshot."""

    def __init__(self, raws: list[dict[str, Any]]):
        self.raws = raws
        self._columns: dict[str, _Column] = {}
        keys = raws[0].keys() if raws and isinstance(raws[0], dict) else {}.keys()
        # the keys every record has, if they all have the same (a missing key reads as None, as rec.get gives)
        self.keys = keys if all(isinstance(r, dict) and r.keys() == keys for r in raws) else None

    def column(self, name: str) -> _Column:
        col = self._columns.get(name)
        if col is None:
            values = list(map(itemgetter(name), self.raws)) if self.keys is not None and name in self.keys \
                else [r.get(name) for r in self.raws]
            col = self._columns[name] = _Column(values)
        return col


def canonical_frame(kind: str, page: Page, steps: list[Step], combined: list[Combined],
                    where: Callable[[dict[str, Any]], str]) -> pd.DataFrame:
    """The page's canonical frame: per record, the steps' fields in order, then the combined ones (a
    later one overwrites an earlier field of the same name, as a per-record dict would)."""
    if not page.raws:
        return frames.empty(kind)
    failures: list[tuple[int, int, InputError]] = []  # (row, place in the record's conversion, error)
    out: dict[str, np.ndarray] = {}
    for place, step in enumerate(steps):
        out[step.canon] = _converted(page, step, where, failures, place)
    for place, comb in enumerate(combined, start=len(steps)):
        out.update(_combined(page, comb, where, failures, place))
    if failures:
        raise min(failures, key=lambda f: (f[0], f[1]))[2]  # the one a record-by-record pull meets first
    cols = frames.columns(kind)
    none = _objects([None] * len(page.raws))
    return pd.DataFrame({c: out.get(c, none) for c in cols}, columns=cols, dtype=object)


def _converted(page: Page, step: Step, where: Callable[[dict[str, Any]], str],
               failures: list[tuple[int, int, InputError]], place: int) -> np.ndarray:
    col = page.column(step.source)
    convert = step.convert
    results: list[Any] = []
    for value, row in zip(col.distinct(), col.rows()):
        try:
            # the record's name goes only into an error: made for a value that fails, which then fails again
            # (a converter is a function of its value) with the error the per-record path raises
            results.append(convert(value, ""))
        except InputError:
            try:
                results.append(convert(value, where(page.raws[row])))
            except InputError as exc:
                failures.append((row, place, exc))
                results.append(None)
    return col.spread(results)


def _combined(page: Page, comb: Combined, where: Callable[[dict[str, Any]], str],
              failures: list[tuple[int, int, InputError]], place: int) -> dict[str, np.ndarray]:
    """Each distinct combination of the source fields' values computed once."""
    cols = [page.column(s) for s in comb.sources]
    key = np.zeros(len(page.raws), dtype=np.int64)  # the combinations seen so far, numbered
    for col in cols:
        codes = np.arange(len(page.raws)) if col.codes is None else col.codes
        key = pd.factorize(key * (len(page.raws) + 1) + codes)[0]
    results: list[dict[str, Any]] = []
    for row in _firsts(key).tolist():
        try:
            results.append(comb.combine([c.values[row] for c in cols], where(page.raws[row])))
        except InputError as exc:
            failures.append((row, place, exc))
            results.append({})
    names = list(dict.fromkeys(n for r in results for n in r))
    return {n: _objects([r.get(n) for r in results])[key] for n in names}


def snapshot_rows(obj: str, kind: str, query: str, page: Page, record_ids: list[str]) -> pd.DataFrame:
    """The rows ``base.snapshot_frame`` gives for (obj, kind, record id, query, raw record) of the page."""
    texts = _payloads(page)
    hashes = sha256_each(pa.array(texts, type=pa.string())).to_numpy(zero_copy_only=False)
    n = len(texts)
    return pd.DataFrame({"object": _objects([obj] * n), "kind": _objects([kind] * n),
                         "record_id": _objects(record_ids), "query": _objects([query] * n),
                         "content_hash": hashes, "payload": _objects(texts)}, columns=SNAPSHOT_COLUMNS,
                        dtype=object)


def _payloads(page: Page) -> list[str]:
    """Each record's ``_CANONICAL`` text: column-wise when the records share their keys (each column's
    distinct values encoded once, joined per row with '"key":' before each, in sorted key order)."""
    if not page.raws:
        return []
    if not page.keys:
        return list(map(_CANONICAL.encode, page.raws))
    pieces: list[Any] = []
    for n, name in enumerate(sorted(page.keys)):
        col = page.column(name)
        pieces.append(repeat(("{" if n == 0 else ",") + _CANONICAL.encode(name) + ":"))
        pieces.append(col.spread(_encoded(col)))
    pieces.append(repeat("}"))
    return list(map("".join, zip(*pieces)))


def _encoded(col: _Column) -> list[str]:
    """The JSON of each distinct value of a column."""
    values = col.distinct()
    if len(col.classes) == 1:
        return list(map(_ENCODE.get(next(iter(col.classes)), _CANONICAL.encode), values))
    return [_ENCODE.get(v.__class__, _CANONICAL.encode)(v) for v in values]
