"""Two people acting on the same exception: one wins, the other sees who and the fresh state."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from workbench.store.advisory import CHAIN_LOCK
from workbench.store.trail import verify
from workbench.errors import IllegalTransition, PermissionDenied, StaleState
from workbench.store.schema import AuditEvent, ExceptionRow
from workbench.team import concurrency as cc

from tests.workbench.team.conftest import add_run, add_team


def _events(store) -> int:
    with store.session() as s:
        return s.execute(select(func.count()).select_from(AuditEvent)).scalar()


def test_second_assignment_from_a_stale_screen_is_refused_with_the_fresh_state(any_store):
    add_team(any_store)
    _, ids = add_run(any_store)
    seen_by_bob = cc.get_exception(any_store, ids[0])
    seen_by_cara = cc.get_exception(any_store, ids[0])
    won = cc.assign(any_store, ids[0], "bob", "bob", seen_by_bob["version"])
    assert won["assignee"] == "bob" and won["version"] == seen_by_bob["version"] + 1
    before = _events(any_store)
    with pytest.raises(StaleState) as err:
        cc.assign(any_store, ids[0], "cara", "cara", seen_by_cara["version"])
    msg = str(err.value)
    assert f"exception {ids[0]} was changed by bob" in msg and "not saved" in msg
    assert err.value.fresh["assignee"] == "bob" and err.value.fresh["version"] == won["version"]
    # the loser left no trace: no audit event, the row is as the winner left it
    assert _events(any_store) == before
    assert cc.get_exception(any_store, ids[0])["assignee"] == "bob"
    # with the fresh version, cara's retry goes through
    again = cc.assign(any_store, ids[0], "cara", "cara", err.value.fresh["version"])
    assert again["assignee"] == "cara"


def test_review_then_resolve_records_each_step_in_the_audit_trail(any_store):
    add_team(any_store)
    _, ids = add_run(any_store)
    st = cc.start_review(any_store, ids[1], "cara", 1)
    assert (st["status"], st["assignee"], st["version"]) == ("in_review", "cara", 2)
    st = cc.resolve(any_store, ids[1], "cara", st["version"], "credit note posted in the ERP")
    assert st["status"] == "resolved" and st["resolution"] == "credit note posted in the ERP"
    with pytest.raises(IllegalTransition, match="is resolved"):
        cc.start_review(any_store, ids[1], "bob", st["version"])
    with any_store.session() as s:
        evs = s.execute(select(AuditEvent).where(AuditEvent.entity_id == str(ids[1]))
                        .order_by(AuditEvent.id)).scalars().all()
        assert [(e.action, e.actor) for e in evs] == [("exception.start_review", "cara"),
                                                      ("exception.resolve", "cara")]
        assert evs[1].detail["changes"]["status"] == {"from": "in_review", "to": "resolved"}
        assert verify(s).ok


def test_an_auditor_cannot_change_an_exception(any_store):
    add_team(any_store)
    _, ids = add_run(any_store)
    before = _events(any_store)
    for act in (lambda: cc.assign(any_store, ids[0], "dave", "dave", 1),
                lambda: cc.start_review(any_store, ids[0], "dave", 1),
                lambda: cc.resolve(any_store, ids[0], "dave", 1, "looks fine")):
        with pytest.raises(PermissionDenied, match="dave"):
            act()
    assert cc.get_exception(any_store, ids[0])["version"] == 1
    assert _events(any_store) == before


def test_cannot_assign_to_someone_who_is_not_on_the_team(any_store):
    add_team(any_store)
    _, ids = add_run(any_store)
    with pytest.raises(Exception, match="not an active workbench user"):
        cc.assign(any_store, ids[0], "mallory", "ann", 1)
    with pytest.raises(Exception, match="not an active workbench user"):
        cc.assign(any_store, ids[0], "dave", "ann", 1)  # auditors do not work exceptions


@pytest.mark.postgres
def test_many_sessions_racing_on_one_exception_exactly_one_wins(pg_store):
    add_team(pg_store)
    _, ids = add_run(pg_store)
    n = 8
    barrier = threading.Barrier(n)
    outcomes: list[str] = []
    lock = threading.Lock()

    def worker(i: int) -> None:
        user = "bob" if i % 2 else "cara"
        barrier.wait()
        try:
            cc.start_review(pg_store, ids[2], user, 1)
            r = "won"
        except StaleState:
            r = "stale"
        with lock:
            outcomes.append(r)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(outcomes) == ["stale"] * (n - 1) + ["won"]
    with pg_store.session() as s:
        row = s.get(ExceptionRow, ids[2])
        assert row.version == 2 and row.status == "in_review"
        assert s.execute(select(func.count()).select_from(AuditEvent)
                         .where(AuditEvent.action == "exception.start_review")).scalar() == 1


@pytest.mark.postgres
def test_a_deadlock_with_another_writer_is_retried_not_shown_as_a_crash(pg_store):
    """A proposal holds the audit chain and then updates its exception; an assignment holds the
    exception and then wants the chain. PostgreSQL aborts one of the two; the assignment retries."""
    from sqlalchemy import create_engine, text
    add_team(pg_store)
    _, ids = add_run(pg_store)
    other = create_engine(pg_store.url)
    # Which of the two PostgreSQL aborts is whichever checks for a deadlock first, once, deadlock_timeout after
    # it began to wait. The assignment checks 3 s after it waits (its connections are opened anew under the
    # database's setting), the other writer never within the test: the cycle is closed well before the
    # assignment checks, so it is the one aborted, however slowly a loaded machine runs this test. (At 1 s
    # each, a test thread late by a second left the assignment's check finding nothing and the other's
    # aborting the other writer.)
    with other.begin() as setup:
        setup.execute(text(f"ALTER DATABASE \"{other.url.database}\" SET deadlock_timeout = '3s'"))
    pg_store.engine.dispose()
    conn = other.connect()
    tx = conn.begin()
    conn.execute(text("SET LOCAL deadlock_timeout = '10min'"))
    conn.execute(text(f"SELECT pg_advisory_xact_lock({CHAIN_LOCK})"))  # the other writer holds the chain
    result: dict = {}

    def assign() -> None:
        try:
            result["row"] = cc.assign(pg_store, ids[0], "bob", "ann", 1)
        except Exception as exc:  # the assertion below shows it
            result["error"] = exc

    t = threading.Thread(target=assign)
    t.start()
    # wait until the assignment holds the exception row and waits for the chain
    probe = other.connect()
    for _ in range(2000):
        waiting = probe.execute(
            text("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted")).scalar()
        probe.commit()
        if waiting:
            break
        threading.Event().wait(0.01)
    assert waiting
    # now the other writer wants the same exception row: a deadlock, which PostgreSQL breaks
    conn.execute(text("UPDATE exceptions SET resolution = 'noted' WHERE id = :i"), {"i": ids[0]})
    tx.commit()
    t.join(timeout=60)
    probe.close()
    conn.close()
    with other.begin() as setup:
        setup.execute(text(f"ALTER DATABASE \"{other.url.database}\" RESET deadlock_timeout"))
    other.dispose()
    assert "error" not in result, result.get("error")
    assert result["row"]["assignee"] == "bob" and result["row"]["resolution"] == "noted"
