"""The sandbox org's records in one SQLite file, so writes persist across pulls and restarts.

One table per sObject, one column per field. Money and quantities are kept as
decimal text (exact) and compared numerically in queries; datetimes as
``2026-10-31T12:00:00.000+0000`` text, which sorts in time order.
"""

from __future__ import annotations

import itertools
import sqlite3
import threading
from datetime import date, datetime, UTC
from decimal import Decimal
from pathlib import Path
from types import TracebackType
from typing import Any

from workbench.model import ids
from workbench.sandbox.salesforce import soql
from workbench.sandbox.salesforce.objects import OBJECTS, FieldDef, ObjectDef

_B62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def now_stamp(moment: datetime | None = None) -> str:
    d = (moment or datetime.now(UTC)).astimezone(UTC)
    return d.strftime("%Y-%m-%dT%H:%M:%S.") + f"{d.microsecond // 1000:03d}+0000"


def to_json_value(f: FieldDef, v: Any) -> Any:
    if v is None:
        return None
    if f.type == "boolean":
        return bool(v)
    if f.numeric:
        return Decimal(str(v))
    return v


def to_csv_value(f: FieldDef, v: Any) -> str:
    """Bulk API 2.0 CSV: empty for null, true/false, datetimes with a Z."""
    if v is None:
        return ""
    if f.type == "boolean":
        return "true" if v else "false"
    if f.type == "datetime":
        return str(v)[:23] + "Z"
    return str(v)


