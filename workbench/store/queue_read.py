"""A run's exception queue straight into Arrow columns, and one exception's full row by id.

Opening a run of a million exceptions through the ORM, or any DB-API cursor, makes a Python
object of every cell: tens of millions, several CPU-seconds with the GIL held. The ADBC drivers
(Apache Arrow's database connectivity) fill Arrow buffers in C instead. Only the columns the
queue shows, filters, sorts and searches are read; the rest of a row (diffs, proposal, message,
...) is read by id when a person opens that exception (``read_exception``).

- PostgreSQL: ``adbc-driver-postgresql`` (libpq, the result as binary COPY), in this process.
- SQLite, a large run: ``adbc-driver-sqlite`` in a child process (``workbench.isolated`` runs
  ``workbench.store.queue_file``), which hands the table back as an Arrow IPC file. Never in
  this process: that driver carries its own copy of the SQLite library, and two copies in one
  process break SQLite's POSIX locking (a close in one copy drops the other's locks, and a
  closing connection may think it is the last one and checkpoint and delete the WAL under the
  app's open connections: "How To Corrupt An SQLite Database File", section 2.2.1,
  sqlite.org/howtocorrupt.html).
- SQLite, a small run: the app's own connection and cursor, built into Arrow a slice at a time;
  below ``_CHILD_FROM_ROWS`` that is quicker than starting a process.

From ``_SPLIT_FROM_ROWS`` exceptions both ADBC paths read two halves of the run's ids at once, each on its
own connection and thread (``queue_file.id_ranges``): the drivers work without the GIL, so the two cores
share the work (a million exceptions: PostgreSQL 3.7 s -> 2.7 s, SQLite 2.8 s -> 2.4 s, the app's whole open).

Values are text as stored: an amount is its exact decimal text (PostgreSQL's NUMERIC is cast
to text in the query, which keeps its scale), never a float.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy import func, select

from workbench.errors import ConfigError
from workbench.store.db import Store, redact
from workbench.store.queue_file import QUEUE_COLUMNS, TEXT_COLUMNS, id_ranges, read_at_once, write_queue_file
from workbench.store.schema import ExceptionRow

# From this many exceptions a SQLite run is read in a child process (about half a second to start
# one; the cursor in this process takes about that for 100,000 rows, and five seconds for a million).
_CHILD_FROM_ROWS = 100_000
_FETCH_ROWS = 5_000  # rows per fetch on the cursor path: each slice holds the GIL only briefly
# From this many exceptions the ADBC paths read two halves of the run at once (queue_file.id_ranges): below
# it, a second connection and thread cost more than they save.
_SPLIT_FROM_ROWS = 200_000


def read_queue(store: Store, run_id: int) -> pa.Table:
    """The run's exceptions in id order: ``id`` int64, text columns as strings (those in
    ``queue_file.FEW_VALUES`` may come dictionary-encoded), ``first_seen`` as stored (SQLite: text; PostgreSQL:
    a UTC timestamp)."""
    run_id = int(run_id)  # goes into the SQL text below: an int and nothing else
    dialect = store.engine.dialect.name
    if dialect == "sqlite":
        path = store.engine.url.database
        rows, ids = _count(store, run_id)
        if path and path != ":memory:" and rows >= _CHILD_FROM_ROWS:
            table = _read_sqlite_in_a_child(os.path.abspath(path), run_id, rows, ids)
        else:
            table = _read_with_cursor(store, run_id)
    elif dialect == "postgresql":
        table = _read_postgresql(store, run_id, *_count(store, run_id))
    else:
        raise ConfigError(f"the database {redact(store.url)} is neither SQLite nor PostgreSQL; "
                          "the app opens runs from those two")
    return _in_id_order(_typed(table))


def load_driver(store: Store) -> None:
    """Import the driver ``read_queue`` uses in this process for this store, ahead of the first
    read: loading it (a C library with libpq inside) holds the GIL for a tenth of a second,
    which a worker thread's first read would turn into a frozen window."""
    if store.engine.dialect.name == "postgresql":
        import adbc_driver_postgresql.dbapi  # noqa: F401 - imported for its load time only


def read_exception(store: Store, exception_id: int) -> dict[str, Any] | None:
    """Every stored field of one exception, with the values the ORM gives (Decimal, datetime,
    parsed JSON); None when there is no such exception (deleted meanwhile)."""
    with store.session() as s:
        row = s.execute(select(ExceptionRow.__table__).where(ExceptionRow.id == int(exception_id))).mappings().first()
        return None if row is None else dict(row)


