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
from datetime import datetime
from decimal import Decimal
from collections.abc import Callable, Collection, Iterable, Sequence
from contextlib import AbstractContextManager, nullcontext
from typing import Any

from sqlalchemy import Table
from sqlalchemy.orm import Session

from workbench.jsonable import plain
from workbench.progress import TaskState, check_cancelled

BATCH = 20_000  # rows per driver call; a cancel is seen between batches


def insert(s: Session, table: Table, columns: dict[str, Sequence[Any]], state: TaskState | None = None,
           plain_json: Collection[str] = (), echo: Collection[str] = (),
           lock: AbstractContextManager[Any] | None = None) -> dict[str, list[Any]]:
    """Insert the rows whose values ``columns`` holds column by column (all the same length).

    ``lock``: held for each write to the connection (another thread writes to it too, see
    ``snapshots.Saving``); the values are made ready for the driver without it.

    ``plain_json``: JSON columns that store ``plain(v)`` of each value (see ``_json_texts``).
    ``echo``: columns whose values, as ``read`` would give them back, are returned (see ``_echo``);
    a column the store might give back otherwise than sent is left out (to be read back)."""
    names = list(columns)
    lock = lock or nullcontext()
    echoed: dict[str, list[Any]] = {}
    if not names:
        return echoed
    conn = s.connection()
    dialect = conn.dialect
    values: list[Sequence[Any]] = []
    for name in names:
        process = table.c[name].type.dialect_impl(dialect).bind_processor(dialect)
        parsed: list[Any] | None = None
        if process is None:
            values.append(columns[name])
        elif name in plain_json:
            parsed = [] if name in echo else None
            values.append(_json_texts(columns[name], process, parsed))
        else:
            values.append(_bound(columns[name], process))
        if name in echo:
            got = _echo(table, name, dialect, values[-1], parsed)
            if got is not None:
                echoed[name] = got
    n = len(values[0])
    driver = conn.connection.driver_connection
    assert driver is not None
    cursor = driver.cursor()
    try:
        if dialect.name == "postgresql":
            quoted = ", ".join(dialect.identifier_preparer.quote(c) for c in names)
            copy = f"COPY {dialect.identifier_preparer.quote(table.name)} ({quoted}) FROM STDIN"
            for start in range(0, n, BATCH):
                with lock, cursor.copy(copy) as cp:
                    for row in zip(*(v[start:start + BATCH] for v in values), strict=True):
                        cp.write_row(row)
                check_cancelled(state)
        else:
            sql = (f"INSERT INTO {table.name} ({', '.join(names)}) "
                   f"VALUES ({', '.join('?' for _ in names)})")
            for start in range(0, n, BATCH):
                rows = list(zip(*(v[start:start + BATCH] for v in values), strict=True))
                with lock:
                    cursor.executemany(sql, rows)
                check_cancelled(state)
    finally:
        cursor.close()
    return echoed


def _echo(table: Table, column: str, dialect: Any, sent: Sequence[Any], parsed: list[Any] | None) -> list[Any] | None:
    """The values ``read`` gives back for a column sent to the driver as ``sent`` (bind processors
    applied), or equal ones, without reading them; None where that is not certain.

    Text sent to a text column (String, Text, JSONText; ExactDecimal on SQLite) comes back as it was
    sent, on SQLite also in a date-time column (whose text never reads as a number): the column's own
    result processor makes of it what ``read`` would; JSON columns: ``parsed`` (see ``_json_texts``),
    the same JSON values. On PostgreSQL a NUMERIC gives back a Decimal of the same digits and scale
    unless its exponent is positive or it is a negative zero, and a timestamptz the same instant of
    an aware time (a naive one is read in the session's time zone)."""
    from sqlalchemy import DateTime, String

    from workbench.store.types import ExactDecimal, JSONText
    col_type = table.c[column].type
    if not isinstance(col_type, (String, ExactDecimal, JSONText, DateTime)) or dialect.name not in ("sqlite",
                                                                                                  "postgresql"):
        return None
    kinds = set(map(type, sent)) - {type(None)}
    if dialect.name == "postgresql" and isinstance(col_type, ExactDecimal):
        return list(sent) if kinds <= {Decimal} and all(_numeric_keeps(v) for v in sent if v is not None) else None
    if dialect.name == "postgresql" and isinstance(col_type, DateTime):
        aware = kinds <= {datetime} and all(v.utcoffset() is not None for v in sent if v is not None)
        return list(sent) if aware else None
    if not all(issubclass(k, str) for k in kinds):  # an int or a float: SQLite may give it back as text
        return None
    if kinds - {str}:  # a StrEnum is stored, and read back, as its text
        sent = [v if v is None else str.__str__(v) for v in sent]
    if isinstance(col_type, JSONText):
        return parsed
    convert = _converter(table, column, dialect, None)
    return list(sent) if convert is None else convert(sent)


