"""Reading a run's exception queue into Arrow columns, from SQLite and from PostgreSQL."""

from __future__ import annotations

from datetime import date, datetime, UTC
from decimal import Decimal

import pyarrow as pa
import pytest
from sqlalchemy import insert

from workbench.store import queue_file, queue_read
from workbench.store.schema import ExceptionRow, Run

SEEN = datetime(2026, 10, 20, 9, 30, tzinfo=UTC)


def _run(store) -> int:
    with store.session() as s:
        run = Run(name="October close", status="completed", started_at=SEEN, as_of=date(2026, 10, 31),
                  user_name="alice", software_version="test")
        s.add(run)
        s.flush()
        return run.id


def _row(run_id: int, i: int, **kw) -> dict:
    row = {"run_id": run_id, "key": f"k{i}", "type": "invoice.status_mismatch", "family": "invoice",
           "severity": "high", "status": "open", "crm_object": "invoices", "crm_id": f"a0B{i:015d}",
           "erp_object": "invoices", "erp_id": f"INV-{i}", "crm_number": None, "erp_number": None,
           "customer_name": None, "field": "status", "crm_value": "open", "erp_value": "paid",
           "amount_at_risk": None, "currency": None, "diffs": None, "proposal": None, "message": None,
           "assignee": None, "first_seen": SEEN, "last_seen": SEEN, "version": 1}
    row.update(kw)
    return row


def _seed(store, rows: list[dict]) -> None:
    with store.session() as s:
        s.execute(insert(ExceptionRow), rows)


@pytest.fixture(params=["sqlite", "sqlite-child", "sqlite-child-halves", "postgresql", "postgresql-halves"])
def any_store(request, monkeypatch):
    """Each way a run is read: SQLite on the app's cursor, SQLite through ADBC in a child process
    (a large run), PostgreSQL through ADBC; the ADBC ones also as a very large run is, in two halves of
    its ids read at once."""
    if request.param.startswith("sqlite-child"):
        monkeypatch.setattr(queue_read, "_CHILD_FROM_ROWS", 0)
    if request.param.endswith("-halves"):
        monkeypatch.setattr(queue_read, "_SPLIT_FROM_ROWS", 2)
    return request.getfixturevalue("pg_store" if request.param.startswith("postgresql") else "store")


def test_the_queue_columns_come_back_as_stored_with_exact_amounts(any_store):
    run_id = _run(any_store)
    other = _run(any_store)
    _seed(any_store, [
        _row(run_id, 1, customer_name="Ærø Fisk A/S", amount_at_risk=Decimal("1200.00"), currency="EUR",
             crm_number="INV-1", assignee="bob", diffs=[{"field": "status", "crm": "open", "erp": "paid"}],
             message="Invoice INV-1 is paid in the ERP"),
        _row(run_id, 2, amount_at_risk=Decimal("123456789012345678.10"), currency="KWD", status="waived"),
        _row(run_id, 3, amount_at_risk=Decimal("5"), currency="JPY", erp_number="P-3"),
        _row(other, 4, customer_name="another run"),
    ])
    table = queue_read.read_queue(any_store, run_id)
    assert table.column_names == queue_read.QUEUE_COLUMNS
    assert table.column("id").type == pa.int64() and table.column("amount_at_risk").type == pa.string()
    rows = table.to_pylist()
    assert len(rows) == 3 and [r["id"] for r in rows] == sorted(r["id"] for r in rows)
    # the exact text of each amount, scale kept: no float ever rounds a controller's number
    assert [r["amount_at_risk"] for r in rows] == ["1200.00", "123456789012345678.10", "5"]
    assert rows[0]["customer_name"] == "Ærø Fisk A/S" and rows[1]["customer_name"] is None
    assert [(r["crm_number"], r["erp_number"]) for r in rows] == [("INV-1", None), (None, None), (None, "P-3")]
    assert [(r["status"], r["assignee"]) for r in rows] == [("open", "bob"), ("waived", None), ("open", None)]
    first_seen = rows[0]["first_seen"]  # text on SQLite, a UTC timestamp on PostgreSQL: the same instant
    assert (datetime.fromisoformat(first_seen).replace(tzinfo=UTC) if isinstance(first_seen, str)
            else first_seen) == SEEN
    # the rest of an exception is read by id when it is opened
    full = queue_read.read_exception(any_store, rows[0]["id"])
    assert full["diffs"] == [{"field": "status", "crm": "open", "erp": "paid"}]
    assert full["message"] == "Invoice INV-1 is paid in the ERP" and full["amount_at_risk"] == Decimal("1200.00")
    assert queue_read.read_exception(any_store, 10_000) is None


def test_a_column_empty_all_through_the_first_batch_still_reads_its_text_after_it(store):
    # The SQLite driver guesses a column's type from its first batch of rows: a guess from NULLs
    # alone must not make it reject the first document number that follows (as when a run has
    # grown since it was counted, so that it no longer fits the one batch it was given).
    run_id = _run(store)
    n = queue_file.SQLITE_BATCH_ROWS + 3
    _seed(store, [_row(run_id, i, erp_number="P-late" if i == n - 1 else None) for i in range(n)])
    table = queue_read._read_sqlite_in_a_child(store.engine.url.database, run_id, rows=0)
    assert table.num_rows == n
    numbers = table.column("erp_number")
    assert numbers.type == pa.string() and numbers.null_count == n - 1 and numbers[n - 1].as_py() == "P-late"


def test_a_run_without_exceptions_reads_as_an_empty_queue(any_store):
    table = queue_read.read_queue(any_store, _run(any_store))
    assert table.num_rows == 0 and table.column_names == queue_read.QUEUE_COLUMNS


def test_a_run_whose_ids_interleave_with_another_run_s_reads_whole_and_in_order(any_store):
    # two runs saved at once in team mode take ids from one sequence: a run read in two halves of its id
    # range must still give every one of its exceptions once, in order, and none of the other run's
    run_id, other = _run(any_store), _run(any_store)
    _seed(any_store, [_row(run_id if i % 3 else other, i, customer_name=f"C{i}") for i in range(30)])
    table = queue_read.read_queue(any_store, run_id)
    names = table.column("customer_name").to_pylist()
    assert names == [f"C{i}" for i in range(30) if i % 3]
    assert table.column("id").to_pylist() == sorted(table.column("id").to_pylist())
