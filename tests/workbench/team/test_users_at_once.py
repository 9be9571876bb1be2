"""Two admins changing users at the same moment: the rules that hold for one at a time still hold.

Each check (the last admin stays, no second user reads as a first, an OS login belongs to one
user) read the users table and the change was written later, so two admins acting at once both
passed: each removed the other and the team was left with no admin, or 'bob' and 'Bob' were
added side by side."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import create_engine, select, text

from tests.workbench.team.conftest import add_team
from workbench.errors import ConfigError, PermissionDenied
from workbench.store import trail
from workbench.store.advisory import CHAIN_LOCK
from workbench.store.schema import User
from workbench.team.user_proof import user_problems
from workbench.team.users import register_user, remove_user

pytestmark = pytest.mark.postgres


def _both_at_once(store, first, second) -> list[object]:
    """Run two user changes so that both have done their reading before either commits: the audit
    chain (taken at commit) is held by another connection until both wait."""
    other = create_engine(store.url)
    holder = other.connect()
    holder.execute(text(f"SELECT pg_advisory_lock({CHAIN_LOCK})"))
    results: list[object] = [None, None]

    def run(i, fn):
        try:
            with store.session() as s:
                results[i] = fn(s)
        except Exception as exc:  # asserted by the caller
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i, fn)) for i, fn in enumerate((first, second))]
    for t in threads:
        t.start()
    done = threading.Event()
    with other.connect() as probe:
        for _ in range(5000):  # until both wait (for the chain, or one for the other): a condition, not a clock
            waiting = probe.execute(text("SELECT count(*) FROM pg_locks WHERE NOT granted")).scalar()
            probe.commit()
            if waiting >= 2:
                break
            done.wait(0.01)
        else:
            raise AssertionError("the two changes never both waited")
    holder.execute(text(f"SELECT pg_advisory_unlock({CHAIN_LOCK})"))
    holder.commit()
    holder.close()
    for t in threads:
        t.join(60)
    other.dispose()
    return results


def test_two_admins_removing_each_other_at_once_leave_one_admin(pg_store):
    add_team(pg_store)
    with pg_store.session() as s:
        register_user(s, "ann", "bob", ["admin", "preparer"])
    results = _both_at_once(pg_store, lambda s: remove_user(s, "ann", "bob"), lambda s: remove_user(s, "bob", "ann"))
    refused = [r for r in results if isinstance(r, Exception)]
    assert len(refused) == 1, results
    assert isinstance(refused[0], PermissionDenied) and "was deactivated" in str(refused[0])
    with pg_store.session() as s:
        admins = [u.name for u in s.execute(select(User)).scalars() if u.active and "admin" in u.roles]
        assert len(admins) == 1
        assert trail.verify(s).ok and user_problems(s) == []


@pytest.mark.parametrize("spellings", [("zoe", "Zoe"), ("zoe", "zоe"), ("zoe", "zoe")],
                         ids=["case", "cyrillic", "same"])
def test_two_admins_adding_one_person_at_once_make_one_user(pg_store, spellings):
    add_team(pg_store)
    with pg_store.session() as s:
        register_user(s, "ann", "eve", ["admin"])
    a, b = spellings
    results = _both_at_once(pg_store, lambda s: register_user(s, "ann", a, ["preparer"]),
                            lambda s: register_user(s, "eve", b, ["approver"]))
    with pg_store.session() as s:
        names = [u.name for u in s.execute(select(User)).scalars() if u.name.casefold() in ("zoe", "zоe")]
        assert len(names) == 1, (names, results)
        assert trail.verify(s).ok and user_problems(s) == []
    if a == b:  # the second changes the user the first added
        assert not any(isinstance(r, Exception) for r in results), results
    else:
        refused = [r for r in results if isinstance(r, Exception)]
        assert len(refused) == 1 and isinstance(refused[0], ConfigError) and "reads as the existing user" in str(
            refused[0])


def test_two_admins_giving_one_os_login_to_two_users_at_once(pg_store):
    add_team(pg_store)
    results = _both_at_once(pg_store, lambda s: register_user(s, "ann", "cara", ["preparer"], os_login_name="c.os"),
                            lambda s: register_user(s, "ann", "dave", ["auditor"], os_login_name="c.os"))
    refused = [r for r in results if isinstance(r, Exception)]
    assert len(refused) == 1 and "already belongs to workbench user" in str(refused[0]), results
