"""A run's exception queue read from a SQLite file through ADBC into an Arrow IPC file.

Runs in a child process (``workbench.store.queue_read`` starts it), never in the app's: the ADBC
SQLite driver carries its own copy of the SQLite library, and two copies in one process break
SQLite's POSIX locking. This module imports only pyarrow (and the driver when it runs), so a
child that has not imported the core ahead starts in a fraction of a second.
"""

from __future__ import annotations

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


def write_queue_file(path: str, run_id: int, out: str, rows: int, *, state: TaskState | None = None) -> None:
    """In the child process: the run's queue (about ``rows`` exceptions) read through ADBC into
    the Arrow IPC file ``out``.

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
    sql = (f"SELECT {first} UNION ALL SELECT * FROM (SELECT {', '.join(QUEUE_COLUMNS)} "
           f"FROM exceptions WHERE run_id = {int(run_id)} ORDER BY id)")
    with adbc_driver_sqlite.connect(path) as db, adbc_driver_manager.AdbcConnection(db) as conn, \
            adbc_driver_manager.AdbcStatement(conn) as statement:
        # All in one batch where the run allows: no copy to join batches, on either side.
        statement.set_options(**{"adbc.sqlite.query.batch_rows": str(max(rows + 1, SQLITE_BATCH_ROWS))})
        statement.set_sql_query(sql)
        stream, _ = statement.execute_query()
        table = pa.RecordBatchReader.from_stream(stream).read_all().slice(1)
    if any(column.num_chunks > 1 for column in table.columns):
        table = table.combine_chunks()  # a copy, but an IPC file takes one dictionary per column
    for name in FEW_VALUES:
        i = table.schema.get_field_index(name)
        table = table.set_column(i, name, pc.dictionary_encode(table.column(i)))
    with pa.OSFile(out, "wb") as sink, pa.ipc.new_file(sink, table.schema) as writer:
        writer.write_table(table)
