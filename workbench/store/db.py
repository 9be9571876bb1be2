"""Opening the store: SQLite in the user data directory by default, any SQLAlchemy
URL (PostgreSQL for teams) through ``--db`` or ``WORKBENCH_DB``.

SQLite stores belong to one user and are migrated automatically when opened.
Shared databases are never migrated behind the team's back: opening one whose
schema is behind refuses with the command that fixes it (``workbench db upgrade``).
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path
from collections.abc import Iterator
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from workbench.errors import ConfigError
from workbench.model import secrets

ENV_VAR = "WORKBENCH_DB"
MIGRATIONS = Path(__file__).with_name("migrations")


def default_url() -> str:
    from platformdirs import user_data_dir
    path = Path(user_data_dir("recon-workbench", appauthor=False)) / "workbench.sqlite3"
    path.parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{path}"


URL_EXAMPLES = ("sqlite:////home/me/workbench.sqlite3 (a file: sqlite:/// and its absolute path) or "
                "postgresql+psycopg://user@host:5432/workbench")


def check_url(value: str) -> str:
    """A database URL as given (``--db``, $WORKBENCH_DB), or ConfigError saying what one looks like. A file path or
    Heroku's ``postgres://`` reached SQLAlchemy as they were and came back as 'Could not parse SQLAlchemy URL' or
    'Can't load plugin: sqlalchemy.dialects:postgres'."""
    scheme, sep, rest = value.partition("://")
    if not sep:
        raise ConfigError(f"{value!r} is not a database URL; expected {URL_EXAMPLES}")
    if scheme == "postgres":  # never echo the value: it may carry a password
        raise ConfigError(f"'postgres://' names no database driver; write the same URL as "
                          f"postgresql+psycopg://{'…' if rest else ''}")
    if scheme == "sqlite" and rest.startswith("/") and rest != "/:memory:":
        folder = Path(rest[1:].split("?", 1)[0]).expanduser().absolute().parent
        if not folder.is_dir():
            what = "is a file, not a folder" if folder.exists() else "does not exist"
            raise ConfigError(f"the folder {folder} of the SQLite file {what}; create it or name a file "
                              f"in an existing folder ({URL_EXAMPLES})")
    return value


def resolve_url(url: str | None = None) -> str:
    """The store's URL: the one given, else $WORKBENCH_DB (checked as ``--db`` is, the message naming it), else
    SQLite in the user data folder."""
    if url:
        return url
    env = os.environ.get(ENV_VAR)
    if env:
        try:
            return check_url(env)
        except ConfigError as exc:
            raise ConfigError(f"{ENV_VAR}: {exc}") from None
    return default_url()


def redact(url: str) -> str:
    """The URL with any password removed (user info and ``?password=`` alike), for messages and logs."""
    from sqlalchemy.engine import make_url
    try:
        return secrets.mask(make_url(url).render_as_string(hide_password=True))
    except Exception:
        return "<database url>"


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30})

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            # WAL lets the GUI read while a worker writes; foreign keys are off by default in SQLite.
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()
        return engine
    return create_engine(url, pool_pre_ping=True)


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()


def _known_revision(rev: str) -> bool:
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    return any(r.revision == rev for r in script.walk_revisions("base", "heads"))


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(url: str, engine: Engine | None = None) -> None:
    cfg = alembic_config(url)
    if engine is None:
        command.upgrade(cfg, "head")
        return
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")


class Store:
    """An open database: an engine and a session factory."""

    def __init__(self, url: str, engine: Engine):
        self.url = url
        self.engine = engine
        self.sessions = sessionmaker(engine, expire_on_commit=False)

    @property
    def is_postgres(self) -> bool:
        return self.engine.dialect.name == "postgresql"

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A transaction: committed on success, rolled back (nothing half-written) on error."""
        with self.sessions() as s:
            with s.begin():
                yield s

    @contextmanager
    def snapshot(self) -> Iterator[Session]:
        """A read-only transaction that sees the whole store as it was at one moment.

        ``session`` reads each statement afresh (PostgreSQL's READ COMMITTED; pysqlite runs a SELECT
        outside any transaction), so a check that walks the trail and then reads the anchor and the
        tables saw a teammate's change in one and not the other: ``audit verify`` while others worked
        said events were deleted or an assignee differed from the trail."""
        with self.sessions() as s:
            with s.begin():
                if self.is_postgres:
                    s.connection(execution_options={"isolation_level": "REPEATABLE READ",
                                                    "postgresql_readonly": True})
                else:  # a SQLite read transaction keeps its WAL snapshot until it ends
                    s.connection().exec_driver_sql("BEGIN")
                yield s

    def dispose(self) -> None:
        self.engine.dispose()

    def __reduce__(self) -> tuple[Any, ...]:
        # A store crosses into a child process (workbench.isolated) as its URL and is reopened
        # there; this process has already created or migrated it.
        return (_reopen, (self.url,))


def _reopen(url: str) -> Store:
    return open_store(url, migrate=False)


def open_store(url: str | None = None, *, migrate: bool | None = None) -> Store:
    """Open (and for SQLite, create/migrate) the store.

    ``migrate=None`` migrates SQLite automatically and refuses a behind schema
    elsewhere; True always migrates; False never does.
    """
    url = resolve_url(url)
    try:
        engine = make_engine(url)
        if migrate is None:
            migrate = engine.dialect.name == "sqlite"
        if migrate:
            upgrade(url, engine)
        else:
            have, want = current_revision(engine), head_revision()
            if have != want:
                engine.dispose()
                state = "has no workbench tables yet" if have is None else f"is at schema {have}, the app needs {want}"
                if have is not None and not _known_revision(have):
                    raise ConfigError(f"the database {redact(url)} is at schema {have}, written by a newer version "
                                      f"of the workbench than this one (which knows up to {want}); install that "
                                      "version")
                raise ConfigError(
                    f"the database {redact(url)} {state}; run: workbench db upgrade --db '{redact(url)}'")
    except ConfigError:
        raise
    except Exception as exc:  # driver errors carry the URL; never show a password
        raise ConfigError(f"cannot open the database {redact(url)}: {type(exc).__name__}: "
                          f"{str(exc).splitlines()[0] if str(exc) else ''}") from exc
    return Store(url, engine)
