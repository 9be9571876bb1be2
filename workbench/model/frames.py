"""Canonical pandas frames: one per record kind, columns = the record's fields.

Money and quantities are Decimal objects in object columns (exact; Decimal
arithmetic is C-fast enough for millions of rows). Dates are ``datetime.date``
objects, ids and names are Python strings, missing values are None.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from workbench.model.records import KINDS, field_names


def columns(kind: str) -> list[str]:
    return field_names(kind)


def empty(kind: str) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series([], dtype=object) for c in columns(kind)})


def from_records(kind: str, records: Iterable[object]) -> pd.DataFrame:
    """Build a frame from dataclass records (or dicts with the canonical keys)."""
    cols = columns(kind)
    rows = list(records)
    if not rows:
        return empty(kind)
    # column by column: one object array per column, not a table of rows turned on its side (half the time)
    dicts = [r if isinstance(r, dict) else {c: getattr(r, c) for c in cols} for r in rows]
    data = {c: [r.get(c) for r in dicts] for c in cols}
    return pd.DataFrame(data, columns=cols, dtype=object)


def conform(kind: str, frame: pd.DataFrame) -> pd.DataFrame:
    """Add missing optional columns as None and order columns canonically."""
    out = frame.copy()
    for c in columns(kind):
        if c not in out.columns:
            out[c] = None
    return out[columns(kind)]


__all__ = ["KINDS", "columns", "empty", "from_records", "conform"]