class OrgStore:
    """Thread-safe access to the sandbox org's SQLite file."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.lock = threading.RLock()
        self.db = sqlite3.connect(str(self.path), check_same_thread=False, isolation_level=None)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.create_collation(soql.CI, soql.casefold_compare)
        self.db.create_function("sf_like", 2, soql.like, deterministic=True)
        self._counter = itertools.count(1)
        self._last_stamp = ""
        with self.lock:
            for obj in OBJECTS.values():
                cols = ", ".join(f'"{f.name}" {"INTEGER" if f.type == "boolean" else "TEXT"}'
                                 for f in obj.fields.values())
                self.db.execute(f'CREATE TABLE IF NOT EXISTS "{obj.name}" (_seq INTEGER PRIMARY KEY, {cols})')
                self.db.execute(f'CREATE UNIQUE INDEX IF NOT EXISTS "ix_{obj.name}_id" ON "{obj.name}" ("Id")')
            # How many times each record was updated: lets tests and benchmarks prove "written once".
            self.db.execute('CREATE TABLE IF NOT EXISTS "_writes" '
                            '(obj TEXT, id TEXT, n INTEGER, PRIMARY KEY (obj, id))')
            # When each object's deleted records were last removed for good (``purge``): getDeleted's
            # earliestDateAvailable, before which its delete log is no longer complete.
            self.db.execute('CREATE TABLE IF NOT EXISTS "_purged" (obj TEXT PRIMARY KEY, stamp TEXT)')
            n = sum(self.db.execute(f'SELECT COUNT(*) FROM "{o}"').fetchone()[0] for o in OBJECTS)
            self._counter = itertools.count(n + 1)

    def close(self) -> None:
        with self.lock:
            self.db.close()

    def is_empty(self) -> bool:
        with self.lock:
            n: int = self.db.execute('SELECT COUNT(*) FROM "Account"').fetchone()[0]
        return n == 0

    # ids and stamps -------------------------------------------------------------
    def new_id(self, obj: ObjectDef) -> str:
        n = next(self._counter)
        body = ""
        for _ in range(9):
            n, r = divmod(n, 62)
            body = _B62[r] + body
        base = obj.prefix + "Wb0" + body  # "Wb0": a pod-like marker that keeps ids mixed-case
        return ids.to_18(base)

    def stamp(self) -> str:
        """A modstamp strictly later than the previous one, so every write is visible as a change."""
        s = now_stamp()
        if s <= self._last_stamp:
            last = datetime.strptime(self._last_stamp[:23], "%Y-%m-%dT%H:%M:%S.%f").replace(tzinfo=UTC)
            from datetime import timedelta
            s = now_stamp(last + timedelta(milliseconds=1))
        self._last_stamp = s
        return s

    # reads ------------------------------------------------------------------------
    def select(self, q: soql.Query) -> list[tuple[Any, ...]]:
        """Rows of the selected columns, then one parent Id per relationship joined."""
        names = ", ".join([c.sql for c in q.fields] + [f'{j.alias}."Id"' for j in q.joins]) or 't."Id"'
        sql = f'SELECT {names} FROM "{q.obj.name}" t{_joins(q)} WHERE {_live(q)}'
        if q.where_sql:
            sql += f" AND ({q.where_sql})"
        sql += f" ORDER BY {q.order_sql}, t._seq" if q.order_sql else " ORDER BY t._seq"
        if q.limit is not None or q.offset:
            sql += f" LIMIT {q.limit if q.limit is not None else -1} OFFSET {q.offset}"
        with self.lock:
            return self.db.execute(sql, q.params).fetchall()

    def count(self, q: soql.Query) -> int:
        sql = f'SELECT COUNT(*) FROM "{q.obj.name}" t{_joins(q)} WHERE {_live(q)}'
        if q.where_sql:
            sql += f" AND ({q.where_sql})"
        with self.lock:
            n: int = self.db.execute(sql, q.params).fetchone()[0]
        if q.offset:
            n = max(0, n - q.offset)
        return min(n, q.limit) if q.limit is not None else n

    def get(self, obj: ObjectDef, record_id: str, include_deleted: bool = False) -> dict[str, Any] | None:
        names = list(obj.fields)
        sql = f'SELECT {", ".join(chr(34) + n + chr(34) for n in names)} FROM "{obj.name}" WHERE "Id" = ?'
        with self.lock:
            row = self.db.execute(sql, [record_id]).fetchone()
        if row is None:
            return None
        rec = dict(zip(names, row))
        if rec["IsDeleted"] and not include_deleted:
            return None
        return rec

    # writes -----------------------------------------------------------------------
    def insert(self, obj: ObjectDef, values: dict[str, Any], stamp: str | None = None) -> str:
        rec = {k: _store_value(obj.fields[k], v) for k, v in values.items() if k in obj.fields}
        rec.setdefault("Id", self.new_id(obj))
        s = stamp or self.stamp()
        rec.setdefault("CreatedDate", s)
        rec.setdefault("LastModifiedDate", s)
        rec.setdefault("SystemModstamp", rec["LastModifiedDate"])
        rec["IsDeleted"] = 0
        names = list(rec)
        with self.lock:
            self.db.execute(f'INSERT INTO "{obj.name}" ({", ".join(chr(34) + n + chr(34) for n in names)}) '
                            f'VALUES ({", ".join("?" for _ in names)})', [rec[n] for n in names])
        return str(rec["Id"])

    def update(self, obj: ObjectDef, record_id: str, values: dict[str, Any]) -> str:
        """Write fields and move LastModifiedDate/SystemModstamp; returns the new stamp."""
        s = self.stamp()
        rec = {k: _store_value(obj.fields[k], v) for k, v in values.items()}
        rec["LastModifiedDate"] = s
        rec["SystemModstamp"] = s
        sets = ", ".join(f'"{k}" = ?' for k in rec)
        with self.lock:
            cur = self.db.execute(f'UPDATE "{obj.name}" SET {sets} WHERE "Id" = ?', [*rec.values(), record_id])
            if cur.rowcount:
                self.db.execute('INSERT INTO "_writes" (obj, id, n) VALUES (?, ?, 1) '
                                'ON CONFLICT (obj, id) DO UPDATE SET n = n + 1', [obj.name, record_id])
            shown = {f: rec[f] for f in SHOWN_FROM_PRODUCT if f in rec} if obj.name == "Product2" else {}
            if shown and cur.rowcount:
                # the price book entries show the product's new values; they are not written, so not stamped
                self.db.execute(f'UPDATE "PricebookEntry" SET {", ".join(f"{chr(34)}{f}{chr(34)} = ?" for f in shown)}'
                                ' WHERE "Product2Id" = ?', [*shown.values(), record_id])
        return s

    def write_count(self, obj: ObjectDef, record_id: str) -> int:
        """Updates this record has received since the org was seeded."""
        with self.lock:
            row = self.db.execute('SELECT n FROM "_writes" WHERE obj = ? AND id = ?', [obj.name, record_id]).fetchone()
        return row[0] if row else 0

    def delete(self, obj: ObjectDef, record_id: str, stamp: str | None = None) -> None:
        """Move the record to the Recycle Bin: IsDeleted, and SystemModstamp = when (now unless given)."""
        s = stamp or self.stamp()
        with self.lock:
            self.db.execute(f'UPDATE "{obj.name}" SET "IsDeleted" = 1, "SystemModstamp" = ? WHERE "Id" = ?',
                            [s, record_id])

    def purge(self, obj: ObjectDef, record_ids: list[str]) -> int:
        """Remove deleted records for good, as emptying the Recycle Bin does (by a user, ``emptyRecycleBin()``,
        a Bulk ``hardDelete``, or the org when its bin is over its limit): neither queryAll nor getDeleted
        returns them afterwards, and getDeleted's earliestDateAvailable moves to now. How many went."""
        with self.lock:
            gone = self.db.execute(f'DELETE FROM "{obj.name}" WHERE "IsDeleted" = 1 AND "Id" IN '
                                   f'({", ".join("?" for _ in record_ids)})', list(record_ids)).rowcount
            self.db.execute('INSERT OR REPLACE INTO "_purged" (obj, stamp) VALUES (?, ?)', [obj.name, self.stamp()])
        return int(gone)

    def purged_at(self, obj: ObjectDef) -> str | None:
        with self.lock:
            row = self.db.execute('SELECT stamp FROM "_purged" WHERE obj = ?', [obj.name]).fetchone()
        return None if row is None else str(row[0])

    def deleted_between(self, obj: ObjectDef, start: str, end: str) -> list[tuple[str, str]]:
        """(Id, deletion stamp) of records deleted in [start, end): a deletion moves SystemModstamp."""
        with self.lock:
            rows = self.db.execute(f'SELECT "Id", "SystemModstamp" FROM "{obj.name}" WHERE "IsDeleted" = 1 '
                                   f'AND "SystemModstamp" >= ? AND "SystemModstamp" < ? ORDER BY "SystemModstamp"',
                                   [start, end]).fetchall()
        return [(str(a), str(b)) for a, b in rows]

    def transaction(self) -> _Tx:
        return _Tx(self)


