"""What a screen re-reads after an action changed some records: the exceptions' status and
assignee, the customer links' decision. Only the changed ids, so one proposal does not
re-read a million-row run."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

import pandas as pd
from sqlalchemy import Select, select

from workbench.store.chunks import chunks
from workbench.store.db import Store
from workbench.store.schema import CustomerLink, ExceptionRow


EXCEPTION_STATE = ["id", "status", "assignee"]
LINK_STATE = ["id", "status", "decided_by", "version"]


def exception_states(store: Store, ids: Collection[int]) -> pd.DataFrame:
    """Status and assignee of these exceptions as the store has them now (unknown ids left out)."""
    return _read(store, ExceptionRow, EXCEPTION_STATE, ids)


def link_states(store: Store, ids: Collection[int]) -> pd.DataFrame:
    """Decision (status, by whom, version) of these customer links as the store has them now."""
    return _read(store, CustomerLink, LINK_STATE, ids)


def _read(store: Store, table: Any, columns: list[str], ids: Collection[int]) -> pd.DataFrame:
    wanted = sorted({int(i) for i in ids})
    rows: list[Any] = []
    if not wanted:
        return pd.DataFrame(rows, columns=columns, dtype=object)
    with store.session() as s:
        for part in chunks(wanted):
            q: Select[Any] = select(*(getattr(table, c) for c in columns)).where(table.id.in_(part))
            rows.extend(s.execute(q).all())
    return pd.DataFrame([tuple(r) for r in rows], columns=columns, dtype=object)
