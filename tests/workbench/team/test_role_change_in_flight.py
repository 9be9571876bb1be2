"""An admin takes a user's approver role away while that user's approval is under way.

Either the approval commits first (and the role change comes after it in the trail), or the
role change does and the approval is refused: never an approval recorded after the approver
lost the role that allowed it."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import create_engine, select, text

from tests.helpers.proposals import make_proposable
from tests.workbench.team.conftest import add_run, add_team
from workbench.corrections import service
from workbench.errors import PermissionDenied
from workbench.store import trail
from workbench.store.advisory import CHAIN_LOCK
from workbench.store.schema import AuditEvent, Correction
from workbench.team.users import register_user, remove_user

pytestmark = pytest.mark.postgres


def _wait_until_blocked(engine, how_many: int = 1) -> None:
    """Until ``how_many`` sessions wait for a lock (a condition, not a clock)."""
    done = threading.Event()
    with engine.connect() as probe:
        for _ in range(5000):
            n = probe.execute(text("SELECT count(*) FROM pg_locks WHERE NOT granted")).scalar()
            probe.commit()
            if n >= how_many:
                return
            done.wait(0.01)
    raise AssertionError("the session never waited for the lock")


def _proposal_for_eve(pg_store) -> int:
    """The team with eve as an approver, and bob's proposal waiting for her: its id."""
    add_team(pg_store)
    with pg_store.session() as s:
        register_user(s, "ann", "eve", ["approver"])
    _, ids = add_run(pg_store, n=1)
    make_proposable(pg_store, ids)
    return service.propose(pg_store, ids[0], "bob")


@pytest.mark.parametrize("change", ["role removed", "user deactivated"])
def test_an_approval_under_way_never_lands_after_the_approver_lost_the_role(pg_store, change):
    cid = _proposal_for_eve(pg_store)
    other = create_engine(pg_store.url)
    holder = other.connect()
    tx = holder.begin()
    # someone else's transaction holds the correction's row: eve's approval passes its role check, then waits
    holder.execute(text("SELECT id FROM corrections WHERE id = :i FOR UPDATE"), {"i": cid})
    results: dict[str, object] = {}

    def run(key, fn):
        try:
            results[key] = fn()
        except Exception as exc:  # asserted below
            results[key] = exc

    approval = threading.Thread(target=run, args=("approve", lambda: service.approve(pg_store, [cid], "eve")))
    approval.start()
    _wait_until_blocked(other)

    def take_role():
        with pg_store.session() as s:
            if change == "role removed":
                register_user(s, "ann", "eve", ["preparer"])
            else:
                remove_user(s, "ann", "eve")
        return "done"

    admin = threading.Thread(target=run, args=("admin", take_role))
    admin.start()
    _wait_until_blocked(other, 2)  # the admin's change waits for the approval under way
    tx.commit()
    holder.close()
    approval.join(60)
    admin.join(60)
    other.dispose()
    assert results["admin"] == "done"
    assert not isinstance(results["approve"], Exception), results["approve"]
    with pg_store.session() as s:
        assert trail.verify(s).ok
        assert s.get(Correction, cid).state == "approved"
        events = [e.action for e in s.execute(select(AuditEvent).order_by(AuditEvent.id)).scalars()
                  if (e.entity_type, e.entity_id) == ("user", "eve") or e.action == "correction.approved"]
    # the approval is recorded before the role change that would have refused it
    assert events[-2:] == ["correction.approved", "user.change" if change == "role removed" else "user.remove"]


def test_an_approval_started_while_the_approver_is_being_deactivated_is_refused(pg_store):
    """The admin's change is written but not yet committed (it waits for the audit chain): eve's
    approval waits for it and then sees eve deactivated, rather than the roles from before."""
    cid = _proposal_for_eve(pg_store)
    other = create_engine(pg_store.url)
    holder = other.connect()
    holder.execute(text(f"SELECT pg_advisory_lock({CHAIN_LOCK})"))
    results: dict[str, object] = {}

    def run(key, fn):
        try:
            results[key] = fn()
        except Exception as exc:  # asserted below
            results[key] = exc

    def deactivate():
        with pg_store.session() as s:
            remove_user(s, "ann", "eve")
        return "done"

    admin = threading.Thread(target=run, args=("admin", deactivate))
    admin.start()
    _wait_until_blocked(other, 1)  # eve's row is changed; the commit waits for the chain
    approval = threading.Thread(target=run, args=("approve", lambda: service.approve(pg_store, [cid], "eve")))
    approval.start()
    _wait_until_blocked(other, 2)
    holder.execute(text(f"SELECT pg_advisory_unlock({CHAIN_LOCK})"))
    holder.commit()
    holder.close()
    admin.join(60)
    approval.join(60)
    other.dispose()
    assert results["admin"] == "done"
    assert isinstance(results["approve"], PermissionDenied), results["approve"]
    assert "user 'eve' was deactivated" in str(results["approve"])
    with pg_store.session() as s:
        assert s.get(Correction, cid).state == "proposed"
        assert trail.verify(s).ok
