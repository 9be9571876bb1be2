"""Users and roles, enforced by the core for the CLI, the app and library use alike.

Roles: preparer (proposes corrections, assigns, comments), approver (approves or
rejects others' proposals, pushes), auditor (reads only), admin (manages users).

Until the first user is registered the store is in *open* mode (one person's
desktop): every named user may prepare and approve, but never approve their own
proposal. Once users exist, only registered active users act, within their roles.

Names are compared as people (``workbench.team.identity.same_person``): ``Bob``, ``"bob "``
and ``bоb`` with a Cyrillic о are all ``bob``, and no second user may look like a first.
Who is acting is decided by ``acting_user`` (see docs/guide/identity.md): on PostgreSQL
the database role the server authenticated, else the OS account mapped to a user; a name
given on the command line may only name that same person.
"""

from __future__ import annotations

import getpass
import os
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import false, func, select, text, update
from sqlalchemy.orm import Session

from workbench.errors import ConfigError, InputError, PermissionDenied
from workbench.store.advisory import USERS_LOCK
from workbench.store.schema import User
from workbench.team.identity import clean_name, invisible_characters, same_person

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
    """The OS account this process runs as. Asked of the OS, not $USER/$LOGNAME, which anyone
    can set on the command line."""
    if os.name == "posix":
        import pwd
        try:
            return pwd.getpwuid(os.getuid()).pw_name
        except KeyError:
            return str(os.getuid())
    try:
        return os.getlogin()  # Windows: GetUserNameW, the account of this process's token
    except OSError:
        return getpass.getuser()


def open_mode(session: Session) -> bool:
    return (session.execute(select(func.count()).select_from(User)).scalar() or 0) == 0


def find_user(session: Session, name: str) -> User | None:
    """The registered user (active or not) who is ``name`` as a person (case, spaces, look-alikes)."""
    for u in session.execute(select(User)).scalars():
        if same_person(u.name, name):
            return u
    return None


def _user_by_os_login(session: Session, login: str) -> User | None:
    for u in session.execute(select(User).where(User.os_login.is_not(None))).scalars():
        if same_person(u.os_login, login):
            return u
    return None


def _database_role(session: Session) -> str | None:
    """The role the PostgreSQL server authenticated for this connection (None on SQLite).

    session_user, not current_user: SET ROLE changes the latter, not who logged in."""
    if session.get_bind().dialect.name != "postgresql":
        return None
    return str(session.execute(text("select session_user")).scalar())


def acting_user(session: Session, requested: str | None = None) -> str:
    """Who is acting, for a command line or the app: never simply the name someone typed.

    PostgreSQL (team mode): the registered user named like the authenticated database
    role, else the one whose OS login is this process's account; in open mode the role
    itself. SQLite: the user mapped to this OS account, else (nothing to authenticate
    against) the name given or the OS login. ``requested`` (``--user``) may only name the
    same person; anything else is PermissionDenied saying who you are.
    """
    if requested is not None and not clean_name(requested):
        raise InputError("--user names nobody: give a name with at least one visible character")
    login = os_login()
    role = _database_role(session)
    if role is not None:
        if open_mode(session):
            me, how = role, f"database role '{role}'"
        else:
            u = find_user(session, role)
            how = f"database role '{role}'"
            if u is None:
                u = _user_by_os_login(session, login)
                how = f"OS login '{login}' (database role '{role}' is no workbench user)"
            if u is None:
                raise PermissionDenied(
                    f"you are connected as database role '{role}' and logged in as '{login}', and neither is "
                    f"a workbench user; an admin can add you under your database role's name, or map your "
                    f"OS login with: workbench users add NAME --role ROLE --os-login {login}")
            me = u.name
    else:
        u = None if open_mode(session) else _user_by_os_login(session, login)
        if u is None:
            return clean_name(requested) if requested is not None else login
        me, how = u.name, f"OS login '{login}'"
    if requested is not None and not same_person(requested, me):
        raise PermissionDenied(f"you are authenticated as '{me}' ({how}); acting as another user "
                               f"('{clean_name(requested)}') is not allowed")
    return me


def resolve_user(session: Session, name: str | None = None) -> str:
    """Library use: the given name (scripts name their user and hold the store anyway), else
    who is running (``acting_user``)."""
    if name is not None and clean_name(name):
        return clean_name(name)
    return acting_user(session, None)


def roles_of(session: Session, name: str) -> set[str]:
    if open_mode(session):
        return {"preparer", "approver"}
    u = find_user(session, name)
    if u is None or not u.active:
        return set()
    return {r.strip() for r in u.roles.split(",") if r.strip()}


def _hold_user(session: Session, name: str) -> None:
    """PostgreSQL: share-lock the acting user's row until the transaction ends, and read it as committed.

    Without it an approval that checked its roles, then waited (for a correction another approver held),
    committed after an admin had taken the approver role away or deactivated the user: the trail showed
    an approval by someone who could no longer approve. With it, an admin's change to this user waits for
    the action under way, or, committed first, is what the action sees."""
    if session.get_bind().dialect.name != "postgresql" or open_mode(session):
        return
    u = find_user(session, name)
    if u is not None:
        session.execute(select(User).where(User.name == u.name).with_for_update(read=True)
                        .execution_options(populate_existing=True)).scalar_one_or_none()


