"""The exception queue as columns: filter, search and sort in numpy/pyarrow, no Qt.

Built once per loaded run (off the GUI thread) from the Arrow columns the store reads
(``workbench.store.queue_read``); afterwards every user action is a vectorised pass over a
million rows, never a Python loop. The Qt model (``exception_table.py``) only indexes into
these arrays through ``perm``, and makes a Python value of the cells it paints.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime, UTC
from decimal import Decimal, InvalidOperation
from typing import Any
from collections.abc import Callable

import threading

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from workbench.model.labels import MISSING, exception_status_label, kind_label, type_label
from workbench.model.missing import is_missing
from workbench.model.states import ExceptionStatus

# (column key, header) in display order: what a controller reads first, then the columns for tools
# (record ids, field code, currency, assignee), hidden until asked for (SECONDARY).
COLUMNS: list[tuple[str, str]] = [
    ("severity", "Severity"),
    ("type", "Type"),
    ("customer_name", "Customer"),
    ("document", "Document"),
    ("crm_value", "CRM value"),
    ("erp_value", "ERP value"),
    ("amount_at_risk", "At risk"),
    ("age", "Age"),
    ("status", "Status"),
    ("field", "Field"),
    ("assignee", "Assignee"),
    ("currency", "Currency"),
    ("crm_id", "CRM record ID"),
    ("erp_id", "ERP record ID"),
]
COLUMN_KEYS = [k for k, _ in COLUMNS]
SECONDARY = frozenset({"field", "assignee", "currency", "crm_id", "erp_id"})
SEVERITIES = ["critical", "high", "medium", "low"]
STATUSES = [s.value for s in ExceptionStatus]
# Fields the quick search looks in (names, document numbers, ids and values).
SEARCH_FIELDS = ["customer_name", "crm_number", "erp_number", "crm_id", "erp_id", "crm_value", "erp_value"]
# The kind whose number a record of this kind is looked up by (workbench.reconcile.numbers.NUMBER_FIELD):
# a price is found by its product code, a payment by its invoice number.
_DOCUMENT_KIND = {"prices": "products", "order_lines": "products", "payments": "invoices"}
_CATEGORICAL = ("type", "severity", "status", "assignee", "currency", "field")
_TEXT = ("customer_name", "crm_value", "erp_value", "crm_id", "erp_id")
# Categorical columns sorted by the words on screen, not by their codes.
_SORT_WORDS: dict[str, Callable[[str], str]] = {"type": type_label, "status": exception_status_label}


@dataclass(frozen=True)
class QueueFilter:
    """What the user asked to see. Empty sets mean "any"."""
    types: frozenset[str] = frozenset()
    severities: frozenset[str] = frozenset()
    statuses: frozenset[str] = frozenset()
    assignees: frozenset[str] = frozenset()  # "" stands for "unassigned"
    amount_min: Decimal | None = None
    amount_max: Decimal | None = None
    age_min: int | None = None
    age_max: int | None = None
    text: str = ""

    def with_(self, **changes: Any) -> QueueFilter:
        return replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        return {"types": sorted(self.types), "severities": sorted(self.severities),
                "statuses": sorted(self.statuses), "assignees": sorted(self.assignees),
                "amount_min": None if self.amount_min is None else str(self.amount_min),
                "amount_max": None if self.amount_max is None else str(self.amount_max),
                "age_min": self.age_min, "age_max": self.age_max, "text": self.text}

    @classmethod
    def from_dict(cls, d: dict[str, Any] | None) -> QueueFilter:
        d = d or {}

        def dec(v: Any) -> Decimal | None:
            try:
                return None if v in (None, "") else Decimal(str(v))
            except InvalidOperation:
                return None

        def num(v: Any) -> int | None:
            try:
                return None if v in (None, "") else int(v)
            except (TypeError, ValueError):
                return None

        return cls(types=frozenset(d.get("types") or ()), severities=frozenset(d.get("severities") or ()),
                   statuses=frozenset(d.get("statuses") or ()), assignees=frozenset(d.get("assignees") or ()),
                   amount_min=dec(d.get("amount_min")), amount_max=dec(d.get("amount_max")),
                   age_min=num(d.get("age_min")), age_max=num(d.get("age_max")), text=str(d.get("text") or ""))


@dataclass
class _Categorical:
    codes: np.ndarray  # int32 per row, -1 for missing
    values: list[str]  # code -> value

    @classmethod
    def of(cls, arr: pa.Array) -> _Categorical:
        """Codes from Arrow's dictionary encoding: one C pass, no Python object per row."""
        enc = _encoded(arr)
        codes = pc.fill_null(enc.indices, -1).to_numpy(zero_copy_only=False).astype(np.int32, copy=False)
        return cls(codes, [str(v) for v in enc.dictionary.to_pylist()])

    def value(self, row: int) -> str | None:
        code = self.codes[row]
        return None if code < 0 else self.values[code]

    def decode(self, rows: np.ndarray) -> np.ndarray:
        """The values of these rows (None for missing), as an object array."""
        return np.array([*self.values, None], dtype=object)[self.codes[rows]]

    def with_values(self, rows: np.ndarray, new: np.ndarray) -> _Categorical:
        """A copy with these rows set to these values (None: missing); new values get new codes."""
        new_codes, uniques = pd.factorize(pd.Series(new, dtype=object), use_na_sentinel=True)
        values = list(self.values)
        code_of = {v: i for i, v in enumerate(values)}
        lut = np.empty(len(uniques) + 1, dtype=np.int32)
        lut[-1] = -1  # missing stays missing
        for i, v in enumerate(uniques):
            v = str(v)
            if v not in code_of:
                code_of[v] = len(values)
                values.append(v)
            lut[i] = code_of[v]
        codes = self.codes.copy()
        codes[rows] = lut[new_codes]
        return _Categorical(codes, values)

    def mask(self, wanted: frozenset[str], missing_token: str | None = None) -> np.ndarray:
        # A lookup table indexed by code beats np.isin on a million rows; code -1 reads the last slot.
        lut = np.zeros(len(self.values) + 1, dtype=bool)
        for i, v in enumerate(self.values):
            lut[i] = v in wanted
        lut[-1] = missing_token is not None and missing_token in wanted
        return lut[self.codes]


