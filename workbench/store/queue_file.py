"""A run's exception queue read from a SQLite file through ADBC into an Arrow IPC file.

Runs in a child process (``workbench.store.queue_read`` starts it), never in the app's: the ADBC
SQLite driver carries its own copy of the SQLite library, and two copies in one process break
SQLite's POSIX locking. This module imports only pyarrow (and the driver when it runs), so a
child that has not imported the core ahead starts in a fraction of a second.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pyarrow as pa
import pyarrow.compute as pc

from workbench.progress import TaskState

# What the queue needs of each exception (app/models/queue_frame.py): its id, the shown columns,
# what the Document column and the quick search are made of, and first_seen for the age.
QUEUE_COLUMNS = ["id", "type", "severity", "status", "assignee", "currency", "field", "customer_name",
                 "crm_object", "crm_number", "erp_object", "erp_number", "crm_id", "erp_id", "crm_value",
                 "erp_value", "amount_at_risk", "first_seen"]
TEXT_COLUMNS = QUEUE_COLUMNS[1:-1]
# Columns with few distinct values in a run: handed over dictionary-encoded (codes and the
# distinct values), which halves what crosses between the processes.
FEW_VALUES = ("type", "severity", "status", "assignee", "currency", "field", "crm_object", "erp_object",
              "first_seen")
# The driver's smallest batch (it infers each column's type from the first batch).
SQLITE_BATCH_ROWS = 65_536
def id_ranges(rows: int, low: int, high: int, split_from: int) -> list[tuple[int, int]]:
    """The run's ids ``low``..``high`` (inclusive) as the ranges read at once: two halves from ``split_from``
    exceptions on, each then read on its own connection and thread (the drivers fill Arrow buffers without
    the GIL, so on two cores a million rows take half the time), else one. The first range's ids all come
    before the second's, so the halves joined are in id order."""
    if rows < split_from or high <= low:
        return [(low, high)]
    mid = low + (high - low) // 2
    return [(low, mid), (mid + 1, high)]


def joined(parts: list[pa.Table]) -> pa.Table:
    """The halves as one table of one chunk per column, in order. Column by column: ``Table.combine_chunks``
    takes ten times as long for the same copy."""
    if len(parts) == 1 and all(c.num_chunks <= 1 for c in parts[0].columns):
        return parts[0]
    whole = pa.concat_tables(parts)
    return pa.table([c.combine_chunks() for c in whole.columns], names=whole.column_names)


def read_at_once(read: Callable[[int, int], pa.Table], ranges: list[tuple[int, int]]) -> pa.Table:
    """``read(low, high)`` of each range, each on its own thread, joined in order."""
    if len(ranges) == 1:
        return joined([read(*ranges[0])])
    with ThreadPoolExecutor(max_workers=len(ranges), thread_name_prefix="queue-read") as pool:
        return joined(list(pool.map(lambda r: read(*r), ranges)))


def write_queue_file(path: str, run_id: int, out: str, rows: int, ids: tuple[int, int] = (0, 2**62),
                     split_from: int = 2**62, *, state: TaskState | None = None) -> None:
    """In the child process: the run's queue (about ``rows`` exceptions, ids within ``ids``) read through
    ADBC into the Arrow IPC file ``out``, in two halves at once from ``split_from`` rows (``id_ranges``).

    This process opens the SQLite file with ADBC's library only (no SQLAlchemy connection), so
    it holds one copy of SQLite, as every process using the file must."""
    # The driver's own bindings, not its DB-API module, which imports pyarrow.dataset (0.3 s more
    # before a large run is on screen).
    import adbc_driver_manager
    import adbc_driver_sqlite

    # The driver infers each column's type from the first batch; a column NULL all through it
    # (say, no exception in the first batch has an ERP number) would be taken as int64 and the
    # first text after it would fail the read. A first row of text in every text column
    # settles the types; it is dropped once read.
    first = ", ".join(["0 AS id", *(f"'' AS {c}" for c in TEXT_COLUMNS), "'' AS first_seen"])
    ranges = id_ranges(rows, *ids, split_from)

    def read(low: int, high: int) -> pa.Table:
        sql = (f"SELECT {first} UNION ALL SELECT * FROM (SELECT {', '.join(QUEUE_COLUMNS)} FROM exceptions "
               f"WHERE run_id = {int(run_id)} AND id BETWEEN {int(low)} AND {int(high)} ORDER BY id)")
        with adbc_driver_sqlite.connect(path) as db, adbc_driver_manager.AdbcConnection(db) as conn, \
                adbc_driver_manager.AdbcStatement(conn) as statement:
            # All in one batch where the run allows: no copy to join batches, on either side.
            batch = max(rows // len(ranges) + 2, SQLITE_BATCH_ROWS)
            statement.set_options(**{"adbc.sqlite.query.batch_rows": str(batch)})
            statement.set_sql_query(sql)
            stream, _ = statement.execute_query()
            return pa.RecordBatchReader.from_stream(stream).read_all().slice(1)

    table = read_at_once(read, ranges)  # one chunk a column: an IPC file takes one dictionary per column
    for name in FEW_VALUES:
        i = table.schema.get_field_index(name)
        table = table.set_column(i, name, pc.dictionary_encode(table.column(i)))
    with pa.OSFile(out, "wb") as sink, pa.ipc.new_file(sink, table.schema) as writer:
        writer.write_table(table)
