"""Who acts is who the system authenticated, not whoever `--user` names (issue 17, failure 2).

Team mode through the real CLI on a real PostgreSQL server, each person connecting as
their own database role; and the desktop (SQLite) store, where a mapped OS login binds.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.helpers.pg_roles import login_urls
from tests.workbench.team.conftest import add_run, add_team
from tests.helpers.proposals import make_proposable
from workbench.cli import main
from workbench.corrections import service
from workbench.store.schema import Correction
from workbench.team.users import os_login, register_user, remove_user




@pytest.fixture
def team(pg_store):
    """ann admin+approver, bob and cara preparers, dave auditor; bob proposed correction 1."""
    add_team(pg_store)
    with pg_store.session() as s:
        register_user(s, "ann", "carol", ["approver"])
    _, ids = add_run(pg_store, n=3)
    make_proposable(pg_store, ids)
    cid = service.propose(pg_store, ids[0], "bob")
    urls = login_urls(pg_store.url, "ann", "bob", "cara", "carol", "dave", "recon")
    return pg_store, urls, cid, ids


def _cli(capsys, *argv):
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def _state(store, cid):
    with store.session() as s:
        c = s.get(Correction, cid)
        return c.state, c.approver


def test_a_preparer_cannot_approve_as_an_approver(team, capsys):
    store, urls, cid, _ = team
    code, _, err = _cli(capsys, "corrections", "approve", str(cid), "--user", "carol", "--db", urls["bob"])
    assert code == 2
    assert err.strip() == ("workbench: error: you are authenticated as 'bob' (database role 'bob'); acting as "
                           "another user ('carol') is not allowed")
    assert _state(store, cid) == ("proposed", None)


def test_an_auditor_cannot_act_as_an_admin(team, capsys):
    store, urls, cid, ids = team
    for argv in (["corrections", "approve", str(cid)], ["corrections", "propose", str(ids[1])],
                 ["users", "add", "eve", "--role", "admin"]):
        code, _, err = _cli(capsys, *argv, "--user", "ann", "--db", urls["dave"])
        assert code == 2, argv
        assert "authenticated as 'dave'" in err and "acting as another user ('ann') is not allowed" in err
    with store.session() as s:
        assert s.execute(select(Correction.state)).scalars().all() == ["proposed"]
    # as himself the auditor is refused by his role, not by his name
    code, _, err = _cli(capsys, "corrections", "approve", str(cid), "--db", urls["dave"])
    assert code == 2 and "user 'dave' (auditor) may not approve" in err


def test_the_database_role_acts_and_naming_yourself_is_fine(team, capsys):
    store, urls, cid, _ = team
    code, out, _ = _cli(capsys, "corrections", "approve", str(cid), "--user", " Carol ", "--db", urls["carol"])
    assert code == 0 and "approved by carol" in out
    assert _state(store, cid) == ("approved", "carol")


def test_the_author_cannot_approve_under_another_spelling_of_their_role(team, capsys):
    store, urls, cid, _ = team
    with store.session() as s:
        register_user(s, "ann", "bob", ["preparer", "approver"])
    code, _, err = _cli(capsys, "corrections", "approve", str(cid), "--user", "BOB", "--db", urls["bob"])
    assert code == 2 and "was prepared by bob; a different user must approve it (maker-checker)" in err
    assert _state(store, cid) == ("proposed", None)


def test_a_role_that_is_no_user_is_refused_with_who_it_is(team, capsys):
    store, urls, cid, _ = team
    code, _, err = _cli(capsys, "corrections", "approve", str(cid), "--user", "ann", "--db", urls["recon"])
    assert code == 2
    assert f"connected as database role 'recon' and logged in as '{os_login()}'" in err
    assert "neither is a workbench user" in err and f"--os-login {os_login()}" in err
    assert _state(store, cid) == ("proposed", None)


def test_a_shared_role_falls_back_to_the_mapped_os_login(team, capsys):
    store, urls, cid, _ = team
    with store.session() as s:
        register_user(s, "ann", "carol", ["approver"], os_login_name=os_login())
    code, _, err = _cli(capsys, "corrections", "approve", str(cid), "--user", "ann", "--db", urls["recon"])
    assert code == 2 and f"authenticated as 'carol' (OS login '{os_login()}'" in err
    code, out, _ = _cli(capsys, "corrections", "approve", str(cid), "--db", urls["recon"])
    assert code == 0 and "approved by carol" in out


def test_a_deactivated_user_is_told_so(team, capsys):
    store, urls, _, ids = team
    with store.session() as s:
        remove_user(s, "ann", "cara")
    code, _, err = _cli(capsys, "corrections", "propose", str(ids[1]), "--db", urls["cara"])
    assert code == 2
    assert "user 'cara' was deactivated" in err and "not a registered" not in err
    code, _, err = _cli(capsys, "users", "remove", "cara", "--db", urls["ann"])
    assert code == 2 and "user 'cara' is already deactivated" in err


def test_open_mode_on_postgresql_acts_as_the_role(pg_store, capsys):
    urls = login_urls(pg_store.url, "ann")
    code, _, err = _cli(capsys, "users", "add", "bob", "--role", "admin", "--user", "bob", "--db", urls["ann"])
    assert code == 2 and "authenticated as 'ann' (database role 'ann')" in err
    code, out, _ = _cli(capsys, "users", "add", "ann", "--role", "admin", "--db", urls["ann"])
    assert code == 0 and "user ann: roles admin" in out


def test_sqlite_a_mapped_os_login_cannot_name_someone_else(store, capsys):
    add_team(store)
    _, ids = add_run(store, n=2)
    make_proposable(store, ids)
    cid = service.propose(store, ids[0], "bob")
    with store.session() as s:
        register_user(s, "ann", "cara", ["preparer"], os_login_name=os_login())
    code, _, err = _cli(capsys, "corrections", "approve", str(cid), "--user", "ann", "--db", store.url)
    assert code == 2 and f"authenticated as 'cara' (OS login '{os_login()}'); acting as another user" in err
    assert _state(store, cid) == ("proposed", None)


def test_the_os_login_is_the_accounts_not_the_environments(monkeypatch):
    import os
    import pwd
    monkeypatch.setenv("USER", "not-the-account")
    monkeypatch.setenv("LOGNAME", "not-the-account")
    assert os_login() == pwd.getpwuid(os.getuid()).pw_name
