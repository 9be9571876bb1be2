from datetime import date, datetime, UTC
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select, text

from workbench.errors import ConfigError
from workbench.store.db import head_revision, current_revision, open_store
from workbench.store.schema import ExceptionRow, Run


def test_default_store_is_sqlite_in_the_user_data_dir(tmp_path, monkeypatch):
    s = open_store()
    try:
        path = Path(s.engine.url.database)
        assert path.name == "workbench.sqlite3" and path.exists()
        assert str(path).startswith(str(Path(__import__("os").environ["XDG_DATA_HOME"])))
        assert current_revision(s.engine) == head_revision()
    finally:
        s.dispose()


def test_environment_variable_points_at_another_database(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'team.sqlite3'}"
    monkeypatch.setenv("WORKBENCH_DB", url)
    s = open_store()
    assert s.url == url and (tmp_path / "team.sqlite3").exists()
    s.dispose()


def test_a_database_behind_the_schema_is_refused_with_the_fix(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    with pytest.raises(ConfigError, match="workbench db upgrade"):
        open_store(url, migrate=False)


def test_money_round_trips_exactly_through_sqlite(store):
    amounts = [Decimal("0.10"), Decimal("1234567890123.4567"), Decimal("-0.005"), Decimal("100.00")]
    now = datetime.now(UTC)
    with store.session() as s:
        run = Run(name="t", started_at=now, as_of=date(2026, 10, 31), user_name="ann", software_version="x")
        s.add(run)
        s.flush()
        for i, a in enumerate(amounts):
            s.add(ExceptionRow(run_id=run.id, key=f"k{i}", type="t", family="f", severity="low",
                               amount_at_risk=a, first_seen=now, last_seen=now))
    with store.session() as s:
        got = s.execute(select(ExceptionRow.amount_at_risk).order_by(ExceptionRow.id)).scalars().all()
        raw = s.execute(text("select amount_at_risk from exceptions order by id")).scalars().all()
    assert got == amounts and [str(g) for g in got] == [str(a) for a in amounts]
    assert raw == ["0.10", "1234567890123.4567", "-0.005", "100.00"]  # text, never a float


def test_a_float_is_refused_for_a_money_column(store):
    now = datetime.now(UTC)
    with pytest.raises(Exception, match="float"):
        with store.session() as s:
            run = Run(name="t", started_at=now, as_of=date(2026, 10, 31), user_name="ann", software_version="x")
            s.add(run)
            s.flush()
            s.add(ExceptionRow(run_id=run.id, key="k", type="t", family="f", severity="low",
                               amount_at_risk=0.1, first_seen=now, last_seen=now))
    with store.session() as s:
        assert s.execute(select(Run)).first() is None  # rolled back whole


def test_the_migrations_build_exactly_the_schema_the_code_declares(store):
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from workbench.store.schema import Base
    with store.engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), Base.metadata) == []