def require(session: Session, name: str, action: str) -> None:
    """Refuse with a clear message unless ``name`` may do ``action``."""
    need = ACTIONS[action]
    _hold_user(session, name)
    have = roles_of(session, name)
    if have & need:
        return
    u = find_user(session, name)
    if not have:
        if u is not None and not u.active:
            raise PermissionDenied(f"user '{u.name}' was deactivated (workbench users list --all) and can no "
                                   f"longer act; an admin can restore them with: workbench users add {u.name} "
                                   f"--role ROLE")
        raise PermissionDenied(f"user '{name}' is not a registered workbench user; an admin can add them "
                               f"with: workbench users add {name} --role preparer")
    raise PermissionDenied(f"user '{u.name if u else name}' ({', '.join(sorted(have))}) may not "
                           f"{action.replace('_', ' ')}: that needs the role {' or '.join(sorted(need))}")


def add_user(session: Session, name: str, roles: list[str], *, display_name: str | None = None,
             os_login_name: str | None = None) -> User:
    bad = [r for r in roles if r not in ROLES]
    if bad:
        raise ConfigError(f"unknown role {bad[0]!r}; roles are {', '.join(ROLES)}")
    u = session.get(User, name)
    if u is None:
        u = User(name=name, created_at=datetime.now(UTC), roles="", active=True)
        session.add(u)
    u.roles = ",".join(sorted(set(roles)))
    u.display_name = display_name or u.display_name
    u.os_login = os_login_name or u.os_login
    u.active = True
    session.flush()
    return u


def list_users(session: Session) -> list[dict[str, Any]]:
    rows = session.execute(select(User).order_by(User.name)).scalars()
    return [{"name": u.name, "display_name": u.display_name, "roles": [r for r in u.roles.split(",") if r],
             "os_login": u.os_login, "active": bool(u.active), "created_at": u.created_at} for u in rows]


def _active_admins(session: Session) -> set[str]:
    return {u.name for u in session.execute(select(User).where(User.active.is_(True))).scalars()
            if "admin" in u.roles.split(",")}


def _one_change_at_a_time(session: Session) -> None:
    """Hold user changes in line until this transaction ends.

    Each rule below (no second user reads as a first, an OS login has one user, the last admin
    stays) reads the users table and writes later; two admins acting at once both passed the
    check: they removed each other and left no admin, or added 'bob' and 'Bob' side by side.
    Taken before the actor's own row is read, so the second waits here rather than deadlocking."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text(f"SELECT pg_advisory_xact_lock({USERS_LOCK})"))
    else:  # SQLite: a write statement takes the database's write lock, even when it matches no row
        session.execute(update(User).where(false()).values(roles=User.roles)
                        .execution_options(synchronize_session=False))
    for obj in list(session.identity_map.values()):  # users read before the wait are read again
        if isinstance(obj, User):
            session.expire(obj)


def register_user(session: Session, actor: str, name: str, roles: list[str], *, display_name: str | None = None,
                  os_login_name: str | None = None) -> User:
    """Add or change a user on behalf of ``actor`` (an admin), with an audit event.

    The very first user of a store must be an admin: after it, only registered users
    act, and someone has to be able to add the rest of the team.
    """
    from workbench.store import trail
    _one_change_at_a_time(session)
    hidden = invisible_characters(name or "")
    if hidden:
        raise ConfigError(f"the user name {name!r} holds an invisible character ({hidden[0]}); type the name "
                          "without it")
    name = clean_name(name or "")
    if not name:
        raise ConfigError("a user needs a name")
    twin = find_user(session, name)
    if twin is not None and twin.name != name:
        raise ConfigError(f"cannot add '{name}': it reads as the existing user '{twin.name}' (names are compared "
                          f"ignoring case, spaces, invisible characters and look-alike letters); choose a name "
                          f"that is clearly different, or change '{twin.name}' by that exact name")
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
        other = _user_by_os_login(session, os_login_name)
        if other is not None and other.name != name and other.active:
            raise ConfigError(f"the OS login '{os_login_name}' already belongs to workbench user '{other.name}'")
        if other is not None and other.name != name:
            # A deactivated user's login passes on (the account was handed to someone else): nothing else
            # could ever free it, and the new owner would be refused as the old one, deactivated.
            before_other = {"roles": other.roles, "active": other.active, "os_login": other.os_login}
            other.os_login = None
            session.flush()
            trail.append(session, actor=actor, action="user.change", entity_type="user", entity_id=other.name,
                         detail={"before": before_other, "roles": other.roles, "os_login": None, "active": False})
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
    _one_change_at_a_time(session)
    require(session, actor, "manage_users")
    u = find_user(session, name)
    if u is None:
        raise ConfigError(f"there is no workbench user '{name}' (see: workbench users list)")
    if not u.active:
        raise ConfigError(f"user '{u.name}' is already deactivated (see: workbench users list --all)")
    name = u.name
    if _active_admins(session) == {name}:
        raise ConfigError(f"'{name}' is the only admin; make someone else admin before removing them")
    u.active = False
    session.flush()
    trail.append(session, actor=actor, action="user.remove", entity_type="user", entity_id=name,
                 detail={"roles": u.roles})
