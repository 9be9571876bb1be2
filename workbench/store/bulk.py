"""Many rows into and out of one table through the DB-API, in the caller's transaction.

An ORM or Core statement builds a parameter dict or a Row per row and runs it through
SQLAlchemy's statement machinery; at a million exceptions that was most of a run's save
time and of the app's time to open a run. Here values go through each column type's own
bind or result processor (so they are stored and read exactly as through the ORM: Decimal
as text on SQLite, JSON text, UTC times) and straight to the driver: ``executemany`` on
SQLite, ``COPY ... FROM STDIN`` on PostgreSQL, ``fetchmany`` to read.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Iterable, Sequence
from typing import Any

from sqlalchemy import Table
from sqlalchemy.orm import Session

from workbench.jsonable import plain
from workbench.progress import TaskState, check_cancelled

BATCH = 20_000  # rows per driver call; a cancel is seen between batches


def insert(s: Session, table: Table, columns: dict[str, Sequence[Any]], state: TaskState | None = None,
           plain_json: Collection[str] = ()) -> None:
    """Insert the rows whose values ``columns`` holds column by column (all the same length).

    ``plain_json``: JSON columns that store ``plain(v)`` of each value (see ``_json_texts``)."""
    names = list(columns)
    if not names:
        return
    conn = s.connection()
    dialect = conn.dialect
    values: list[Sequence[Any]] = []
    for name in names:
        process = table.c[name].type.dialect_impl(dialect).bind_processor(dialect)
        if process is None:
            values.append(columns[name])
        elif name in plain_json:
            values.append(_json_texts(columns[name], process))
        else:
            values.append([process(v) for v in columns[name]])
    n = len(values[0])
    driver = conn.connection.driver_connection
    assert driver is not None
    cursor = driver.cursor()
    try:
        if dialect.name == "postgresql":
            quoted = ", ".join(dialect.identifier_preparer.quote(c) for c in names)
            for start in range(0, n, BATCH):
                with cursor.copy(f"COPY {dialect.identifier_preparer.quote(table.name)} ({quoted}) FROM STDIN") as cp:
                    for row in zip(*(v[start:start + BATCH] for v in values), strict=True):
                        cp.write_row(row)
                check_cancelled(state)
        else:
            sql = (f"INSERT INTO {table.name} ({', '.join(names)}) "
                   f"VALUES ({', '.join('?' for _ in names)})")
            for start in range(0, n, BATCH):
                cursor.executemany(sql, list(zip(*(v[start:start + BATCH] for v in values), strict=True)))
                check_cancelled(state)
    finally:
        cursor.close()


_NATIVE_JSON = json.JSONEncoder(sort_keys=True, ensure_ascii=False, allow_nan=False).encode


def _json_texts(values: Iterable[Any], process: Callable[[Any], Any]) -> list[Any]:
    """What the JSON column (bind processor ``process``) stores for ``plain(v)`` of each value.

    The engine's evidence, diffs and proposals are JSON values already: those are encoded as they
    are, in one C call each, rather than copied through ``plain`` and then encoded. Anything else
    (a Decimal, a date, a numpy number, NaN, a key that is not text) goes through ``plain`` and
    the column's own processor, so the stored text is the same either way."""
    out: list[Any] = []
    for v in values:
        text = None
        if v is not None and _text_keys(v):
            try:
                text = _NATIVE_JSON(v)
            except (TypeError, ValueError):  # not a JSON value as it is
                pass
        out.append(text if text is not None else process(plain(v)))
    return out


def _text_keys(v: Any) -> bool:
    """Whether every dict key in ``v`` is text (``plain`` turns other keys into text, which sorts
    and reads differently: 10 before 2, "True" for true)."""
    if type(v) is dict:
        return all(type(k) is str for k in v) and all(_text_keys(x) for x in v.values()
                                                       if type(x) in (dict, list, tuple))
    if type(v) in (list, tuple):
        return all(_text_keys(x) for x in v if type(x) in (dict, list, tuple))
    return True


FETCH_ROWS = 5_000  # rows per fetch; see read()


def read(s: Session, table: Table, columns: list[str], run_id: int) -> list[list[Any]]:
    """The run's rows of ``table`` in id order, column by column, as the ORM would give the values.

    Fetched and converted a slice of rows at a time: the app reads runs on a worker thread, and
    a million rows fetched or converted in one C call would hold the GIL (and freeze the window)
    for seconds. A value that many rows share (a run's timestamp, an amount) is converted once:
    only for types whose values are immutable (dates, Decimal), never for JSON.
    """
    conn = s.connection()
    dialect = conn.dialect
    mark = "?" if dialect.paramstyle == "qmark" else "%s"
    q = dialect.identifier_preparer.quote
    sql = (f"SELECT {', '.join(q(c) for c in columns)} FROM {q(table.name)} "
           f"WHERE run_id = {mark} ORDER BY id")
    out: list[list[Any]] = [[] for _ in columns]
    driver = conn.connection.driver_connection
    assert driver is not None
    cursor = driver.cursor()
    try:
        cursor.execute(sql, (run_id,))
        convert = [_converter(table, c, dialect, d[1]) for c, d in zip(columns, cursor.description, strict=True)]
        while rows := cursor.fetchmany(FETCH_ROWS):
            for column, values, conv in zip(out, zip(*rows, strict=True), convert, strict=True):
                column.extend(values if conv is None else conv(values))
    finally:
        cursor.close()
    return out


def _converter(table: Table, column: str, dialect: Any,
               coltype: Any) -> Callable[[Sequence[Any]], list[Any]] | None:
    from sqlalchemy import Date, DateTime

    from workbench.store.types import ExactDecimal
    col_type = table.c[column].type
    process = col_type.dialect_impl(dialect).result_processor(dialect, coltype)
    if process is None:
        return None
    if isinstance(col_type, (DateTime, Date, ExactDecimal)):
        seen: dict[Any, Any] = {}

        def shared(values: Sequence[Any]) -> list[Any]:
            out: list[Any] = []
            for v in values:
                if v is None:
                    out.append(None)
                    continue
                got = seen.get(v)
                if got is None:
                    got = seen[v] = process(v)
                out.append(got)
            return out
        return shared
    return lambda values: [None if v is None else process(v) for v in values]