@dataclass
class QueueFrame:
    """Columns of one run's exceptions plus the current row permutation.

    Arrow and numpy columns only: a million rows load without a Python object per cell, and let
    go without freeing millions of them. ``value`` makes one cell a Python value when a view
    shows it; the rest of an exception (diffs, proposal, message) is read by id when opened
    (``workbench.store.queue_read.read_exception``).
    """
    ids: np.ndarray                      # int64 exception ids
    cats: dict[str, _Categorical]        # few distinct values: codes per row (type, status, field, ...)
    text: dict[str, pa.Array]            # many distinct values: Arrow strings (names, ids, values, document)
    amount_text: pa.Array                # the exact Decimal amounts, as text
    search_parts: list[pa.Array]         # what the quick search looks in (SEARCH_FIELDS)
    amounts: np.ndarray                  # float64 keys of the Decimal amounts (see _amount_keys), NaN = none
    ages: np.ndarray                     # int64 days, -1 when unknown
    _order_cache: dict[str, np.ndarray] = field(default_factory=dict)
    _stop_warming: threading.Event = field(default_factory=threading.Event)
    _warming: threading.Lock = field(default_factory=threading.Lock)  # held while warm_orders runs
    _last_search: tuple[str, np.ndarray] | None = None
    _search: pa.Array | None = None      # lowercase haystack per row, made after the load (warm_orders)

    def __len__(self) -> int:
        return len(self.ids)

    # ---- building -------------------------------------------------------------------------
    @classmethod
    def from_table(cls, table: pa.Table, *, today: date | None = None) -> QueueFrame:
        """Build from ``workbench.store.queue_read.read_queue`` (its QUEUE_COLUMNS, in any order).

        Every step is one Arrow or numpy call over whole columns; Arrow's release the GIL, so a
        worker thread building a million rows leaves the window its turns."""
        n = table.num_rows
        today = today or datetime.now(UTC).date()

        def col(name: str) -> pa.Array:
            if name not in table.column_names:
                return pa.nulls(n, pa.string())
            chunks = table.column(name)
            return chunks.chunk(0) if chunks.num_chunks == 1 else chunks.combine_chunks()  # combining copies

        crm_number = col("crm_number")
        has_crm = pc.is_valid(crm_number)
        # The business number of each row (the CRM's, else the ERP's) and the kind of record it numbers.
        document = pc.coalesce(crm_number, col("erp_number"))
        document_kind = pc.if_else(has_crm, _plain(col("crm_object")), _plain(col("erp_object")))
        cats = {c: _Categorical.of(col(c)) for c in _CATEGORICAL}
        cats["document_kind"] = _Categorical.of(document_kind)
        text = {c: col(c) for c in _TEXT}
        text["document"] = document
        ids = (col("id").to_numpy(zero_copy_only=False).astype(np.int64, copy=False)
               if "id" in table.column_names else np.arange(n, dtype=np.int64))
        amount_text = col("amount_at_risk")
        return cls(ids=ids, cats=cats, text=text, amount_text=amount_text,
                   search_parts=[col(c) for c in SEARCH_FIELDS], amounts=_amount_keys(amount_text),
                   ages=_ages(col("first_seen"), today))

    @classmethod
    def from_exceptions(cls, df: pd.DataFrame, *, today: date | None = None) -> QueueFrame:
        """Build from exception rows held in memory (``repo.load_exceptions`` output or alike):
        the same columns as the store gives them, amounts as their exact text."""
        arrays, names = [], []
        for name in df.columns:
            values = df[name].to_numpy(dtype=object)
            if name == "id":
                arrays.append(pa.array(values.astype(np.int64)))
            elif name == "first_seen":
                arrays.append(pa.array(values, from_pandas=True))
            elif name == "amount_at_risk":
                arrays.append(pa.array([None if is_missing(v) else str(v) for v in values], type=pa.string()))
            else:
                arrays.append(_strings(values))
            names.append(name)
        return cls.from_table(pa.table(arrays, names=names), today=today)

    # ---- cells ----------------------------------------------------------------------------
    def value(self, key: str, row: int) -> Any:
        """One cell as a Python value (None when missing): the code or text as stored, the
        amount as a Decimal, the age in days (-1 unknown)."""
        cat = self.cats.get(key)
        if cat is not None:
            return cat.value(row)
        if key == "age":
            return int(self.ages[row])
        if key == "amount_at_risk":
            return _to_decimal(self.amount_text[row].as_py())
        return self.text[key][row].as_py()

    def column(self, key: str) -> np.ndarray:
        """A whole column as Python values (for a few checks and tests, not for painting)."""
        if key in self.cats:
            return self.cats[key].decode(np.arange(len(self)))
        return np.array([self.value(key, i) for i in range(len(self))], dtype=object)

    def record(self, index: int) -> dict[str, Any]:
        """What the queue holds of one row: its id and every column (the full exception is read
        by id, ``workbench.store.queue_read.read_exception``)."""
        out: dict[str, Any] = {"id": int(self.ids[index])}
        for key in [*COLUMN_KEYS, "document_kind"]:
            out[key] = self.value(key, index)
        return out

    def row_of_id(self, exception_id: int) -> int | None:
        hit = np.flatnonzero(self.ids == exception_id)
        return int(hit[0]) if len(hit) else None

    # ---- queries --------------------------------------------------------------------------
    def mask(self, f: QueueFilter, *, skip: str | None = None) -> np.ndarray:
        """Rows that pass every part of the filter (``skip`` leaves one facet out, for counts)."""
        m = np.ones(len(self), dtype=bool)
        if f.types and skip != "types":
            m &= self.cats["type"].mask(f.types)
        if f.severities:
            m &= self.cats["severity"].mask(f.severities)
        if f.statuses:
            m &= self.cats["status"].mask(f.statuses, missing_token="open")
        if f.assignees:
            m &= self.cats["assignee"].mask(f.assignees, missing_token="")
        if f.amount_min is not None or f.amount_max is not None:
            m &= self._amount_mask(f.amount_min, f.amount_max)
        if f.age_min is not None:
            m &= self.ages >= f.age_min
        if f.age_max is not None:
            m &= (self.ages <= f.age_max) & (self.ages >= 0)
        text = f.text.strip().lower()
        if text:
            m &= self._search_mask(text)
        return m

    def _amount_mask(self, lo: Decimal | None, hi: Decimal | None) -> np.ndarray:
        keys = self.amounts
        m = ~np.isnan(keys)
        for bound, keep in ((lo, np.greater_equal), (hi, np.less_equal)):
            if bound is None:
                continue
            b = float(bound)
            with np.errstate(invalid="ignore"):
                m &= keep(keys, b)
            # Rows whose float image equals the bound's may still be on the wrong side: ask Decimal.
            for i in np.flatnonzero(m & (keys == b)):
                if not keep(self.value("amount_at_risk", int(i)), bound):
                    m[i] = False
        return m

    def _search_mask(self, text: str) -> np.ndarray:
        # Typing narrows a search: a query that extends the previous one only needs to look
        # at the previous matches, which keeps each keystroke cheap on a million rows.
        last = self._last_search
        haystack = self.haystack()
        if last is not None and last[0] in text:
            idx = np.flatnonzero(last[1])
            sub = pc.match_substring(haystack.take(pa.array(idx)), text).to_numpy(zero_copy_only=False)
            out = np.zeros(len(self), dtype=bool)
            out[idx[sub]] = True
        else:
            out = pc.match_substring(haystack, text).to_numpy(zero_copy_only=False)
        self._last_search = (text, out)
        return out

    def haystack(self) -> pa.Array:
        """The search fields of each row joined and lowercased. Made once, after the run is on
        screen (``warm_orders``; half a second for a million rows), or by the first search."""
        if self._search is None:
            self._search = _haystack(self.search_parts)
        return self._search

    def type_counts(self, f: QueueFilter) -> dict[str, int]:
        """How many rows of each type match everything but the type filter (for the filter bar)."""
        m = self.mask(f, skip="types")
        cat = self.cats["type"]
        codes = cat.codes[m]
        counts = np.bincount(codes[codes >= 0], minlength=len(cat.values))
        return {cat.values[i]: int(c) for i, c in enumerate(counts) if c}

    def order(self, column: str, descending: bool = False) -> np.ndarray:
        """Row indices sorted by ``column`` (cached per column and direction; missing values last)."""
        base = self._order_cache.get(column)
        if base is None:
            # int32 halves the memory of the cached orders (a million rows fit easily)
            base = self._sort_indices(column).astype(np.int32, copy=False)
            self._order_cache[column] = base
        if not descending:
            return base
        key = f"{column}\x00desc"
        rev = self._order_cache.get(key)
        if rev is None:
            # Reverse, but keep missing values last.
            valid = self._valid(column)[base]
            rev = np.concatenate([base[valid][::-1], base[~valid]])
            self._order_cache[key] = rev
        return rev

    def warm_orders(self) -> int:
        """Sort every column ahead of the user's first click, and make the search haystack ahead
        of the first search (run off the GUI thread after a load).

        numpy and Arrow sorts release the GIL, so this costs the GUI nothing; a click on a column
        not warmed yet simply sorts it then. Returns how many columns were sorted.
        """
        n = 0
        with self._warming:
            if not self._stop_warming.is_set():
                self.haystack()
            for column in COLUMN_KEYS:
                if self._stop_warming.is_set():
                    break
                if column not in self._order_cache:
                    self.order(column)
                    self.order(column, descending=True)
                    n += 1
        return n

    def _forget_order(self, column: str) -> None:
        self._order_cache.pop(column, None)
        self._order_cache.pop(f"{column}\x00desc", None)

    def stop_warming(self) -> None:
        self._stop_warming.set()

    def release(self) -> None:
        """Done with this frame (another run is open): stop sorting ahead, drop the cached orders.

        A background sort that is running finishes first. The columns are Arrow and numpy
        buffers, freed at once whichever thread drops the last reference."""
        self.stop_warming()
        with self._warming:
            self._order_cache.clear()
            self._last_search = None

    def _valid(self, column: str) -> np.ndarray:
        if column == "amount_at_risk":
            return ~np.isnan(self.amounts)
        if column == "age":
            return self.ages >= 0
        if column in self.cats:
            return self.cats[column].codes >= 0
        return pc.is_valid(self.text[column]).to_numpy(zero_copy_only=False)

    def _sort_indices(self, column: str) -> np.ndarray:
        if column == "severity":
            rank = {s: i for i, s in enumerate(SEVERITIES)}
            cat = self.cats["severity"]
            lut = np.array([rank.get(v, len(SEVERITIES)) for v in cat.values] + [len(SEVERITIES) + 1])
            return np.argsort(lut[cat.codes], kind="stable")
        if column == "age":
            key = np.where(self.ages >= 0, self.ages, np.iinfo(np.int64).max)
            return np.argsort(key, kind="stable")
        if column == "amount_at_risk":
            return np.argsort(self.amounts, kind="stable")  # NaN (no amount) sorts last
        if column in self.cats:
            return _order_by_codes(self.cats[column], _SORT_WORDS.get(column))
        values = self.text[column]
        sample = values.take(pa.array(np.arange(0, len(values), max(1, len(values) // 5000))))
        if pc.count_distinct(sample, mode="all").as_py() < len(sample) // 4:
            # Few distinct values (repeated names, values alike): sort the distinct values, then
            # the codes; far cheaper than comparing a million strings.
            return _order_by_codes(_Categorical.of(values))
        lower = pc.utf8_lower(values)  # case-insensitive, like the few-values path; a stable sort
        return pc.array_sort_indices(lower, null_placement="at_end").to_numpy(zero_copy_only=False).astype(np.int64)

    # ---- edits ----------------------------------------------------------------------------
    def prepare_states(self, states: pd.DataFrame) -> dict[str, tuple[_Categorical, np.ndarray]]:
        """Off the GUI thread: new status/assignee columns as the store has them now (others may have
        changed them). Reads the frame only; ``apply_states`` swaps the result in on the GUI thread."""
        pos = pd.Index(self.ids).get_indexer(states["id"].to_numpy(dtype=np.int64))
        known = pos >= 0
        pos = pos[known]
        out = {}
        for column in ("status", "assignee"):
            cat = self.cats[column]
            new = states[column].to_numpy(dtype=object)[known]
            diff = np.asarray(cat.decode(pos) != new, dtype=bool)
            if diff.any():
                out[column] = (cat.with_values(pos[diff], new[diff]), pos[diff])
        return out

    def apply_states(self, prepared: dict[str, tuple[_Categorical, np.ndarray]]) -> int:
        """Swap in what ``prepare_states`` made; returns how many rows changed."""
        rows: set[int] = set()
        for column, (cat, changed) in prepared.items():
            self.cats[column] = cat
            self._forget_order(column)
            rows.update(changed.tolist())
        return len(rows)


def document_text(kind: str | None, number: Any) -> str:
    """"Invoice PSI-103224", "Product P-100", "Customer C10020": the number a person looks the
    record up by, with what it numbers; an em dash when the record has none."""
    if number is None:
        return MISSING
    return f"{document_kind(kind)} {number}" if kind else str(number)


def document_kind(kind: str | None) -> str:
    """What a record's business number numbers: a price's is its product's."""
    return kind_label(_DOCUMENT_KIND.get(kind, kind) if kind else None)


def _encoded(arr: pa.Array) -> pa.DictionaryArray:
    return arr if pa.types.is_dictionary(arr.type) else pc.dictionary_encode(arr)


def _plain(arr: pa.Array) -> pa.Array:
    return arr.cast(arr.type.value_type) if pa.types.is_dictionary(arr.type) else arr


def _haystack(parts: list[pa.Array]) -> pa.Array:
    """What the quick search looks in, per row: the search fields joined, lowercase."""
    return pc.utf8_lower(pc.binary_join_element_wise(*(pc.fill_null(p, "") for p in parts), "\x1f"))


def _order_by_codes(cat: _Categorical, words: Callable[[str], str] | None = None) -> np.ndarray:
    shown = [(words(v) if words else v).lower() for v in cat.values]
    order_of_values = np.argsort(np.array(shown, dtype=object), kind="stable")
    rank = np.empty(len(cat.values) + 1, dtype=np.int64)
    rank[order_of_values] = np.arange(len(cat.values))
    rank[-1] = len(cat.values)  # missing last (code -1 indexes the end)
    return np.argsort(rank[cat.codes], kind="stable")


def _strings(values: np.ndarray) -> pa.Array:
    try:
        if len(values) <= _SLICE:
            return pa.array(values, type=pa.string(), from_pandas=True)
        # Reading a million Python strings is one GIL-holding call: slice it (see _SLICE).
        return pa.concat_arrays([pa.array(values[i:i + _SLICE], type=pa.string(), from_pandas=True)
                                 for i in range(0, len(values), _SLICE)])
    except (pa.ArrowInvalid, pa.ArrowTypeError):  # numbers or Decimals among the values
        return pa.array([None if is_missing(v) else str(v) for v in values], type=pa.string())


_SLICE = 100_000  # rows per GIL-holding C call when Python values become Arrow strings


def _amount_keys(text: pa.Array) -> np.ndarray:
    """float64 images of the exact Decimal amounts (stored as text), used only to order and
    pre-select rows.

    Arrow parses decimal text to the nearest double, and that rounding is monotonic, so ordering
    by it is the Decimal order (equal images only for amounts alike in their first 15 significant
    digits); range filters recheck the rows whose image equals a bound's image against the exact
    Decimal. NaN marks a missing amount.
    """
    try:
        keys = pc.cast(text, pa.float64())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):  # text that is no plain number: one by one
        images = [None if d is None else float(d) for d in (_to_decimal(v) for v in text.to_pylist())]
        keys = pa.array(images, type=pa.float64())
    return keys.to_numpy(zero_copy_only=False)  # nulls become NaN


def _to_decimal(v: Any) -> Decimal | None:
    if v is None or isinstance(v, Decimal):
        return v
    try:
        return Decimal(str(v))
    except InvalidOperation:
        return None


def _ages(first_seen: pa.Array, today: date) -> np.ndarray:
    # A run's exceptions share few first-seen times: convert the distinct ones, not a million.
    # (SQLite gives them as text, PostgreSQL as UTC timestamps; text without an offset is UTC.)
    enc = _encoded(first_seen.cast(pa.string()) if pa.types.is_null(first_seen.type) else first_seen)
    codes = pc.fill_null(enc.indices, -1).to_numpy(zero_copy_only=False)
    ser = pd.to_datetime(pd.Series(enc.dictionary.to_pylist(), dtype=object), utc=True, errors="coerce",
                         format="mixed")
    days = (pd.Timestamp(today, tz="UTC") - ser.dt.floor("D")).dt.days.fillna(-1).to_numpy(dtype=np.int64)
    lut = np.append(days, -1)  # code -1 (missing) picks the last entry
    return lut[codes]
