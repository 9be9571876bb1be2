"""What the audit trail proves about the users table: who may act, in which roles, from which OS login.

Every user is added, changed and deactivated through ``users.register_user`` / ``remove_user``,
each with an event (``user.add`` / ``user.change``: the roles and OS login after; ``user.remove``).
A row that differs from the replay was written outside the workbench: a user inserted by SQL with
the approver role, an approver role added to the preparer, a deactivated user made active again,
an OS login moved to another user (whoever logs in with it then acts as that user).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from workbench.store.schema import AuditEvent, User


@dataclass
class _Proven:
    roles: str
    os_login: str | None
    active: bool
    event: int


def _show(v: object) -> str:
    return "(none)" if v is None else f"'{v}'"


def replay(events: Iterable[AuditEvent]) -> dict[str, _Proven]:
    out: dict[str, _Proven] = {}
    for ev in events:
        d, name = ev.detail or {}, str(ev.entity_id)
        if ev.action in ("user.add", "user.change"):
            # "active" is only written by a change to a deactivated user (its OS login passed on)
            out[name] = _Proven(str(d.get("roles") or ""), d.get("os_login"), bool(d.get("active", True)), ev.id)
        elif ev.action == "user.remove" and name in out:
            out[name].active, out[name].event = False, ev.id
    return out


def user_problems(session: Session) -> list[str]:
    """Each users row that differs from what the trail proves, named with both values."""
    proven = replay(session.execute(select(AuditEvent).where(AuditEvent.entity_type == "user")
                                    .order_by(AuditEvent.id)).scalars())
    out: list[str] = []
    seen: set[str] = set()
    for u in session.execute(select(User).order_by(User.name)).scalars():
        seen.add(u.name)
        p = proven.get(u.name)
        if p is None:
            out.append(f"user '{u.name}' (roles {u.roles or 'none'}) has no event in the audit trail: it was added "
                       "outside the workbench")
            continue
        where = f"user '{u.name}': the table says"
        if sorted(filter(None, u.roles.split(","))) != sorted(filter(None, p.roles.split(","))):
            out.append(f"{where} roles {_show(u.roles)}, the trail proves {_show(p.roles)} (event {p.event})")
        if u.os_login != p.os_login:
            out.append(f"{where} OS login {_show(u.os_login)}, the trail proves {_show(p.os_login)} (event {p.event})")
        if bool(u.active) != p.active:
            said = "active" if u.active else "deactivated"
            out.append(f"{where} {said}, the trail proves {'active' if p.active else 'deactivated'} "
                       f"(event {p.event})")
    for name in sorted(set(proven) - seen):
        out.append(f"user '{name}' is in the audit trail but not in the table: it was deleted outside the workbench")
    return out
