"""`workbench db upgrade|status|migrate-sqlite`, `workbench users add|list|remove`, `workbench who`."""

from __future__ import annotations

import argparse
import sys
from datetime import timedelta
from pathlib import Path

from workbench.cli import add_db_option
from workbench.cli.output import dumps
from workbench.progress import Progress


def cmd_upgrade(args: argparse.Namespace) -> int:
    from workbench.store.db import redact, resolve_url
    from workbench.store.pg import upgrade_database
    url = resolve_url(args.db)
    before, after = upgrade_database(url)
    if before == after:
        print(f"{redact(url)}: schema already current ({after})")
    else:
        print(f"{redact(url)}: schema upgraded from {before or 'empty'} to {after}")
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    from workbench.store.pg import schema_status
    st = schema_status(args.db)
    if args.format == "json":
        print(dumps(st))
        return 0
    print(f"database:  {st['url']} ({st['server_version'] or st['backend']})")
    print(f"schema:    {st['revision'] or 'none (no workbench tables yet)'} (this version needs {st['head']})")
    if st["revision"] is not None:
        open_mode = "" if st["users"] else " (open mode: anyone may prepare and approve)"
        print(f"users:     {st['users']} active{open_mode}")
        print(f"runs:      {st['runs']}")
    if not st["known"]:
        print("status:    the database was upgraded by a newer workbench; install that version")
    elif st["up_to_date"]:
        print("status:    up to date")
    else:
        print(f"status:    {len(st['pending'])} migration(s) pending ({', '.join(st['pending'])}); "
              f"run: workbench db upgrade --db '{st['url']}'")
    return 0


def _sqlite_url(value: str) -> str:
    if "://" in value:
        return value
    return f"sqlite:///{Path(value).expanduser().resolve()}"


class _Progress(Progress):
    def __init__(self) -> None:
        self.tty = sys.stderr.isatty()

    def set_progress(self, done: int, total: int | None = None, message: str = "") -> None:
        if self.tty:
            of = f"/{total:,}" if total else ""
            sys.stderr.write(f"\r\x1b[K{message}: {done:,}{of} rows")
            sys.stderr.flush()

    def close(self) -> None:
        if self.tty:
            sys.stderr.write("\r\x1b[K")


def cmd_migrate_sqlite(args: argparse.Namespace) -> int:
    from workbench.store.migrate_sqlite import migrate
    progress = _Progress()
    try:
        rep = migrate(_sqlite_url(args.source), args.target, state=progress)
    finally:
        progress.close()
    print(f"copied {rep.source} into {rep.target}")
    for line in rep.lines():
        print(line)
    return 0


def _roles(values: list[str] | None) -> list[str]:
    out: list[str] = []
    for v in values or []:
        out += [r.strip() for r in v.split(",") if r.strip()]
    return out


def cmd_users_add(args: argparse.Namespace) -> int:
    from workbench.store.db import open_store
    from workbench.team.users import acting_user, register_user
    store = open_store(args.db)
    try:
        with store.session() as s:
            actor = acting_user(s, args.user)
            u = register_user(s, actor, args.name, _roles(args.role), display_name=args.display_name,
                              os_login_name=args.os_login)
            print(f"user {u.name}: roles {u.roles.replace(',', ', ')}"
                  f"{f', OS login {u.os_login}' if u.os_login else ''}")
    finally:
        store.dispose()
    return 0


def cmd_users_list(args: argparse.Namespace) -> int:
    from workbench.store.db import open_store
    from workbench.team.users import list_users
    store = open_store(args.db)
    try:
        with store.session() as s:
            users = list_users(s)
    finally:
        store.dispose()
    if not args.all:
        users = [u for u in users if u["active"]]
    if args.format == "json":
        print(dumps(users))
        return 0
    if not users:
        print("no users registered: open mode (anyone may prepare and approve, never their own proposal); "
              "add the first admin with: workbench users add NAME --role admin")
        return 0
    print(f"{'User':<20}{'Roles':<32}{'OS login':<16}{'Active':<8}Name")
    for u in users:
        print(f"{u['name']:<20}{', '.join(u['roles']):<32}{u['os_login'] or '':<16}"
              f"{'yes' if u['active'] else 'no':<8}{u['display_name'] or ''}")
    return 0