# PricebookEntry's ProductCode and Name are its product's, read-only (Object Reference, PricebookEntry: Name
# "references the value in the Name field of the Product2 object"; ProductCode, "Product code for this record")
SHOWN_FROM_PRODUCT = ("ProductCode", "Name")


def _joins(q: soql.Query) -> str:
    """The parents a query selects or filters on, joined by their relationship's reference field."""
    return "".join(f' LEFT JOIN "{j.obj.name}" {j.alias} ON {j.alias}."Id" = t."{j.ref.name}"'
                   f' AND {j.alias}."IsDeleted" = 0' for j in q.joins)


def _live(q: soql.Query) -> str:
    return "1 = 1" if q.include_deleted else 't."IsDeleted" = 0'


class _Tx:
    def __init__(self, store: OrgStore):
        self.store = store

    def __enter__(self) -> OrgStore:
        self.store.lock.acquire()
        self.store.db.execute("BEGIN")
        return self.store

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        try:
            self.store.db.execute("ROLLBACK" if exc_type else "COMMIT")
        finally:
            self.store.lock.release()


def _store_value(f: FieldDef, v: Any) -> Any:
    if v is None:
        return None
    if f.type == "boolean":
        if isinstance(v, str):
            return 1 if v.strip().lower() == "true" else 0
        return 1 if v else 0
    if f.numeric:
        if isinstance(v, float):
            v = repr(v)
        d = Decimal(str(v))
        return format(d, "f")
    if f.type == "datetime":
        if isinstance(v, datetime):
            return now_stamp(v if v.tzinfo else v.replace(tzinfo=UTC))
        return soql._norm_datetime(str(v))
    if f.type == "date":
        return v.isoformat() if isinstance(v, date) else str(v)[:10]
    return str(v)
