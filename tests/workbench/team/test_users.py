"""Users and roles in the database: bootstrap, admin-only changes, OS-login identity."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from workbench.errors import ConfigError, PermissionDenied
from workbench.store.schema import AuditEvent
from workbench.team.users import (list_users, open_mode, register_user, remove_user, require, resolve_user,
                                  roles_of)

from tests.workbench.team.conftest import add_team


def test_the_first_user_must_be_an_admin(any_store):
    with any_store.session() as s:
        with pytest.raises(ConfigError, match="first user of a database must be an admin"):
            register_user(s, "ann", "ann", ["approver"])
    with any_store.session() as s:
        assert open_mode(s)
        register_user(s, "ann", "ann", ["admin"])
        assert not open_mode(s)


def test_only_admins_manage_users_and_every_change_is_audited(any_store):
    add_team(any_store)
    with any_store.session() as s:
        with pytest.raises(PermissionDenied, match="'bob' \\(preparer\\) may not manage users"):
            register_user(s, "bob", "bob", ["admin"])
    with any_store.session() as s:
        assert roles_of(s, "bob") == {"preparer"}
        register_user(s, "ann", "bob", ["preparer", "approver"])
        assert roles_of(s, "bob") == {"preparer", "approver"}
    with any_store.session() as s:  # events join the chain when the change commits
        acts = [(e.action, e.entity_id) for e in s.execute(select(AuditEvent).where(
            AuditEvent.entity_type == "user").order_by(AuditEvent.id)).scalars()]
        assert acts[-1] == ("user.change", "bob") and ("user.add", "dave") in acts


def test_removed_users_can_no_longer_act_but_stay_listed(any_store):
    add_team(any_store)
    with any_store.session() as s:
        remove_user(s, "ann", "cara")
    with any_store.session() as s:
        with pytest.raises(PermissionDenied, match="cara"):
            require(s, "cara", "prepare")
        cara = next(u for u in list_users(s) if u["name"] == "cara")
        assert cara["active"] is False
        with pytest.raises(ConfigError, match="only admin"):
            remove_user(s, "ann", "ann")


def test_the_os_login_identifies_the_workbench_user(any_store, monkeypatch):
    add_team(any_store)
    monkeypatch.setattr("workbench.team.users.os_login", lambda: "bob-os")
    with any_store.session() as s:
        assert resolve_user(s) == "bob"
        assert resolve_user(s, "cara") == "cara"  # an explicit name wins
        with pytest.raises(ConfigError, match="already belongs to workbench user 'bob'"):
            register_user(s, "ann", "cara", ["preparer"], os_login_name="bob-os")


def test_an_auditor_holds_no_changing_permission(any_store):
    add_team(any_store)
    from workbench.team.users import ACTIONS
    with any_store.session() as s:
        for action in ACTIONS:
            with pytest.raises(PermissionDenied):
                require(s, "dave", action)


def test_a_deactivated_users_os_login_passes_to_a_new_user(any_store, monkeypatch):
    """The account 'bob-os' is handed to someone else after bob left: the admin could not map it (it
    'already belongs to workbench user bob', and nothing clears a login), and its new owner was told
    they are bob, deactivated."""
    from workbench.store.trail import verify
    from workbench.team.user_proof import user_problems
    from workbench.team.users import acting_user
    add_team(any_store)
    with any_store.session() as s:
        remove_user(s, "ann", "bob")
    with any_store.session() as s:
        register_user(s, "ann", "erin", ["preparer"], os_login_name="bob-os")
    monkeypatch.setattr("workbench.team.users.os_login", lambda: "bob-os")
    with any_store.session() as s:
        assert acting_user(s) == "erin"
        bob = next(u for u in list_users(s) if u["name"] == "bob")
        assert (bob["active"], bob["os_login"]) == (False, None)
        assert user_problems(s) == [] and verify(s).ok
        require(s, "erin", "prepare")