def cmd_users_remove(args: argparse.Namespace) -> int:
    from workbench.store.db import open_store
    from workbench.team.users import acting_user, remove_user
    store = open_store(args.db)
    try:
        with store.session() as s:
            remove_user(s, acting_user(s, args.user), args.name)
    finally:
        store.dispose()
    print(f"user {args.name} removed (deactivated; their name stays on everything they did)")
    return 0


def cmd_who(args: argparse.Namespace) -> int:
    from workbench.store.db import open_store
    from workbench.team.presence import who_is_here
    store = open_store(args.db)
    try:
        here = who_is_here(store, within=timedelta(minutes=args.within))
    finally:
        store.dispose()
    if not here:
        print(f"nobody has had the workbench open in the last {args.within:g} minutes")
        return 0
    print(f"{'User':<20}{'Last seen (UTC)':<22}{'Run':>6}  Where")
    for e in here:
        where = ", ".join(f"{x['host']}:{x['pid']}" for x in e["sessions"])
        print(f"{e['display_name']:<20}{e['last_seen']:%Y-%m-%d %H:%M:%S}   {e['run_id'] or '':>6}  {where}")
    return 0


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    db = sub.add_parser("db", help="database schema: upgrade, status, move a SQLite store to PostgreSQL")
    dsub = db.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    p = dsub.add_parser("upgrade", help="apply pending schema migrations (needed after installing a new version)")
    add_db_option(p)
    p.set_defaults(func=cmd_upgrade)
    p = dsub.add_parser("status", help="show the database, its schema revision and pending migrations")
    add_db_option(p)
    p.add_argument("--format", choices=["table", "json"], default="table", help="table for people, json for scripts")
    p.set_defaults(func=cmd_status)
    p = dsub.add_parser("migrate-sqlite", help="copy a single-user SQLite store into an empty PostgreSQL database")
    p.add_argument("--from", dest="source", required=True, metavar="SQLITE_URL",
                   help="the SQLite store (sqlite:///path or a file path)")
    p.add_argument("--to", dest="target", required=True, metavar="PG_URL",
                   help="the PostgreSQL database, upgraded and empty (postgresql+psycopg://user@host:port/db)")
    p.set_defaults(func=cmd_migrate_sqlite)

    users = sub.add_parser("users", help="workbench users and roles (preparer, approver, auditor, admin)")
    usub = users.add_subparsers(dest="users_command", metavar="ACTION", required=True)
    p = usub.add_parser("add", help="add a user or change their roles (admins only, except the first user)")
    p.add_argument("name", help="the user's workbench name (what the trail records as who acted)")
    p.add_argument("--role", action="append", required=True,
                   help="preparer, approver, auditor or admin (repeatable, or comma-separated)")
    p.add_argument("--os-login", help="the OS login that identifies this user (default: none)")
    p.add_argument("--display-name", help="full name shown to the team")
    p.add_argument("--user", help="who is acting (default: your OS login, mapped to a workbench user)")
    add_db_option(p)
    p.set_defaults(func=cmd_users_add)
    p = usub.add_parser("list", help="list users and their roles")
    p.add_argument("--all", action="store_true", help="include removed users")
    p.add_argument("--format", choices=["table", "json"], default="table", help="table for people, json for scripts")
    add_db_option(p)
    p.set_defaults(func=cmd_users_list)
    p = usub.add_parser("remove", help="deactivate a user (admins only)")
    p.add_argument("name", help="the user to deactivate")
    p.add_argument("--user", help="who is acting (default: your OS login, mapped to a workbench user)")
    add_db_option(p)
    p.set_defaults(func=cmd_users_remove)

    p = sub.add_parser("who", help="who else has the workbench open on this database")
    p.add_argument("--within", type=float, default=2.0, metavar="MINUTES", help="heartbeat age (default 2)")
    add_db_option(p)
    p.set_defaults(func=cmd_who)
