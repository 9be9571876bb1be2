"""Users and roles, enforced by the core for the CLI, the app and library use alike.

Roles: preparer (proposes corrections, assigns, comments), approver (approves or
rejects others' proposals, pushes), auditor (reads only), admin (manages users).

Until the first user is registered the store is in *open* mode (one person's
desktop): every named user may prepare and approve, but never approve their own
proposal. Once users exist, only registered active users act, within their roles.
"""

from __future__ import annotations

import getpass
import os
from datetime import datetime, timezone

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from workbench.errors import ConfigError, PermissionDenied
from workbench.store.schema import User

ROLES = ("preparer", "approver", "auditor", "admin")
# What each action needs; auditors hold none of these.
ACTIONS = {
    "prepare": {"preparer", "admin"},
    "assign": {"preparer", "approver", "admin"},
    "approve": {"approver", "admin"},
    "push": {"approver", "admin"},
    "waive": {"approver", "admin"},
    "run": {"preparer", "approver", "admin"},
    "link": {"preparer", "approver", "admin"},
    "manage_users": {"admin"},
    # month-end close (workbench.close): the preparer signs off, a reviewer certifies or reopens
    "signoff": {"preparer", "admin"},
    "certify": {"approver", "admin"},
    "reopen": {"approver", "admin"},
    "comment": {"preparer", "approver", "admin"},
}


def os_login() -> str:
    try:
        return getpass.getuser()
    except Exception:
        return os.environ.get("USER") or os.environ.get("USERNAME") or "user"


def open_mode(session: Session) -> bool:
    return (session.execute(select(func.count()).select_from(User)).scalar() or 0) == 0


def resolve_user(session: Session, name: str | None = None) -> str:
    """The workbench user acting: the given name, else the OS login mapped to a user."""
    if name:
        return name
    login = os_login()
    u = session.execute(select(User).where(User.os_login == login)).scalar_one_or_none()
    return u.name if u else login


def roles_of(session: Session, name: str) -> set[str]:
    if open_mode(session):
        return {"preparer", "approver"}
    u = session.get(User, name)
    if u is None or not u.active:
        return set()
    return {r.strip() for r in u.roles.split(",") if r.strip()}


def require(session: Session, name: str, action: str) -> None:
    """Refuse with a clear message unless ``name`` may do ``action``."""
    need = ACTIONS[action]
    have = roles_of(session, name)
    if have & need:
        return
    if not have:
        raise PermissionDenied(f"user '{name}' is not a registered workbench user; an admin can add them "
                               f"with: workbench users add {name} --role preparer")
    raise PermissionDenied(f"user '{name}' ({', '.join(sorted(have))}) may not {action.replace('_', ' ')}: "
                           f"that needs the role {' or '.join(sorted(need))}")


def add_user(session: Session, name: str, roles: list[str], *, display_name: str | None = None,
             os_login_name: str | None = None) -> User:
    bad = [r for r in roles if r not in ROLES]
    if bad:
        raise ConfigError(f"unknown role {bad[0]!r}; roles are {', '.join(ROLES)}")
    u = session.get(User, name)
    if u is None:
        u = User(name=name, created_at=datetime.now(timezone.utc), roles="", active=True)
        session.add(u)
    u.roles = ",".join(sorted(set(roles)))
    u.display_name = display_name or u.display_name
    u.os_login = os_login_name or u.os_login
    u.active = True
    session.flush()
    return u


def list_users(session: Session) -> list[dict]:
    rows = session.execute(select(User).order_by(User.name)).scalars()
    return [{"name": u.name, "display_name": u.display_name, "roles": [r for r in u.roles.split(",") if r],
             "os_login": u.os_login, "active": bool(u.active), "created_at": u.created_at} for u in rows]


def _active_admins(session: Session) -> set[str]:
    return {u.name for u in session.execute(select(User).where(User.active.is_(True))).scalars()
            if "admin" in u.roles.split(",")}


def register_user(session: Session, actor: str, name: str, roles: list[str], *, display_name: str | None = None,
                  os_login_name: str | None = None) -> User:
    """Add or change a user on behalf of ``actor`` (an admin), with an audit event.

    The very first user of a store must be an admin: after it, only registered users
    act, and someone has to be able to add the rest of the team.
    """
    from workbench.store import trail
    name = (name or "").strip()
    if not name:
        raise ConfigError("a user needs a name")
    if not roles:
        raise ConfigError(f"give the user at least one role with --role ({', '.join(ROLES)})")
    if open_mode(session):
        if "admin" not in roles:
            raise ConfigError(f"the first user of a database must be an admin (add --role admin), otherwise "
                              f"nobody could add the rest of the team; e.g.: workbench users add {name} "
                              f"--role admin --role approver")
    else:
        require(session, actor, "manage_users")
    if os_login_name:
        other = session.execute(select(User).where(User.os_login == os_login_name, User.name != name)).scalar()
        if other is not None:
            raise ConfigError(f"the OS login '{os_login_name}' already belongs to workbench user '{other.name}'")
    before = session.get(User, name)
    old = None if before is None else {"roles": before.roles, "active": before.active, "os_login": before.os_login}
    if before is not None and "admin" not in roles and _active_admins(session) == {name}:
        raise ConfigError(f"'{name}' is the only admin; make someone else admin first")
    u = add_user(session, name, roles, display_name=display_name, os_login_name=os_login_name)
    trail.append(session, actor=actor, action="user.add" if old is None else "user.change", entity_type="user",
                 entity_id=name, detail={"before": old, "roles": u.roles, "os_login": u.os_login})
    return u


def remove_user(session: Session, actor: str, name: str) -> None:
    """Deactivate a user: they can no longer act; their name stays on everything they did."""
    from workbench.store import trail
    require(session, actor, "manage_users")
    u = session.get(User, name)
    if u is None or not u.active:
        raise ConfigError(f"there is no active workbench user '{name}' (see: workbench users list)")
    if _active_admins(session) == {name}:
        raise ConfigError(f"'{name}' is the only admin; make someone else admin before removing them")
    u.active = False
    session.flush()
    trail.append(session, actor=actor, action="user.remove", entity_type="user", entity_id=name,
                 detail={"roles": u.roles})
