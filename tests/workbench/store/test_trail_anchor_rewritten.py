"""A store editor rewrites an event, re-chains it and moves the anchor row to match, without the audit key.

The next write through the workbench (which holds the key) found the anchor where the trail ends and
signed it again: the rewrite then verified as intact. The writer now also checks the anchor's MAC and,
when it does not verify, keeps the finding in the chain before moving the anchor."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest

from tests.hostile.tamper import Tampered, isolated, sql
from workbench.store import anchor, trail
from workbench.errors import ConfigError
from workbench.store.db import open_store
from workbench.team.users import register_user

KEY = "anchor-rewritten-audit-key-0123456789"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def url(request, tmp_path: Path) -> str:
    if request.param == "postgres":
        return request.getfixturevalue("pg_db_url")
    return f"sqlite:///{tmp_path / 'store.sqlite3'}"


def test_an_anchor_moved_without_the_key_is_not_signed_again_by_the_next_write(url, tmp_path, monkeypatch):
    isolated(monkeypatch, tmp_path / "ann", KEY)  # ann's computer, holding the team's key
    monkeypatch.setattr(anchor, "_keys", {})
    store = open_store(url, migrate=True)
    with store.session() as s:
        register_user(s, "ann", "ann", ["admin", "approver"])
        trail.append(s, actor="ann", action="period.note", entity_type="period", entity_id="2026-10",
                     detail={"text": "cut-off checked with the bank statement"})
    # the editor: the note's text changed, its hash recomputed, the anchor moved to it (no key: no MAC)
    n, prev, at = sql(store, "SELECT id, prev_hash, at FROM audit_events ORDER BY id DESC LIMIT 1")[0]
    at = at if isinstance(at, datetime) else datetime.fromisoformat(at)  # SQLite hands back text
    detail = {"text": "cut-off not checked"}
    forged = trail.event_hash(prev, n, at, "ann", "period.note", "period", "2026-10", None, detail)
    # on PostgreSQL the append-only trigger stops the workbench's role, not the table's owner
    off, on = (("ALTER TABLE audit_events DISABLE TRIGGER USER", "ALTER TABLE audit_events ENABLE TRIGGER USER")
               if store.is_postgres else ("SELECT 1", "SELECT 1"))
    sql(store, off)
    sql(store, "UPDATE audit_events SET detail = :d, hash = :h WHERE id = :i", d=json.dumps(detail), h=forged, i=n)
    sql(store, on)
    sql(store, "UPDATE audit_anchor SET head_hash = :h, mac = NULL", h=forged)
    # ann carries on working
    with store.session() as s:
        register_user(s, "ann", "bob", ["preparer"])
    store.dispose()
    # the auditor verifies from another computer (no anchor file of ann's), holding the key
    isolated(monkeypatch, tmp_path / "auditor", KEY)
    code, out = Tampered(url, 0, 0, 0, 0, 0).verify()
    assert code == 1, out
    assert "the anchor's MAC did not verify" in out, out


def test_a_writer_without_the_key_is_refused_rather_than_unsigning_the_trail(url, tmp_path, monkeypatch):
    """A team member who did not set the key: their write would leave the anchor unsigned, and the next
    keyed write would have to record it as a rewrite. It is refused, saying what to set; nothing is saved."""
    isolated(monkeypatch, tmp_path / "ann", KEY)
    monkeypatch.setattr(anchor, "_keys", {})
    store = open_store(url, migrate=True)
    with store.session() as s:
        register_user(s, "ann", "ann", ["admin", "approver"])
    store.dispose()
    isolated(monkeypatch, tmp_path / "bob", KEY)
    monkeypatch.delenv("WORKBENCH_AUDIT_KEY")
    monkeypatch.setattr(anchor, "_keys", {})
    store = open_store(url, migrate=False)
    with pytest.raises(ConfigError, match="WORKBENCH_AUDIT_KEY") as refused:
        with store.session() as s:
            register_user(s, "ann", "bob", ["preparer"])
    assert str(refused.value).startswith("nothing was saved")
    assert sql(store, "SELECT name FROM users") == [("ann",)]
    store.dispose()
    isolated(monkeypatch, tmp_path / "auditor", KEY)
    monkeypatch.setattr(anchor, "_keys", {})
    code, out = Tampered(url, 0, 0, 0, 0, 0).verify()
    assert code == 0 and "audit trail intact" in out, out
