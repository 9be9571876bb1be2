"""Many rows into one table through the DB-API, in the caller's transaction.

An ORM or Core insert builds a parameter dict per row and runs it through SQLAlchemy's
statement machinery; at a million exceptions that was most of a run's save time. Here the
values go through each column type's own bind processor (so they are stored exactly as an
ORM insert would store them: Decimal as text on SQLite, JSON text, UTC times) and then
straight to the driver: ``executemany`` on SQLite, ``COPY ... FROM STDIN`` on PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Table
from sqlalchemy.orm import Session

from workbench.progress import TaskState, check_cancelled

BATCH = 20_000  # rows per driver call; a cancel is seen between batches


def insert(s: Session, table: Table, columns: dict[str, Sequence[Any]], state: TaskState | None = None) -> None:
    """Insert the rows whose values ``columns`` holds column by column (all the same length)."""
    names = list(columns)
    if not names:
        return
    conn = s.connection()
    dialect = conn.dialect
    values: list[Sequence[Any]] = []
    for name in names:
        process = table.c[name].type.bind_processor(dialect)
        values.append(columns[name] if process is None else [process(v) for v in columns[name]])
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
