"""A real PostgreSQL server for the tests (pytest plugin, registered in tests/conftest.py).

One cluster per test session: ``initdb`` + ``pg_ctl`` in a temporary directory,
listening on 127.0.0.1 only, on a free port; stopped and deleted at the end. Under
pytest-xdist each worker process is a session of its own, so each starts its own
cluster (its own directory and port) and stops it when its session ends.
Each test that needs a database gets a fresh one (``CREATE DATABASE``), so tests
never see each other's rows.

Fixtures:
- ``pg_url`` (session): URL of the server's maintenance database ``postgres``;
  use it only to create databases, or through the fixtures below.
- ``pg_db_url`` (function): URL of a new, empty database for this test.
- ``pg_store`` (function): an open ``Store`` on a new database, migrated to head.

Tests using them are marked ``postgres`` automatically. With ``WORKBENCH_SKIP_PG=1``
those tests are skipped, so a developer without PostgreSQL can run the SQLite part;
without that variable a missing ``initdb`` fails them with the reason.
"""

from __future__ import annotations

import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import pytest

PG_FIXTURES = {"pg_url", "pg_db_url", "pg_store"}
SKIP_VAR = "WORKBENCH_SKIP_PG"
_db_numbers = itertools.count(1)


def _skip_requested() -> bool:
    return os.environ.get(SKIP_VAR, "").strip() not in ("", "0", "false", "no")


def pytest_collection_modifyitems(config, items):
    skip = pytest.mark.skip(reason=f"{SKIP_VAR}=1: PostgreSQL tests not run")
    for item in items:
        if PG_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.postgres)
        if _skip_requested() and item.get_closest_marker("postgres"):
            item.add_marker(skip)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _server_user() -> tuple[int, int] | None:
    """PostgreSQL refuses to run as root; when the tests are root, run it as an unprivileged user."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        try:
            pw = pwd.getpwnam(name)
            return pw.pw_uid, pw.pw_gid
        except KeyError:
            continue
    raise RuntimeError("tests run as root and neither a 'postgres' nor a 'nobody' user exists "
                       "to run the PostgreSQL server as")


class PgCluster:
    def __init__(self, root: Path, as_user: tuple[int, int] | None):
        self.root, self.as_user = root, as_user
        self.data, self.log, self.sockets = root / "data", root / "server.log", root / "sock"
        self.port: int | None = None

    def _run(self, *cmd: str) -> subprocess.CompletedProcess:
        kw = {}
        if self.as_user:
            kw = {"user": self.as_user[0], "group": self.as_user[1], "extra_groups": []}
        return subprocess.run(cmd, capture_output=True, text=True, timeout=120, env=self._env(), **kw)

    def _env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
        env["LC_ALL"] = env["LANG"] = "C"
        return env

    def init(self) -> None:
        self.sockets.mkdir(parents=True)
        if self.as_user:
            for p in (self.root, self.sockets):
                os.chown(p, *self.as_user)
        r = self._run("initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust", "-E", "UTF8",
                      "--locale=C", "--no-sync")
        if r.returncode:
            raise RuntimeError(f"initdb failed: {r.stderr.strip() or r.stdout.strip()}")

    def start(self) -> None:
        last = ""
        for _ in range(5):  # another process may grab the free port between probe and bind
            self.port = _free_port()
            # Durability off: a test cluster is thrown away, and fsync would dominate the runtime.
            opts = (f"-h 127.0.0.1 -p {self.port} -k {self.sockets} -F "
                    f"-c synchronous_commit=off -c full_page_writes=off -c max_connections=200")
            r = self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-o", opts, "-w", "-t", "60",
                          "start")
            if r.returncode == 0:
                return
            last = r.stderr.strip() or r.stdout.strip()
            if self.log.exists():
                last += " | " + self.log.read_text(errors="replace")[-800:]
        raise RuntimeError(f"pg_ctl start failed: {last}")

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"


@pytest.fixture(scope="session")
def pg_url():
    if _skip_requested():
        pytest.skip(f"{SKIP_VAR}=1: PostgreSQL tests not run")
    if not shutil.which("initdb") or not shutil.which("pg_ctl"):
        pytest.fail("PostgreSQL tests need the PostgreSQL 15 server binaries (initdb, pg_ctl) on PATH; "
                    f"install them (Debian: apt-get install postgresql-15) or set {SKIP_VAR}=1 to run "
                    "only the SQLite part", pytrace=False)
    root = Path(tempfile.mkdtemp(prefix="workbench-pg-"))
    cluster = PgCluster(root, _server_user())
    try:
        cluster.init()
        cluster.start()
    except Exception as exc:
        shutil.rmtree(root, ignore_errors=True)
        pytest.fail(f"could not start a test PostgreSQL server: {exc}", pytrace=False)
    try:
        yield cluster.url
    finally:
        cluster.stop()
        shutil.rmtree(root, ignore_errors=True)


def create_database(server_url: str, name: str) -> str:
    """CREATE DATABASE ``name`` on the server; returns its URL."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url
    engine = create_engine(server_url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        engine.dispose()
    return make_url(server_url).set(database=name).render_as_string(hide_password=False)


@pytest.fixture
def pg_db_url(pg_url):
    return create_database(pg_url, f"t{os.getpid()}_{next(_db_numbers)}")


@pytest.fixture
def pg_store(pg_db_url):
    from workbench.store.db import open_store
    s = open_store(pg_db_url, migrate=True)
    yield s
    s.dispose()
