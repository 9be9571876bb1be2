"""Who else is working: heartbeats, the age window, leaving."""

from __future__ import annotations

from datetime import datetime, timedelta, UTC

from workbench.store.trail import change_counter
from workbench.team.presence import heartbeat, leave, prune, who_is_here

from tests.workbench.team.conftest import add_team

T0 = datetime(2026, 10, 31, 17, 0, tzinfo=UTC)


def test_who_is_here_lists_recent_sessions_once_per_user(any_store):
    add_team(any_store)
    heartbeat(any_store, "ann", run_id=4, host="ws-1", pid=10, now=T0)
    heartbeat(any_store, "bob", run_id=4, host="ws-2", pid=20, now=T0 - timedelta(seconds=30))
    heartbeat(any_store, "bob", run_id=5, host="laptop", pid=21, now=T0 - timedelta(seconds=10))
    heartbeat(any_store, "cara", host="ws-3", pid=30, now=T0 - timedelta(minutes=10))  # went quiet
    here = who_is_here(any_store, within=timedelta(minutes=2), now=T0)
    assert [e["user"] for e in here] == ["ann", "bob"]
    bob = here[1]
    assert bob["run_id"] == 5 and bob["last_seen"] == T0 - timedelta(seconds=10)
    assert {x["host"] for x in bob["sessions"]} == {"ws-2", "laptop"}
    assert [e["user"] for e in who_is_here(any_store, now=T0, exclude="ann")] == ["bob"]


def test_a_heartbeat_refreshes_the_same_row_and_leaving_removes_it(any_store):
    heartbeat(any_store, "ann", host="ws-1", pid=10, now=T0 - timedelta(minutes=5))
    assert who_is_here(any_store, now=T0) == []
    heartbeat(any_store, "ann", run_id=7, host="ws-1", pid=10, now=T0)
    here = who_is_here(any_store, now=T0)
    assert len(here) == 1 and len(here[0]["sessions"]) == 1 and here[0]["run_id"] == 7
    leave(any_store, "ann", host="ws-1", pid=10)
    assert who_is_here(any_store, now=T0) == []


def test_heartbeats_are_not_changes_other_apps_refresh_for(any_store):
    with any_store.session() as s:
        before = change_counter(s)
    heartbeat(any_store, "ann", host="ws-1", pid=10)
    with any_store.session() as s:
        assert change_counter(s) == before


def test_prune_forgets_crashed_sessions(any_store):
    heartbeat(any_store, "ann", host="ws-1", pid=10, now=T0 - timedelta(days=2))
    heartbeat(any_store, "bob", host="ws-2", pid=11, now=T0)
    assert prune(any_store, now=T0) == 1
    assert [e["user"] for e in who_is_here(any_store, within=timedelta(days=9), now=T0)] == ["bob"]
