"""The database connection dies in the middle of a change (server restarted, connection reset): the user
is told so in one line, nothing of the change is kept, and the next attempt works on a fresh connection."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import create_engine, func, select, text

from tests.workbench.team.conftest import add_run, add_team
from workbench.errors import user_message
from workbench.store import trail
from workbench.store.advisory import CHAIN_LOCK
from workbench.store.schema import AuditEvent
from workbench.team import concurrency as cc

pytestmark = pytest.mark.postgres


def test_a_connection_reset_mid_change_keeps_nothing_and_the_next_try_works(pg_store, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))  # the support log
    add_team(pg_store)
    _, ids = add_run(pg_store)
    with pg_store.session() as s:
        events = s.execute(select(func.count()).select_from(AuditEvent)).scalar()
    other = create_engine(pg_store.url, isolation_level="AUTOCOMMIT")
    holder = other.connect()
    holder.execute(text(f"SELECT pg_advisory_lock({CHAIN_LOCK})"))  # the assignment is written, waiting to commit
    result: dict[str, object] = {}

    def assign() -> None:
        try:
            result["row"] = cc.assign(pg_store, ids[0], "bob", "ann", 1)
        except Exception as exc:  # asserted below
            result["error"] = exc

    t = threading.Thread(target=assign)
    t.start()
    pid = None
    for _ in range(5000):  # until its backend waits for the chain (a condition, not a clock)
        pid = holder.execute(text("SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND NOT granted")).scalar()
        if pid:
            break
        threading.Event().wait(0.01)
    assert pid, "the assignment never reached its commit"
    holder.execute(text("SELECT pg_terminate_backend(:p)"), {"p": pid})  # the connection is reset
    t.join(60)
    holder.execute(text(f"SELECT pg_advisory_unlock({CHAIN_LOCK})"))
    holder.close()
    other.dispose()
    said = user_message(result["error"])  # type: ignore[arg-type]
    assert said.startswith("the database stopped answering (") and "internal error" not in said, said
    row = cc.get_exception(pg_store, ids[0])  # the pool hands out a fresh connection
    assert (row["assignee"], row["version"]) == (None, 1)
    with pg_store.session() as s:
        assert s.execute(select(func.count()).select_from(AuditEvent)).scalar() == events
    assert cc.assign(pg_store, ids[0], "bob", "ann", 1)["assignee"] == "bob"
    with pg_store.session() as s:
        assert trail.verify(s).ok
