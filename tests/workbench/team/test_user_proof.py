"""`audit verify` proves the users table from the trail: a user or a role written by SQL is named.

Before, the users table was not compared at all: a store editor could insert an approver, give the
preparer the approver role, reactivate a removed user or move an OS login to another user (whoever
logs in with it then acts as that user), and `audit verify` said the trail was intact.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.hostile.tamper import Tampered, sql
from workbench.store.db import open_store
from workbench.team.users import register_user, remove_user

KEY = "user-proof-audit-key-0123456789abcdef"


@pytest.fixture
def team(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Tampered:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")
    monkeypatch.setenv("WORKBENCH_AUDIT_KEY", KEY)
    url = f"sqlite:///{tmp_path / 'store.sqlite3'}"
    store = open_store(url)
    try:
        with store.session() as s:
            register_user(s, "ann", "ann", ["admin"])
            register_user(s, "ann", "carol", ["preparer"], os_login_name="carol.w")
            register_user(s, "ann", "bob", ["approver"], os_login_name="bob.k")
            register_user(s, "ann", "dave", ["preparer"])
        with store.session() as s:
            remove_user(s, "ann", "dave")
    finally:
        store.dispose()
    t = Tampered(url, 0, 0, 0, 0, 0)
    code, out = t.verify()
    assert code == 0 and "audit trail intact" in out, out
    return t


CASES = [
    ("approver-inserted", "INSERT INTO users (name, roles, active, created_at) VALUES ('mallory', 'approver', 1, "
                          "'2026-10-01 00:00:00')",
     "user 'mallory' (roles approver) has no event in the audit trail: it was added outside the workbench"),
    ("preparer-made-approver", "UPDATE users SET roles = 'approver,preparer' WHERE name = 'carol'",
     "user 'carol': the table says roles 'approver,preparer', the trail proves 'preparer' (event"),
    ("removed-user-reactivated", "UPDATE users SET active = 1 WHERE name = 'dave'",
     "user 'dave': the table says active, the trail proves deactivated (event"),
    ("os-login-moved-to-the-approver", "UPDATE users SET os_login = NULL WHERE name = 'carol'; "
                                       "UPDATE users SET os_login = 'carol.w' WHERE name = 'bob'",
     "user 'bob': the table says OS login 'carol.w', the trail proves 'bob.k' (event"),
    ("user-deleted", "DELETE FROM users WHERE name = 'bob'",
     "user 'bob' is in the audit trail but not in the table: it was deleted outside the workbench"),
]


@pytest.mark.parametrize("statements, says", [pytest.param(st, s, id=i) for i, st, s in CASES])
def test_a_user_written_outside_the_workbench_is_named(team, statements, says):
    for statement in statements.split("; "):
        sql(team, statement)
    code, out = team.verify()
    assert code == 1, out
    assert says in out, out