def _numeric_keeps(d: Decimal) -> bool:
    """Whether PostgreSQL's NUMERIC gives ``d`` back with its digits and scale (``1E+3`` comes back
    as ``1000``, ``-0.00`` as ``0.00``)."""
    exponent = d.as_tuple().exponent
    return isinstance(exponent, int) and exponent <= 0 and not (d.is_zero() and d.is_signed())


def _bound(values: Sequence[Any], process: Callable[[Any], Any]) -> list[Any]:
    """``process`` of each value, made once for each value object (a run's timestamp is one object
    in every row): the processors of these columns make the same of the same object."""
    made: dict[int, Any] = {}
    out: list[Any] = []
    for v in values:
        key = id(v)  # the objects are alive in ``values`` meanwhile: an id stands for one object
        if key in made:
            out.append(made[key])
        else:
            out.append(made.setdefault(key, process(v)))
    return out


_NATIVE_JSON = json.JSONEncoder(sort_keys=True, ensure_ascii=False, allow_nan=False).encode


def _json_texts(values: Iterable[Any], process: Callable[[Any], Any], parsed: list[Any] | None = None) -> list[Any]:
    """What the JSON column (bind processor ``process``) stores for ``plain(v)`` of each value.

    The engine's evidence, diffs and proposals are JSON values already: those are encoded as they
    are, in one C call each, rather than copied through ``plain`` and then encoded. Anything else
    (a Decimal, a date, a numpy number, NaN, a key that is not text) goes through ``plain`` and
    the column's own processor, so the stored text is the same either way.

    ``parsed``, if given, receives what reading each stored text back parses to, or a value that
    encodes to the same JSON: ``v`` itself where its text is ``v`` encoded as it is (a JSON value
    with text keys and finite numbers reads back equal, tuples as lists)."""
    out: list[Any] = []
    for v in values:
        text = None
        if v is not None and _text_keys(v):
            try:
                text = _NATIVE_JSON(v)
            except (TypeError, ValueError):  # not a JSON value as it is
                pass
        if text is None:
            text = process(plain(v))
            if parsed is not None:
                parsed.append(None if text is None else json.loads(text))
        elif parsed is not None:
            parsed.append(v)
        out.append(text)
    return out


_TEXT = frozenset((str,))
_NESTED = frozenset((dict, list, tuple))


def _text_keys(v: Any) -> bool:
    """Whether every dict key in ``v`` is text (``plain`` turns other keys into text, which sorts
    and reads differently: 10 before 2, "True" for true). Flat values (an evidence's scores, a
    diff) are looked at in C, without a Python call per key."""
    if type(v) is dict:
        if not _TEXT.issuperset(map(type, v)):
            return False
        inner: Iterable[Any] = v.values()
    elif type(v) in (list, tuple):
        inner = v
    else:
        return True
    return _NESTED.isdisjoint(map(type, inner)) or all(_text_keys(x) for x in inner if type(x) in _NESTED)


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
