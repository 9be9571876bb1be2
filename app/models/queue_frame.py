"""The exception queue as columns: filter, search and sort in numpy/pyarrow, no Qt.

Built once per loaded run (off the GUI thread); afterwards every user action is a
vectorised pass over a million rows, never a Python loop. The Qt model
(``exception_table.py``) only indexes into these arrays through ``perm``.
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
_CATEGORICAL = ("type", "severity", "status", "assignee", "currency")
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
    def of(cls, arr: np.ndarray) -> _Categorical:
        codes, uniques = pd.factorize(pd.Series(arr, dtype=object), use_na_sentinel=True)
        return cls(codes.astype(np.int32, copy=False), [str(u) for u in uniques])

    def mask(self, wanted: frozenset[str], missing_token: str | None = None) -> np.ndarray:
        # A lookup table indexed by code beats np.isin on a million rows; code -1 reads the last slot.
        lut = np.zeros(len(self.values) + 1, dtype=bool)
        for i, v in enumerate(self.values):
            lut[i] = v in wanted
        lut[-1] = missing_token is not None and missing_token in wanted
        return lut[self.codes]


@dataclass
class QueueFrame:
    """Columns of one run's exceptions plus the current row permutation."""
    ids: np.ndarray                      # int64 exception ids
    cols: dict[str, np.ndarray]          # object arrays, one per column key (raw values)
    keys: np.ndarray                     # object array: exception key (for history)
    records: pd.DataFrame                # the full exception rows (diffs, proposal, message, ...)
    search: pa.Array                     # lowercase haystack per row
    amounts: np.ndarray                  # float64 keys of the Decimal amounts (see _amount_keys), NaN = none
    ages: np.ndarray                     # int64 days, -1 when unknown
    cats: dict[str, _Categorical] = field(default_factory=dict)
    _order_cache: dict[str, np.ndarray] = field(default_factory=dict)
    _stop_warming: threading.Event = field(default_factory=threading.Event)
    _warming: threading.Lock = field(default_factory=threading.Lock)  # held while warm_orders runs
    _last_search: tuple[str, np.ndarray] | None = None

    def __len__(self) -> int:
        return len(self.ids)

    # ---- building -------------------------------------------------------------------------
    @classmethod
    def from_exceptions(cls, df: pd.DataFrame, *, today: date | None = None) -> QueueFrame:
        """Build from ``repo.load_exceptions`` output (EXCEPTION_COLUMNS + id, status, assignee, ...)."""
        n = len(df)
        today = today or datetime.now(UTC).date()

        def col(name: str) -> np.ndarray:
            if name not in df.columns:
                return np.full(n, None, dtype=object)
            # Rows from the store hold None for missing values already; asking pandas to map NaNs
            # would scan every column (seconds on a million rows).
            return df[name].to_numpy(dtype=object)

        cols = {k: col(k) for k in COLUMN_KEYS if k not in ("age", "document")}
        cols["document"], cols["document_kind"] = _documents(col("crm_object"), col("crm_number"),
                                                             col("erp_object"), col("erp_number"))
        for k in ("status", "assignee"):  # edited in place when the core changes them
            cols[k] = cols[k].copy()
        first_seen = col("first_seen")
        ages = _ages(first_seen, today)
        cols["age"] = ages
        ids = df["id"].to_numpy(dtype=np.int64) if "id" in df.columns else np.arange(n, dtype=np.int64)
        search = _haystack(df, n)
        amounts = _amount_keys(cols["amount_at_risk"])
        frame = cls(ids=ids, cols=cols, keys=col("key"), records=df.reset_index(drop=True), search=search,
                    amounts=amounts, ages=ages)
        for c in _CATEGORICAL:
            frame.cats[c] = _Categorical.of(cols[c])
        return frame

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
        exact = self.cols["amount_at_risk"]
        for bound, keep in ((lo, np.greater_equal), (hi, np.less_equal)):
            if bound is None:
                continue
            b = float(bound)
            with np.errstate(invalid="ignore"):
                m &= keep(keys, b)
            # Rows whose float image equals the bound's may still be on the wrong side: ask Decimal.
            for i in np.flatnonzero(m & (keys == b)):
                if not keep(_to_decimal(exact[i]), bound):
                    m[i] = False
        return m

    def _search_mask(self, text: str) -> np.ndarray:
        # Typing narrows a search: a query that extends the previous one only needs to look
        # at the previous matches, which keeps each keystroke cheap on a million rows.
        last = self._last_search
        if last is not None and last[0] in text:
            idx = np.flatnonzero(last[1])
            sub = pc.match_substring(self.search.take(pa.array(idx)), text).to_numpy(zero_copy_only=False)
            out = np.zeros(len(self), dtype=bool)
            out[idx[sub]] = True
        else:
            out = pc.match_substring(self.search, text).to_numpy(zero_copy_only=False)
        self._last_search = (text, out)
        return out

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
        """Sort every column ahead of the user's first click (run off the GUI thread after a load).

        numpy and Arrow sorts release the GIL, so this costs the GUI nothing; a click on a column
        not warmed yet simply sorts it then. Returns how many columns were sorted.
        """
        n = 0
        with self._warming:
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
        """Let go of the rows a slice at a time, on a worker, once no screen shows this frame.

        Dropping a million-row frame frees tens of millions of Python objects in one C call
        (0.65 s with the GIL held, measured), and the window freezes whichever thread does it.
        Emptying the object columns slice by slice spreads that out; the arrays of None left
        behind then go in an instant. Nothing may read the frame afterwards.
        """
        self.stop_warming()
        with self._warming:  # a background sort that is running finishes first
            arrays = [*self.cols.values(), self.keys]
            arrays += [self.records[c].to_numpy() for c in self.records.columns if self.records[c].dtype == object]
            for values in arrays:
                _clear_in_slices(values)
            self._order_cache.clear()
            self._last_search = None

    def _valid(self, column: str) -> np.ndarray:
        if column == "amount_at_risk":
            return ~np.isnan(self.amounts)
        if column == "age":
            return self.ages >= 0
        if column in self.cats:
            return self.cats[column].codes >= 0
        return pd.notna(pd.Series(self.cols[column], dtype=object)).to_numpy()

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
        values = self.cols[column]
        sample = values[:: max(1, len(values) // 5000)]
        if len(set(sample.tolist())) < len(sample) // 4:
            # Few distinct values (field names, statuses as text, repeated names): sort the distinct
            # values, then the codes; far cheaper than comparing a million strings.
            return _order_by_codes(_Categorical.of(values))
        arr = pc.utf8_lower(_strings(values))  # case-insensitive, like the few-values path
        return pc.array_sort_indices(arr, null_placement="at_end").to_numpy(zero_copy_only=False).astype(np.int64)

    # ---- edits ----------------------------------------------------------------------------
    def prepare_states(self, states: pd.DataFrame) -> dict[str, tuple[np.ndarray, _Categorical, np.ndarray]]:
        """Off the GUI thread: new status/assignee columns as the store has them now (others may have
        changed them). Reads the frame only; ``apply_states`` swaps the result in on the GUI thread."""
        pos = pd.Index(self.ids).get_indexer(states["id"].to_numpy(dtype=np.int64))
        known = pos >= 0
        pos = pos[known]
        out = {}
        for column in ("status", "assignee"):
            new = states[column].to_numpy(dtype=object)[known]
            diff = np.asarray(self.cols[column][pos] != new, dtype=bool)
            if diff.any():
                col = self.cols[column].copy()
                col[pos[diff]] = new[diff]
                out[column] = (col, _Categorical.of(col), pos[diff])
        return out

    def apply_states(self, prepared: dict[str, tuple[np.ndarray, _Categorical, np.ndarray]]) -> int:
        """Swap in what ``prepare_states`` made; returns how many rows changed."""
        rows: set[int] = set()
        for column, (col, cat, changed) in prepared.items():
            self.cols[column] = col
            self.cats[column] = cat
            if column in self.records.columns:
                self.records.iloc[changed, self.records.columns.get_loc(column)] = col[changed]
            self._forget_order(column)
            rows.update(changed.tolist())
        return len(rows)

    def row_of_id(self, exception_id: int) -> int | None:
        hit = np.flatnonzero(self.ids == exception_id)
        return int(hit[0]) if len(hit) else None

    def record(self, index: int) -> dict[str, Any]:
        row = self.records.iloc[index].to_dict()
        return {k: (None if is_missing(v) else v) for k, v in row.items()}


def document_text(kind: str | None, number: Any) -> str:
    """"Invoice PSI-103224", "Product P-100", "Customer C10020": the number a person looks the
    record up by, with what it numbers; an em dash when the record has none."""
    if number is None:
        return MISSING
    return f"{document_kind(kind)} {number}" if kind else str(number)


def document_kind(kind: str | None) -> str:
    """What a record's business number numbers: a price's is its product's."""
    return kind_label(_DOCUMENT_KIND.get(kind, kind) if kind else None)


def _documents(crm_kind: np.ndarray, crm_number: np.ndarray, erp_kind: np.ndarray,
               erp_number: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The business number of each row (the CRM's, else the ERP's) and the kind of record it numbers.
    Whole-array selects: no Python per row, so a million-row load does not feel it."""
    has_crm = pd.notna(pd.Series(crm_number, dtype=object)).to_numpy()
    number = np.where(has_crm, crm_number, erp_number)
    kind = np.where(has_crm, crm_kind, erp_kind)
    return number, kind


def _haystack(df: pd.DataFrame, n: int) -> pa.Array:
    parts = []
    for name in SEARCH_FIELDS:
        if name in df.columns:
            parts.append(pc.fill_null(_strings(df[name].to_numpy(dtype=object)), ""))
    if not parts:
        return pa.array([""] * n, type=pa.string())
    return pc.utf8_lower(pc.binary_join_element_wise(*parts, "\x1f"))


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


_SLICE = 100_000  # rows per GIL-holding C call when a worker thread prepares or releases a million rows


def _clear_in_slices(values: np.ndarray) -> None:
    if values.dtype != object:
        return
    if not values.flags.writeable:  # pandas hands out read-only views of its columns
        try:
            values.setflags(write=True)
        except ValueError:
            return  # not ours to empty: it is freed whole, later
    for start in range(0, len(values), _SLICE):
        values[start:start + _SLICE] = None


def _amount_keys(values: np.ndarray) -> np.ndarray:
    """float64 images of the Decimal amounts, used only to order and pre-select rows.

    Rounding to float is monotonic, so ordering by it is the Decimal order (equal images only
    for amounts alike in their first 15 significant digits); range filters recheck the rows
    whose image equals a bound's image against the exact Decimal. NaN marks a missing amount.
    """
    try:
        # In slices: this runs on a worker thread, and one C call over a million Decimals holds
        # the GIL for 100 ms and more, which the GUI thread would feel as a frozen window.
        out = np.empty(len(values))
        for start in range(0, len(values), _SLICE):
            out[start:start + _SLICE] = np.array(values[start:start + _SLICE], dtype=np.float64)  # None -> NaN
        return out
    except (TypeError, ValueError, InvalidOperation):
        out = np.full(len(values), np.nan)
        for i, v in enumerate(values):
            d = _to_decimal(v)
            if d is not None:
                out[i] = float(d)
        return out


def _to_decimal(v: Any) -> Decimal | None:
    if v is None or isinstance(v, Decimal):
        return v
    try:
        return Decimal(str(v))
    except InvalidOperation:
        return None


def _ages(first_seen: np.ndarray, today: date) -> np.ndarray:
    # A run's exceptions share few first-seen times: convert the distinct ones, not a million.
    codes, uniques = pd.factorize(pd.Series(first_seen, dtype=object), use_na_sentinel=True)
    ser = pd.to_datetime(pd.Series(uniques, dtype=object), utc=True, errors="coerce", format="mixed")
    days = (pd.Timestamp(today, tz="UTC") - ser.dt.floor("D")).dt.days.fillna(-1).to_numpy(dtype=np.int64)
    lut = np.append(days, -1)  # code -1 (missing) picks the last entry
    return lut[codes]
