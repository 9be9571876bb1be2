"""Moving a single-user SQLite store into PostgreSQL: same ids, same money, a chain that still verifies."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, inspect, select, text

from workbench import config as cfg
from workbench.store.trail import verify
from workbench.cli import main
from workbench.errors import ConfigError
from workbench.pipeline import execute_run
from workbench.sandbox.scenario import generate
from workbench.store import repo
from workbench.store.db import open_store
from workbench.store.migrate_sqlite import migrate
from workbench.store.schema import AuditEvent, Base, ExceptionRow, Run
from workbench.team import concurrency as cc
from datetime import UTC

pytestmark = pytest.mark.postgres


@pytest.fixture(scope="module")
def scenario(tmp_path_factory) -> Path:
    return generate(11, 25, tmp_path_factory.mktemp("scn") / "s", invoices_per_customer=4)


@pytest.fixture(scope="module")
def desktop_file(tmp_path_factory, scenario) -> Path:
    """A desktop store with two runs, some work done on exceptions, and users (built once, copied per test)."""
    path = tmp_path_factory.mktemp("desk") / "desk.sqlite3"
    store = open_store(f"sqlite:///{path}")
    conf = cfg.load(scenario / "run.toml")
    execute_run(conf, store, user="ann")
    run_id = execute_run(conf, store, user="ann").run_id
    ids = list(repo.load_exceptions(store, run_id)["id"])
    cc.start_review(store, int(ids[0]), "bob", 1)
    cc.assign(store, int(ids[1]), "cara", "ann", 1)
    from workbench.team.users import register_user
    with store.session() as s:
        register_user(s, "ann", "ann", ["admin", "approver"])
        register_user(s, "ann", "bob", ["preparer"], os_login_name="bob-os")
    with store.engine.connect() as c:  # fold the WAL into the file so a plain copy is complete
        c.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    store.dispose()
    return path


@pytest.fixture
def sqlite_store(tmp_path, desktop_file):
    import shutil
    shutil.copy(desktop_file, tmp_path / "desk.sqlite3")
    store = open_store(f"sqlite:///{tmp_path / 'desk.sqlite3'}")
    yield store
    store.dispose()


def _dump(store, table) -> list[tuple]:
    with store.engine.connect() as c:
        rows = c.execute(select(table).order_by(*table.primary_key.columns)).all()
    return [tuple(_norm(v) for v in r) for r in rows]


def _norm(v):
    from datetime import datetime
    if isinstance(v, datetime) and v.tzinfo is None:
        return v.replace(tzinfo=UTC)
    return v


def test_every_row_arrives_with_its_id_and_exact_money(sqlite_store, pg_store):
    rep = migrate(sqlite_store.url, pg_store.url)
    for table in Base.metadata.sorted_tables:
        assert _dump(sqlite_store, table) == _dump(pg_store, table), table.name
    assert rep.rows["exceptions"] > 0 and rep.rows["snapshot_parts"] > 0 and rep.rows["snapshot_blobs"] > 0
    with pg_store.session() as s:
        assert verify(s).ok
        assert rep.audit_events == s.execute(select(func.count()).select_from(AuditEvent)).scalar()
        money = [str(v) for v in s.execute(select(ExceptionRow.amount_at_risk)
                                           .where(ExceptionRow.amount_at_risk.is_not(None))
                                           .order_by(ExceptionRow.id)).scalars()]
    with sqlite_store.session() as s:
        assert money == [str(v) for v in s.execute(select(ExceptionRow.amount_at_risk)
                                                   .where(ExceptionRow.amount_at_risk.is_not(None))
                                                   .order_by(ExceptionRow.id)).scalars()]
    assert any(Decimal(m) != Decimal(m).to_integral_value() for m in money)  # real cents were carried


def test_the_team_carries_on_where_the_desktop_left_off(sqlite_store, pg_store, scenario):
    migrate(sqlite_store.url, pg_store.url)
    with pg_store.session() as s:
        last_run = s.execute(select(func.max(Run.id))).scalar()
        last_event = s.execute(select(func.max(AuditEvent.id))).scalar()
    # new rows continue after the copied ids (sequences were moved on), and the chain goes on
    run_id = execute_run(cfg.load(scenario / "run.toml"), pg_store, user="ann").run_id
    assert run_id == last_run + 1
    with pg_store.session() as s:
        assert s.execute(select(func.max(AuditEvent.id))).scalar() > last_event
        assert verify(s).ok
        from workbench.team.users import roles_of
        assert roles_of(s, "bob") == {"preparer"}


def test_a_target_with_data_is_refused_and_left_alone(sqlite_store, pg_store):
    migrate(sqlite_store.url, pg_store.url)
    with pg_store.session() as s:
        before = s.execute(select(func.count()).select_from(Run)).scalar()
    with pytest.raises(ConfigError, match="already holds data"):
        migrate(sqlite_store.url, pg_store.url)
    with pg_store.session() as s:
        assert s.execute(select(func.count()).select_from(Run)).scalar() == before


def test_a_tampered_chain_is_not_copied(sqlite_store, pg_store):
    with sqlite_store.engine.begin() as c:
        c.execute(text("UPDATE audit_events SET actor = 'mallory' WHERE id = 2"))
    with pytest.raises(ConfigError, match="audit chain does not verify.*event 2"):
        migrate(sqlite_store.url, pg_store.url)
    with pg_store.session() as s:
        for table in Base.metadata.sorted_tables:
            assert s.execute(select(func.count()).select_from(table)).scalar() == 0, table.name


def test_cancel_leaves_the_target_empty(sqlite_store, pg_store):
    from workbench.errors import Cancelled

    class CancelMidway:
        cancelled = False

        def set_progress(self, done, total=None, message=""):
            if done > 0:
                self.cancelled = True

    with pytest.raises(Cancelled):
        migrate(sqlite_store.url, pg_store.url, state=CancelMidway())
    with pg_store.session() as s:
        assert s.execute(select(func.count()).select_from(Run)).scalar() == 0


def test_the_command_copies_and_reports(sqlite_store, pg_db_url, capsys):
    path = sqlite_store.engine.url.database
    assert main(["db", "migrate-sqlite", "--from", path, "--to", pg_db_url]) == 2
    assert "run: workbench db upgrade" in capsys.readouterr().err  # the target must be upgraded first
    eng = create_engine(pg_db_url)
    assert inspect(eng).get_table_names() == []
    eng.dispose()
    assert main(["db", "upgrade", "--db", pg_db_url]) == 0
    assert main(["db", "migrate-sqlite", "--from", path, "--to", pg_db_url]) == 0
    out = capsys.readouterr().out
    assert "audit chain verified on the copy" in out and "exceptions" in out
    assert main(["runs", "--db", pg_db_url, "--format", "json"]) == 0
    import json
    runs = json.loads(capsys.readouterr().out)
    assert sorted(r["id"] for r in runs) == [1, 2] and {r["user_name"] for r in runs} == {"ann"}


def test_wrong_kinds_of_urls_are_refused(tmp_path, pg_db_url):
    with pytest.raises(ConfigError, match="no SQLite store at"):
        migrate(f"sqlite:///{tmp_path / 'nope.sqlite3'}", pg_db_url)
    with pytest.raises(ConfigError, match="--to must be a PostgreSQL database"):
        migrate(f"sqlite:///{tmp_path / 'nope.sqlite3'}", f"sqlite:///{tmp_path / 'x.sqlite3'}")
