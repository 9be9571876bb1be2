"""Hostile identity cases (issue 17, failure 2 and the deactivated-user message of failure 9).

Every case goes through the real CLI: spoofed ``--user`` in team mode (each person is a
PostgreSQL login role on a real server), look-alike spellings of a preparer trying to
approve their own work in open mode, look-alike registrations, and deactivated users.
A refusal must be exit 2 with one line saying why, and change nothing.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests.helpers.pg_roles import login_urls
from tests.workbench.team.conftest import add_run, add_team
from tests.helpers.proposals import make_proposable
from workbench.cli import main
from workbench.corrections import service
from workbench.store.schema import AuditEvent, Correction, User
from workbench.team.users import register_user, remove_user

BOB_LOOKALIKES = {
    "capitalised": "Bob",
    "all caps": "BOB",
    "trailing space": "bob ",
    "leading space": " bob",
    "cyrillic o": "b\u043eb",
    "zero-width space": "b\u200bob",
    "zero-width joiner": "bo\u200db",
    "fullwidth": "\uff42\uff4f\uff42",
    "digit zero": "b0b",
    "no-break space": "bob\u00a0",
    "tab": "\tbob",
    "soft hyphen": "bo\u00adb",
    "bidi override": "\u202ebob\u202c",
    "greek omicron": "b\u03bfb",
    "combining grapheme joiner": "bo\u034fb",
    "braille blank": "bo\u2800b",
}




def _fingerprint(store):
    with store.session() as s:
        return (s.execute(select(func.count()).select_from(AuditEvent)).scalar(),
                [(c.state, c.approver) for c in s.execute(select(Correction).order_by(Correction.id)).scalars()],
                [(u.name, u.roles, u.active) for u in s.execute(select(User).order_by(User.name)).scalars()])


def _refused(capsys, argv, *, says):
    code = main(argv)
    err = capsys.readouterr().err
    assert code == 2, (argv, err)
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    for words in says:
        assert words in err, (words, err)


@pytest.fixture
def open_store_with_bobs_proposal(store):
    _, ids = add_run(store, n=1)
    make_proposable(store, ids)
    return store, service.propose(store, ids[0], "bob")


@pytest.mark.parametrize("spelling", BOB_LOOKALIKES.values(), ids=BOB_LOOKALIKES.keys())
def test_open_mode_bob_cannot_approve_his_own_under_another_spelling(open_store_with_bobs_proposal, spelling,
                                                                     capsys):
    store, cid = open_store_with_bobs_proposal
    before = _fingerprint(store)
    _refused(capsys, ["corrections", "approve", str(cid), "--user", spelling, "--db", store.url],
             says=[f"correction {cid} was prepared by bob", "maker-checker"])
    assert _fingerprint(store) == before


def test_open_mode_someone_else_may_approve(open_store_with_bobs_proposal, capsys):
    store, cid = open_store_with_bobs_proposal
    assert main(["corrections", "approve", str(cid), "--user", "rob", "--db", store.url]) == 0
    assert "approved by rob" in capsys.readouterr().out


def _registration_case(spelling: str) -> str:
    """What registering ``spelling`` next to bob must do: it is bob himself once NFKC and the
    surrounding spaces are settled (so the admin changes bob), else it is refused."""
    from workbench.team.identity import clean_name, invisible_characters
    if invisible_characters(spelling):
        return "invisible character"
    return "changes bob" if clean_name(spelling) == "bob" else "reads as the existing user 'bob'"


@pytest.mark.parametrize("spelling", BOB_LOOKALIKES.values(), ids=BOB_LOOKALIKES.keys())
def test_a_lookalike_of_a_user_is_never_a_second_user(store, spelling, capsys):
    add_team(store)
    before = _fingerprint(store)
    argv = ["users", "add", spelling, "--role", "approver", "--user", "ann", "--db", store.url]
    expected = _registration_case(spelling)
    if expected == "changes bob":
        assert main(argv) == 0
        with store.session() as s:
            assert s.get(User, "bob").roles == "approver"
    else:
        _refused(capsys, argv, says=[expected])
        assert _fingerprint(store) == before
    with store.session() as s:
        assert s.execute(select(func.count()).select_from(User)).scalar() == 4


def test_the_same_name_with_stray_spaces_changes_that_user(store, capsys):
    add_team(store)
    assert main(["users", "add", " bob ", "--role", "preparer,approver", "--user", "ann", "--db", store.url]) == 0
    with store.session() as s:
        assert s.get(User, "bob").roles == "approver,preparer"
        assert s.execute(select(func.count()).select_from(User)).scalar() == 4


@pytest.fixture
def team(pg_store):
    add_team(pg_store)
    with pg_store.session() as s:
        register_user(s, "ann", "carol", ["approver"])
        remove_user(s, "ann", "cara")
    _, ids = add_run(pg_store, n=2)
    make_proposable(pg_store, ids)
    cid = service.propose(pg_store, ids[0], "bob")
    return pg_store, login_urls(pg_store.url, "ann", "bob", "cara", "carol", "dave", "Bob", "recon"), cid


SPOOFS = {  # (database role, --user, command)
    "preparer approves as an approver": ("bob", "carol", "approve"),
    "preparer approves as the admin": ("bob", "ann", "approve"),
    "preparer approves as a look-alike of an approver": ("bob", "c\u0430rol", "approve"),
    "auditor approves as the admin": ("dave", "ann", "approve"),
    "auditor proposes as a preparer": ("dave", "bob", "propose"),
    "auditor adds an admin as the admin": ("dave", "ann", "add-user"),
    "auditor deactivates a user as the admin": ("dave", "ann", "remove-user"),
    "deactivated user acts as an active one": ("cara", "bob", "propose"),
    "approver pushes as another approver": ("carol", "ann", "push"),
}


def _argv(command, cid, url, user):
    tail = ["--user", user, "--db", url]
    return {"approve": ["corrections", "approve", str(cid)], "propose": ["corrections", "propose", "2"],
            "add-user": ["users", "add", "eve", "--role", "admin"], "remove-user": ["users", "remove", "bob"],
            "push": ["corrections", "push"]}[command] + tail


@pytest.mark.parametrize("role, user, command", SPOOFS.values(), ids=SPOOFS.keys())
def test_team_mode_refuses_acting_as_someone_else(team, role, user, command, capsys):
    store, urls, cid = team
    before = _fingerprint(store)
    _refused(capsys, _argv(command, cid, urls[role], user),
             says=[f"you are authenticated as '{role}' (database role '{role}')", "acting as another user",
                   "is not allowed"])
    assert _fingerprint(store) == before


SELF = {  # the role naming itself in another spelling acts as itself
    "own name in capitals": ("carol", "CAROL"),
    "own name with spaces": ("carol", "  carol "),
    "own name with a cyrillic a": ("carol", "c\u0430rol"),
}


@pytest.mark.parametrize("role, user", SELF.values(), ids=SELF.keys())
def test_team_mode_naming_yourself_in_any_spelling_acts_as_you(team, role, user, capsys):
    store, urls, cid = team
    assert main(["corrections", "approve", str(cid), "--user", user, "--db", urls[role]]) == 0
    assert f"approved by {role}" in capsys.readouterr().out
    with store.session() as s:
        assert s.get(Correction, cid).approver == role


TEAM_REFUSALS = {  # (database role, --user or None, command, what the one line must say)
    "the preparer approves own work via a capitalised role": ("Bob", None, "approve", ["prepared by bob"]),
    "a deactivated user is told so": ("cara", None, "propose", ["user 'cara' was deactivated"]),
    "a shared role that is no user": ("recon", "ann", "approve", ["database role 'recon'",
                                                                  "neither is a workbench user"]),
}


@pytest.mark.parametrize("role, user, command, says", TEAM_REFUSALS.values(), ids=TEAM_REFUSALS.keys())
def test_team_mode_refuses_with_the_reason(team, role, user, command, says, capsys):
    store, urls, cid = team
    with store.session() as s:
        register_user(s, "ann", "bob", ["preparer", "approver"])
    before = _fingerprint(store)
    argv = _argv(command, cid, urls[role], user or "")
    if user is None:
        argv = argv[:-4] + argv[-2:]  # no --user: who the server authenticated
    _refused(capsys, argv, says=says)
    assert _fingerprint(store) == before
