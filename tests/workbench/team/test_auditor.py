"""An auditor reads everything and changes nothing — through the library and the CLI alike."""

from __future__ import annotations


import pytest
from sqlalchemy import func, select

from tests.helpers.proposals import make_proposable
from workbench.cli import main
from workbench.config import RunConfig
from workbench.corrections import service
from workbench.errors import PermissionDenied
from workbench.store.schema import AuditEvent, Correction, ExceptionRow
from workbench.review import links as links_review
from workbench.team import concurrency as cc
from workbench.team.users import register_user, remove_user

from tests.workbench.team.conftest import add_run, add_team


@pytest.fixture
def team_with_work(any_store):
    add_team(any_store)
    run_id, ids = add_run(any_store, n=2)
    make_proposable(any_store, ids)
    proposed = service.propose(any_store, ids[0], "bob")
    return any_store, ids, proposed


def _fingerprint(store):
    with store.session() as s:
        return (s.execute(select(func.count()).select_from(AuditEvent)).scalar(),
                [(c.state, c.version) for c in s.execute(select(Correction).order_by(Correction.id)).scalars()],
                [(e.status, e.assignee, e.version) for e in s.execute(select(ExceptionRow)
                                                                     .order_by(ExceptionRow.id)).scalars()])


def test_the_library_refuses_every_change_by_an_auditor(team_with_work):
    store, ids, cid = team_with_work
    before = _fingerprint(store)
    attempts = {
        "propose": lambda: service.propose(store, ids[1], "dave"),
        "approve": lambda: service.approve(store, [cid], "dave"),
        "reject": lambda: service.reject(store, [cid], "dave", "no"),
        "waive": lambda: service.waive(store, [ids[1]], "dave", "immaterial"),
        "push": lambda: service.push(store, "dave"),
        "replay": lambda: service.replay(store, [cid], "dave"),
        "assign": lambda: cc.assign(store, ids[1], "bob", "dave", 1),
        "review": lambda: cc.start_review(store, ids[1], "dave", 1),
        "resolve": lambda: cc.resolve(store, ids[1], "dave", 1, "fine"),
        "link": lambda: links_review.reject_link(store, 1, "dave", expected_version=1),
    }
    for act in attempts.values():
        with pytest.raises(PermissionDenied, match="dave"):
            act()
    for what in ("add", "remove"):
        with pytest.raises(PermissionDenied, match="dave"):
            with store.session() as s:
                if what == "add":
                    register_user(s, "dave", "dave", ["admin"])
                else:
                    remove_user(s, "dave", "bob")
    with pytest.raises(PermissionDenied, match="dave"):
        from workbench.pipeline import execute_run
        execute_run(RunConfig(raw={"run": {"name": "x"}}), store, user="dave")
    assert _fingerprint(store) == before


def test_the_cli_refuses_every_change_by_an_auditor(team_with_work, capsys):
    store, ids, cid = team_with_work
    url = store.url
    if store.is_postgres:  # team mode: dave is who the server authenticated
        from tests.helpers.pg_roles import login_urls
        url = login_urls(url, "dave")["dave"]
    before = _fingerprint(store)
    commands = [
        ["corrections", "propose", str(ids[1])],
        ["corrections", "approve", str(cid)],
        ["corrections", "reject", str(cid), "--reason", "no"],
        ["corrections", "waive", str(ids[1]), "--reason", "immaterial"],
        ["corrections", "push"],
        ["corrections", "replay", str(cid)],
        ["users", "add", "eve", "--role", "admin"],
        ["users", "remove", "bob"],
    ]
    for argv in commands:
        capsys.readouterr()
        assert main(argv + ["--user", "dave", "--db", url]) == 2, argv
        err = capsys.readouterr().err
        assert err.startswith("workbench: error: user 'dave' (auditor) may not"), (argv, err)
        assert len(err.strip().splitlines()) == 1
    # reading is fine
    assert main(["users", "list", "--db", url]) == 0
    assert main(["corrections", "list", "--db", url]) == 0
    assert _fingerprint(store) == before
