"""The sandbox's SQLite store: one table of JSON records per entity set.

Records are kept in the flavour's own wire shape (Business Central fields, Odoo
fields, ERPNext fields) so a pull returns exactly what was stored and a push is
seen by the next pull, across restarts of the sandbox on the same state dir.
Money stays exact: Decimals are written as JSON number literals, never floats.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from decimal import Decimal
from pathlib import Path
from typing import Any
from collections.abc import Callable, Iterable, Iterator

from workbench.sources.http_common import encode_json as dumps

# An SQL condition on a records row and its parameters: a pre-selection, never the whole test.
SqlHint = tuple[str, tuple[Any, ...]]
# The stamp an incremental reader filters on (Business Central's lastModifiedDateTime), and the rows with a stamp
# that is not UTC text to the millisecond (as the flavour writes it): while an entity has none, and no record
# without a stamp, comparing its stamps as text is comparing the instants.
STAMP_SQL = "json_extract(data, '$.lastModifiedDateTime')"
ODD_STAMP_SQL = (f"{STAMP_SQL} NOT GLOB "
                 f"'[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9].[0-9][0-9][0-9]Z'")


def loads(text: str | bytes) -> Any:
    return json.loads(text, parse_float=Decimal)


class RecordStore:
    """Thread-safe record table. Reads use a connection per thread; writes serialise."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self._local = threading.local()
        self._write_lock = threading.Lock()
        self._edits: dict[str, int] = {}  # per entity, records added, changed or deleted by this process (``edits``)
        con = self._con()
        con.executescript(
            f"""
            PRAGMA journal_mode=WAL;
            CREATE TABLE IF NOT EXISTS records (
                entity TEXT NOT NULL, seq INTEGER NOT NULL, id TEXT NOT NULL,
                version INTEGER NOT NULL DEFAULT 1, data TEXT NOT NULL,
                PRIMARY KEY (entity, id));
            CREATE UNIQUE INDEX IF NOT EXISTS records_seq ON records(entity, seq);
            -- the stamp, indexed as the service's own table is, with the keys a key-only read of a range of it
            -- answers (covering): counting or listing the ids of a range reads no record
            DROP INDEX IF EXISTS records_stamp;
            CREATE INDEX IF NOT EXISTS records_stamp_keys ON records(entity, {STAMP_SQL}, seq, id, version);
            -- the few rows with a stamp in another form, so telling whether an entity has any reads no record
            -- (a NULL stamp is no entry; the stamp index finds those)
            CREATE INDEX IF NOT EXISTS records_stamp_other ON records(entity) WHERE {ODD_STAMP_SQL};
            CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
            """)
        con.commit()

    def _con(self) -> sqlite3.Connection:
        con = getattr(self._local, "con", None)
        if con is None:
            con = sqlite3.connect(self.path, timeout=30, check_same_thread=False)
            con.execute("PRAGMA synchronous=NORMAL")
            self._local.con = con
            cons = self.__dict__.setdefault("_all", [])
            cons.append(con)
        return con

    def close(self) -> None:
        for con in self.__dict__.get("_all", []):
            try:
                con.close()
            except sqlite3.Error:
                pass

    # -- meta ---------------------------------------------------------------
    def get_meta(self, key: str) -> str | None:
        row = self._con().execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        with self._write_lock:
            con = self._con()
            con.execute("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", (key, value))
            con.commit()

    def is_seeded(self) -> bool:
        return self.get_meta("seeded") == "1"

    # -- records ------------------------------------------------------------
    def insert_many(self, entity: str, rows: Iterable[tuple[str, dict[str, Any]]], batch: int = 20_000) -> int:
        """Append records (id, data) in order; returns how many were written."""
        n = 0
        with self._write_lock:
            con = self._con()
            start = con.execute("SELECT COALESCE(MAX(seq), 0) FROM records WHERE entity=?",
                                (entity,)).fetchone()[0]
            buf: list[tuple[Any, ...]] = []
            for rid, data in rows:
                n += 1
                buf.append((entity, start + n, rid, dumps(data)))
                if len(buf) >= batch:
                    con.executemany("INSERT INTO records(entity, seq, id, data) VALUES (?,?,?,?)", buf)
                    buf.clear()
            if buf:
                con.executemany("INSERT INTO records(entity, seq, id, data) VALUES (?,?,?,?)", buf)
            con.commit()
            self._edits[entity] = self._edits.get(entity, 0) + 1
        return n

    def edits(self, entity: str) -> int:
        """How many times records of ``entity`` were added, changed or deleted by this process: an answer
        worked out (and kept) at another count may no longer be the one a database would give."""
        return self._edits.get(entity, 0)

    def count(self, entity: str) -> int:
        n: int = self._con().execute("SELECT COUNT(*) FROM records WHERE entity=?", (entity,)).fetchone()[0]
        return n

    def get(self, entity: str, rid: str) -> tuple[dict[str, Any], int] | None:
        row = self._con().execute("SELECT data, version FROM records WHERE entity=? AND id=?",
                                  (entity, rid)).fetchone()
        return (loads(row[0]), row[1]) if row else None

    def scan(self, entity: str, after_seq: int = 0, chunk: int = 5_000, where: SqlHint | None = None,
             *, indexed: bool = False) -> Iterator[tuple[int, dict[str, Any], int]]:
        """(seq, data, version) in insertion order after ``after_seq``; ``where`` (an SQL condition on
        the row and its parameters) may leave out rows the caller's own test would refuse anyway, so
        they are never decoded. ``indexed``: ``where`` bounds the stamp (``{STAMP_SQL} > ?``), and the rows
        are found through the stamp's index, as ``page_texts`` finds them (SQLite would otherwise walk
        every record of the entity in seq order for the ORDER BY)."""
        con = self._con()
        cond, params = where if where is not None else ("1", ())
        index = "INDEXED BY records_stamp_keys" if indexed and where is not None else ""
        while True:
            rows = con.execute(
                f"SELECT seq, data, version FROM records {index} WHERE entity=? AND seq>? AND ({cond}) "
                f"ORDER BY seq LIMIT ?",
                (entity, after_seq, *params, chunk)).fetchall()
            if not rows:
                return
            # one decode for the whole chunk: far fewer Python-level calls than one per record
            decoded = loads("[" + ",".join(r[1] for r in rows) + "]")
            for (seq, _, version), data in zip(rows, decoded):
                yield seq, data, version
            after_seq = rows[-1][0]

    def slice(self, entity: str, offset: int, limit: int | None) -> list[dict[str, Any]]:
        rows = self._con().execute(
            "SELECT data FROM records WHERE entity=? ORDER BY seq LIMIT ? OFFSET ?",
            (entity, -1 if limit is None else limit, offset)).fetchall()
        return [loads(r[0]) for r in rows]

    def seq_of_id(self, entity: str, rid: int) -> int:
        """The place of the record with id ``rid``; where it is gone, of the last record before it by id (ids
        count up as records are added, so their places follow the ids); 0 where there is none."""
        con = self._con()
        row = con.execute("SELECT seq FROM records WHERE entity=? AND id=?", (entity, str(rid))).fetchone()
        if row is None:
            row = con.execute("SELECT MAX(seq) FROM records WHERE entity=? AND CAST(id AS INTEGER) <= ?",
                              (entity, rid)).fetchone()
        return int(row[0] or 0)

    def page(self, entity: str, after_seq: int, limit: int,
             keep: Callable[[dict[str, Any]], bool] | None = None, where: SqlHint | None = None,
             *, indexed: bool = False) -> tuple[list[tuple[dict[str, Any], int]], int | None]:
        """Up to ``limit`` records after ``after_seq`` that pass ``keep``; and the seq to resume
        from when more may follow (None at the end). ``where``, ``indexed``: see ``scan``."""
        out: list[tuple[dict[str, Any], int]] = []
        last = after_seq
        # chunks of about a page: most records read pass (a page by id, changes the ``where`` narrowed), and a
        # bigger chunk decodes records only to drop them
        for seq, data, version in self.scan(entity, after_seq, chunk=max(limit, 100), where=where, indexed=indexed):
            if keep is None or keep(data):
                out.append((data, version))
                last = seq
                if len(out) >= limit:
                    more = self._con().execute(
                        "SELECT 1 FROM records WHERE entity=? AND seq>? LIMIT 1", (entity, seq)).fetchone()
                    return out, (last if more else None)
        return out, None

    def count_where(self, entity: str, where: SqlHint) -> int:
        """How many records meet ``where`` (an exact SQL condition), without decoding any."""
        cond, params = where
        n: int = self._con().execute(f"SELECT COUNT(*) FROM records WHERE entity=? AND ({cond})",
                                     (entity, *params)).fetchone()[0]
        return n

    def aggregate_where(self, entity: str, where: SqlHint, columns: list[str]) -> tuple[Any, ...]:
        """SQL aggregates (``columns``, such as ``COUNT(*)``) over the records that meet ``where`` (an exact SQL
        condition), in one query without decoding any record: one value per column."""
        cond, params = where
        row: tuple[Any, ...] = self._con().execute(
            f"SELECT {', '.join(columns)} FROM records WHERE entity=? AND ({cond})", (entity, *params)).fetchone()
        return row

    def stamps_ms(self, entity: str) -> bool:
        """Whether every record of ``entity`` is stamped as UTC text to the millisecond (see ODD_STAMP_SQL)."""
        con = self._con()
        return all(con.execute(f"SELECT 1 FROM records WHERE entity=? AND {cond} LIMIT 1", (entity,)).fetchone() is None
                   for cond in (f"{STAMP_SQL} IS NULL", ODD_STAMP_SQL))

    def page_texts(self, entity: str, after_seq: int, limit: int, columns: SqlHint, where: SqlHint | None = None,
                   *, next_if_any: bool = False) -> tuple[list[tuple[Any, ...]], int | None]:
        """``page`` answered in SQL alone: (id, version, *columns) of up to ``limit`` records after ``after_seq``
        that meet ``where`` (an exact SQL condition on the stamp, found through its index), ``columns`` being
        SQL expressions of the row (e.g. its fields as JSON text) so no record is decoded here. The seq to
        resume from is given when more records meet ``where``, or with ``next_if_any`` when any record
        follows (what ``page`` tells)."""
        cols, col_params = columns
        cond, params = where if where is not None else ("1", ())
        index = "INDEXED BY records_stamp_keys" if where is not None else ""  # not a scan of every seq after
        rows = self._con().execute(
            f"SELECT seq, id, version, {cols} FROM records {index} WHERE entity=? AND seq>? AND ({cond}) "
            f"ORDER BY seq LIMIT ?", (*col_params, entity, after_seq, *params, limit + 1)).fetchall()
        more = len(rows) > limit
        rows = rows[:limit]
        if not more and next_if_any and len(rows) == limit and rows:
            more = self._con().execute("SELECT 1 FROM records WHERE entity=? AND seq>? LIMIT 1",
                                       (entity, rows[-1][0])).fetchone() is not None
        return [row[1:] for row in rows], (rows[-1][0] if more else None)

    def children_texts(self, entity: str, key: str, parents: list[str], columns: SqlHint
                       ) -> list[tuple[Any, ...]]:
        """(seq, id, version, parent, *columns) of the records whose ``key`` (lower-cased) is one of
        ``parents``, in insertion order, without decoding any."""
        cols, col_params = columns
        parent = f"lower(json_extract(data, '$.{key}'))"
        rows: list[tuple[Any, ...]] = self._con().execute(
            f"SELECT seq, id, version, {parent}, {cols} FROM records WHERE entity=? AND {parent} IN "
            f"(SELECT value FROM json_each(?)) ORDER BY seq", (*col_params, entity, json.dumps(parents))).fetchall()
        return rows

    def ids_where(self, entity: str, fields: list[str], keep: Callable[[dict[str, Any]], bool]) -> list[Any]:
        """The ids (``data["id"]``) of the records passing ``keep``, in insertion order, each decoded only in
        ``fields``: a key-only search reads next to nothing of each record, as a database reads only the
        columns it tests. SQLite parses each record once for all the fields; a record where one of them
        is null or missing (the two read alike there) is tested whole, as ``keep`` may tell them apart."""
        con = self._con()
        paths = ("$.id", *(f"$.{f}" for f in fields))
        if not fields:
            return [loads(r[0]) for r in con.execute("SELECT json_quote(json_extract(data, '$.id')) FROM records "
                                                     "WHERE entity=? ORDER BY seq", (entity,))] if keep({}) else []
        rows = con.execute(f"SELECT seq, json_extract(data, {', '.join('?' for _ in paths)}) FROM records "
                           "WHERE entity=? ORDER BY seq", (*paths, entity)).fetchall()
        out = []
        for (seq, _), values in zip(rows, loads("[" + ",".join(r[1] for r in rows) + "]")):
            if None in values[1:]:
                whole = con.execute("SELECT data FROM records WHERE entity=? AND seq=?", (entity, seq)).fetchone()
                passed = keep(loads(whole[0]))
            else:
                passed = keep(dict(zip(fields, values[1:])))
            if passed:
                out.append(values[0])
        return out

    def filtered(self, entity: str, keep: Callable[[dict[str, Any]], bool], offset: int, limit: int | None,
                 cursor_key: str, where: SqlHint | None = None) -> list[dict[str, Any]]:
        """``limit`` records passing ``keep`` after skipping ``offset`` of them; ``where`` as for ``scan``.

        Offset paging over a filter would rescan from the start for every page (quadratic on
        a million invoices); remembering where the previous page of the same query ended
        lets the next page resume there, as a database index would. Only while no record of the
        entity has been added, changed or deleted since: a database counts an offset from the first
        row again, and a row gone before it moves every later one up a place."""
        cursors = self.__dict__.setdefault("_cursors", {})
        edits = self.edits(entity)
        seen, marks = cursors.get((entity, cursor_key), (None, {}))
        if seen != edits:
            marks = {0: 0}
            cursors[(entity, cursor_key)] = (edits, marks)
        start = max(o for o in marks if o <= offset)
        skip, after = offset - start, marks[start]
        out: list[dict[str, Any]] = []
        last = after
        for seq, data, _ in self.scan(entity, after, where=where):
            if not keep(data):
                continue
            if skip:
                skip -= 1
                continue
            if limit is not None and len(out) >= limit:
                break
            out.append(data)
            last = seq
        if len(marks) > 10_000:
            marks.clear()
            marks[0] = 0
        marks[offset + len(out)] = last
        return out

    def update(self, entity: str, rid: str, change: Callable[[dict[str, Any], int], dict[str, Any] | None]
               ) -> tuple[dict[str, Any], int] | None:
        """Apply ``change(data, version) -> new data`` atomically and bump the version; a change
        returning None leaves the record (and its version) as it was."""
        with self._write_lock:
            con = self._con()
            row = con.execute("SELECT data, version FROM records WHERE entity=? AND id=?",
                              (entity, rid)).fetchone()
            if row is None:
                return None
            data = change(loads(row[0]), row[1])
            if data is None:
                return loads(row[0]), row[1]
            version = row[1] + 1
            con.execute("UPDATE records SET data=?, version=? WHERE entity=? AND id=?",
                        (dumps(data), version, entity, rid))
            con.commit()
            self._edits[entity] = self._edits.get(entity, 0) + 1
            return data, version

    def delete(self, entity: str, rid: str) -> bool:
        """Remove a record for good (the ERPs served keep no tombstones); False when there was none."""
        with self._write_lock:
            con = self._con()
            gone = con.execute("DELETE FROM records WHERE entity=? AND id=?", (entity, rid)).rowcount
            con.commit()
            self._edits[entity] = self._edits.get(entity, 0) + 1
        return bool(gone)
