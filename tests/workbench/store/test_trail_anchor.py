"""The chain's head anchored outside the reach of a store editor: the keyed anchor row (key in the
keyring, created on first use), and an older store brought up to the anchored schema."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime, UTC
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from tests.workbench.corrections.conftest import add_exception, add_run
from workbench.corrections import service
from workbench.store import anchor, trail
from workbench.store.db import alembic_config, open_store
from workbench.store.schema import AuditAnchor

ROOT = Path(__file__).resolve().parents[3]


def _verify(url: str) -> subprocess.CompletedProcess[str]:
    """`workbench audit verify` in a process of its own: the key comes from the keyring, afresh."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}  # so the keyring finds the test backend
    return subprocess.run([str(Path(sys.executable).with_name("workbench")), "audit", "verify", "--db", url],
                          cwd=str(ROOT), env=env, capture_output=True, text=True, timeout=300)


@pytest.fixture
def file_keyring(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "keyring.json"
    monkeypatch.setenv("TEST_KEYRING_FILE", str(path))
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "tests.workbench.store.file_keyring.FileKeyring")
    monkeypatch.delenv("WORKBENCH_AUDIT_KEY", raising=False)
    monkeypatch.setattr(anchor, "_keys", {})
    monkeypatch.setattr(anchor, "_no_keyring", set())
    import keyring
    import keyring.core
    monkeypatch.setattr(keyring.core, "_keyring_backend", None)  # choose the backend again, from the env
    keyring.get_keyring()
    return path


def test_a_local_store_creates_its_audit_key_in_the_keyring_and_a_forged_anchor_fails(file_keyring: Path,
                                                                                      tmp_path: Path):
    url = f"sqlite:///{tmp_path / 'store.sqlite3'}"
    store = open_store(url)
    try:
        run = add_run(store)
        cid = service.propose(store, add_exception(store, run), "carol")
        service.approve(store, [cid], "bob")
    finally:
        store.dispose()
    keys = json.loads(file_keyring.read_text())
    name = f"recon-workbench/audit-key:sqlite:{(tmp_path / 'store.sqlite3').resolve()}"
    assert list(keys) == [name] and len(keys[name]) == 64  # a random 256-bit key, in the keyring only
    engine = create_engine(url)
    with engine.begin() as conn:
        stored = " ".join(str(v) for row in conn.execute(text("SELECT * FROM audit_anchor")) for v in row)
        assert keys[name] not in stored
    done = _verify(url)
    assert done.returncode == 0 and "audit trail intact" in done.stdout, done.stdout
    assert "MAC was not checked" not in done.stdout  # the verifying process found the key in the keyring

    # a forged approval appended with the published rule, and the anchor moved to it
    with engine.begin() as conn:
        last_id, last_hash = conn.execute(text("SELECT id, hash FROM audit_events ORDER BY id DESC LIMIT 1")).one()
        at = datetime.now(UTC)
        h = trail.event_hash(last_hash, last_id + 1, at, "mallory", "user.add", "user", "mallory", None, None)
        conn.execute(text("INSERT INTO audit_events (id, at, actor, action, entity_type, entity_id, run_id, detail, "
                          "prev_hash, hash) VALUES (:i, :at, 'mallory', 'user.add', 'user', 'mallory', NULL, NULL, "
                          ":p, :h)"), {"i": last_id + 1, "at": at.replace(tzinfo=None), "p": last_hash, "h": h})
        conn.execute(text("UPDATE audit_anchor SET events = :n, head_hash = :h"), {"n": last_id + 1, "h": h})
    engine.dispose()
    done = _verify(url)
    assert done.returncode == 1 and "the anchor's MAC does not match this store's audit key" in done.stdout


def test_an_older_store_is_anchored_at_its_head_when_upgraded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    from alembic import command
    monkeypatch.setenv("WORKBENCH_AUDIT_KEY", "upgrade-test-key")
    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    command.upgrade(alembic_config(url), "0004")  # the schema before anchoring
    engine = create_engine(url)
    prev, at = trail.GENESIS, datetime(2026, 10, 31, 9, 0, tzinfo=UTC)
    with engine.begin() as conn:
        for i in (1, 2, 3):
            h = trail.event_hash(prev, i, at, "ann", "user.add", "user", f"u{i}", None, {"roles": "preparer"})
            conn.execute(text("INSERT INTO audit_events (id, at, actor, action, entity_type, entity_id, run_id, "
                              "detail, prev_hash, hash) VALUES (:i, :at, 'ann', 'user.add', 'user', :e, NULL, :d, "
                              ":p, :h)"), {"i": i, "at": at.replace(tzinfo=None), "e": f"u{i}",
                                          "d": json.dumps({"roles": "preparer"}), "p": prev, "h": h})
            prev = h
            # the users the events added (verify proves the users table from them too)
            conn.execute(text("INSERT INTO users (name, roles, active, created_at) VALUES (:n, 'preparer', 1, :at)"),
                         {"n": f"u{i}", "at": at.replace(tzinfo=None)})
    engine.dispose()
    open_store(url).dispose()  # a local store is brought up to date when opened
    engine = create_engine(url)
    with engine.connect() as conn:
        n, head, mac = conn.execute(text("SELECT events, head_hash, mac FROM audit_anchor")).one()
    engine.dispose()
    assert (n, head) == (3, prev) and mac == anchor.mac(b"upgrade-test-key", 3, prev)
    done = _verify(url)
    assert done.returncode == 0 and "audit trail intact" in done.stdout, done.stdout


def test_a_session_committing_again_and_again_records_no_false_mismatch(tmp_path: Path,
                                                                         monkeypatch: pytest.MonkeyPatch):
    """Sessions keep their objects across commits: a writer judging the anchor from an object loaded at an earlier
    commit would find the trail "not ending where its anchor says" at every later one, and flood the trail with
    mismatch events an auditor must then explain."""
    monkeypatch.setenv("WORKBENCH_AUDIT_KEY", "anchor-test-key-0123456789abcdef")
    store = open_store(f"sqlite:///{tmp_path / 'store.sqlite3'}")
    try:
        with store.sessions() as s:
            held = []  # the anchor as a screen's session may hold it (the identity map keeps only held objects)
            for n in range(4):
                trail.append(s, actor="ann", action="test.step", entity_type="test", entity_id=n)
                s.commit()
                held.append(s.get(AuditAnchor, anchor.ANCHOR_ID))
        with store.session() as s:
            actions = [a for (a,) in s.execute(text("SELECT action FROM audit_events ORDER BY id"))]
            events, head_hash = trail.head(s)
            assert anchor.check(s, store.engine.url, events, head_hash).problems == []
            assert anchor.recorded_mismatches(s) == []
    finally:
        store.dispose()
    assert actions == ["test.step"] * 4
