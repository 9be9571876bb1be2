"""The sandbox's record store: a state dir written before the stamp index covered the keys still serves."""

from __future__ import annotations

import json
import sqlite3

from workbench.sandbox.erp.store import STAMP_SQL, RecordStore


def test_a_state_dir_from_before_the_covering_stamp_index_is_served_from_the_new_indexes(tmp_path):
    path = tmp_path / "bc.sqlite3"
    con = sqlite3.connect(path)
    con.executescript(f"""
        CREATE TABLE records (entity TEXT NOT NULL, seq INTEGER NOT NULL, id TEXT NOT NULL,
                              version INTEGER NOT NULL DEFAULT 1, data TEXT NOT NULL, PRIMARY KEY (entity, id));
        CREATE UNIQUE INDEX records_seq ON records(entity, seq);
        CREATE INDEX records_stamp ON records(entity, {STAMP_SQL});
        """)
    for entity, seq, rid, version, stamp in [("customers", 1, "a", 1, "2026-12-01T08:00:00.000Z"),
                                             ("customers", 2, "b", 3, "2026-12-01T09:00:00.000Z"),
                                             ("items", 1, "c", 1, "2026-12-01T09:00:00+01:00")]:
        con.execute("INSERT INTO records VALUES (?, ?, ?, ?, ?)",
                    (entity, seq, rid, version, json.dumps({"id": rid, "lastModifiedDateTime": stamp})))
    con.commit()
    con.close()
    store = RecordStore(path)
    indexes = {r[0] for r in store._con().execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    assert {"records_stamp_keys", "records_stamp_other"} <= indexes and "records_stamp" not in indexes
    assert store.stamps_ms("customers") and not store.stamps_ms("items")  # an offset is not UTC text
    later: tuple[str, tuple[str, ...]] = (f"{STAMP_SQL} > ?", ("2026-12-01T08:00:00.000Z",))
    rows, after = store.page_texts("customers", 0, 5, ("json_quote(id)", ()), later)
    assert (rows, after) == ([("b", 3, '"b"')], None)
    store.close()
