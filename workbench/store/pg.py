"""Shared-database helpers: upgrading safely while others are connected, and schema status.

Two admins (or two app instances started with ``migrate=True``) may run the upgrade
at the same moment; on PostgreSQL a session advisory lock makes the second wait and
then find nothing left to do, instead of both creating the same tables.
"""

from __future__ import annotations

from typing import Any

from alembic.script import ScriptDirectory
from sqlalchemy import text

from workbench.errors import ConfigError
from workbench.store.advisory import UPGRADE_LOCK
from workbench.store.db import (alembic_config, current_revision, head_revision, make_engine, redact, resolve_url,
                                upgrade)



def pending_revisions(have: str | None) -> list[str]:
    """Revisions between ``have`` and head, oldest first (all of them for an empty database)."""
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    revs = [r.revision for r in script.walk_revisions("base", "heads")]
    revs.reverse()
    if have is None:
        return revs
    if have not in revs:
        return []
    return revs[revs.index(have) + 1:]


def known_revision(rev: str | None) -> bool:
    if rev is None:
        return True
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    return any(r.revision == rev for r in script.walk_revisions("base", "heads"))


def _fail(url: str, exc: Exception) -> ConfigError:
    first = str(exc).splitlines()[0] if str(exc) else ""
    return ConfigError(f"cannot open the database {redact(url)}: {type(exc).__name__}: {first}")


def upgrade_database(url: str | None = None) -> tuple[str | None, str | None]:
    """Apply every pending migration; returns (revision before, revision after)."""
    url = resolve_url(url)
    try:
        engine = make_engine(url)
    except Exception as exc:
        raise _fail(url, exc) from exc
    try:
        try:
            before = current_revision(engine)
        except Exception as exc:
            raise _fail(url, exc) from exc
        if not known_revision(before):
            raise ConfigError(f"the database {redact(url)} is at schema {before}, which this version of the "
                              "workbench does not know: it was upgraded by a newer version; install that version")
        if engine.dialect.name == "postgresql":
            with engine.connect() as lock_conn:
                lock_conn.execute(text(f"SELECT pg_advisory_lock({UPGRADE_LOCK})"))
                try:
                    upgrade(url, engine)
                finally:
                    lock_conn.execute(text(f"SELECT pg_advisory_unlock({UPGRADE_LOCK})"))
                    lock_conn.commit()
        else:
            upgrade(url, engine)
        return before, current_revision(engine)
    finally:
        engine.dispose()


def schema_status(url: str | None = None) -> dict[str, Any]:
    """Where the database stands: backend, server version, schema revision, pending migrations, users."""
    url = resolve_url(url)
    try:
        engine = make_engine(url)
    except Exception as exc:
        raise _fail(url, exc) from exc
    try:
        have = current_revision(engine)
        out: dict[str, Any] = {"url": redact(url), "backend": engine.dialect.name, "revision": have,
                               "head": head_revision(), "server_version": None, "users": None, "runs": None}
        with engine.connect() as conn:
            if engine.dialect.name == "postgresql":
                out["server_version"] = conn.execute(text("SHOW server_version")).scalar()
            elif engine.dialect.name == "sqlite":
                out["server_version"] = "SQLite " + str(conn.execute(text("select sqlite_version()")).scalar())
            if have is not None:
                out["users"] = conn.execute(text("SELECT count(*) FROM users WHERE active")).scalar()
                out["runs"] = conn.execute(text("SELECT count(*) FROM runs")).scalar()
    except Exception as exc:
        raise _fail(url, exc) from exc
    finally:
        engine.dispose()
    out["known"] = known_revision(have)
    out["pending"] = pending_revisions(have) if out["known"] else []
    out["up_to_date"] = have == out["head"]
    return out