def _count(store: Store, run_id: int) -> tuple[int, tuple[int, int]]:
    """How many exceptions the run has at most, and their lowest and highest id: the two ends of the run's
    index (``ix_exceptions_run_id``, on run and id), where counting a million rows takes a tenth of a second.
    Each end is its own subquery: asked together in one SELECT, SQLite walks every entry of the run instead
    (0.12 s at a million exceptions; apart, each is one index lookup). Its ids are as many as its exceptions
    unless another run's were saved in between (team mode): then fewer are read than counted."""
    ends: tuple[int | None, int | None]  # None, None: a run without exceptions
    of_run = ExceptionRow.run_id == run_id
    with store.session() as s:
        ends = tuple(s.execute(select(select(func.min(ExceptionRow.id)).where(of_run).scalar_subquery(),
                                      select(func.max(ExceptionRow.id)).where(of_run).scalar_subquery())
                               ).one())
    low, high = ends
    if low is None or high is None:
        return 0, (0, 0)
    return int(high) - int(low) + 1, (int(low), int(high))


def _read_with_cursor(store: Store, run_id: int) -> pa.Table:
    sql = f"SELECT {', '.join(QUEUE_COLUMNS)} FROM exceptions WHERE run_id = {run_id} ORDER BY id"
    parts: list[list[pa.Array]] = [[] for _ in QUEUE_COLUMNS]
    with store.session() as s:
        driver = s.connection().connection.driver_connection
        assert driver is not None
        cursor = driver.cursor()
        try:
            cursor.execute(sql)
            while rows := cursor.fetchmany(_FETCH_ROWS):
                for part, name, values in zip(parts, QUEUE_COLUMNS, zip(*rows, strict=True), strict=True):
                    part.append(pa.array(values, type=pa.int64() if name == "id" else pa.string()))
        finally:
            cursor.close()
    return pa.table([pa.concat_arrays(p) if p else pa.array([], pa.int64() if n == "id" else pa.string())
                     for p, n in zip(parts, QUEUE_COLUMNS, strict=True)], names=QUEUE_COLUMNS)


def _read_sqlite_in_a_child(path: str, run_id: int, rows: int, ids: tuple[int, int] = (0, 2**62)) -> pa.Table:
    from workbench.isolated import run_isolated

    fd, out = tempfile.mkstemp(prefix="workbench-queue-", suffix=".arrow")
    os.close(fd)
    try:
        run_isolated(write_queue_file, path, run_id, out, rows, ids, _SPLIT_FROM_ROWS)
        with pa.OSFile(out) as f:  # read whole (the file goes at once, on every platform)
            return pa.ipc.open_file(f).read_all()
    finally:
        with contextlib.suppress(OSError):
            os.unlink(out)


def _read_postgresql(store: Store, run_id: int, rows: int, ids: tuple[int, int]) -> pa.Table:
    import adbc_driver_postgresql.dbapi

    # libpq takes the same URL without SQLAlchemy's driver suffix; a password not in the URL
    # comes from the environment (PGPASSWORD, ~/.pgpass) for libpq as it does for psycopg.
    uri = store.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    columns = ", ".join("amount_at_risk::text AS amount_at_risk" if c == "amount_at_risk" else c
                        for c in QUEUE_COLUMNS)

    def read(low: int, high: int) -> pa.Table:
        # No bound parameter: with none, the driver reads the result as binary COPY.
        sql = (f"SELECT {columns} FROM exceptions WHERE run_id = {run_id} AND id BETWEEN {int(low)} AND "
               f"{int(high)} ORDER BY id")
        with adbc_driver_postgresql.dbapi.connect(uri) as conn, conn.cursor() as cur:
            # Batches of about a whole run: joining many small ones would copy every string once more.
            cur.adbc_statement.set_options(**{"adbc.postgresql.batch_size_hint_bytes": str(1 << 30)})
            cur.execute(sql)
            return cur.fetch_arrow_table()

    return read_at_once(read, id_ranges(rows, *ids, _SPLIT_FROM_ROWS))


def _typed(table: pa.Table) -> pa.Table:
    """The same types from either driver (PostgreSQL's int4 id, an all-NULL SQLite column),
    without the drivers' column metadata."""
    columns = []
    for name in QUEUE_COLUMNS:
        col = table.column(name)
        want = pa.int64() if name == "id" else pa.string() if name in TEXT_COLUMNS else None
        if want is not None and col.type != want and not pa.types.is_dictionary(col.type):
            col = col.cast(want)
        if name == "first_seen" and pa.types.is_null(col.type):
            col = col.cast(pa.string())
        columns.append(col.chunk(0) if col.num_chunks == 1 else col.combine_chunks())  # combining copies
    return pa.table(columns, names=QUEUE_COLUMNS)


def _in_id_order(table: pa.Table) -> pa.Table:
    ids = table.column("id")
    if len(ids) < 2 or pc.all(pc.greater(ids.slice(1), ids.slice(0, len(ids) - 1))).as_py():
        return table
    return table.take(pc.sort_indices(ids))
