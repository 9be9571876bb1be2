"""The store's schema and migrations on a real PostgreSQL 15 server."""

from __future__ import annotations

from datetime import date, datetime, UTC
from decimal import Decimal

import pytest
from sqlalchemy import inspect, select

from workbench.errors import ConfigError
from workbench.store.db import head_revision, open_store, current_revision
from workbench.store.schema import Base, ExceptionRow, Run

pytestmark = pytest.mark.postgres


def test_upgrade_creates_every_table_at_head(pg_db_url):
    store = open_store(pg_db_url, migrate=True)
    try:
        assert current_revision(store.engine) == head_revision()
        have = set(inspect(store.engine).get_table_names())
        assert set(Base.metadata.tables) <= have
    finally:
        store.dispose()


def test_opening_an_empty_shared_database_refuses_with_the_fix(pg_db_url):
    with pytest.raises(ConfigError) as err:
        open_store(pg_db_url)
    msg = str(err.value)
    assert "has no workbench tables yet" in msg
    assert "workbench db upgrade --db" in msg and "127.0.0.1" in msg
    # refusing must not have created anything behind the team's back
    from sqlalchemy import create_engine
    eng = create_engine(pg_db_url)
    try:
        assert inspect(eng).get_table_names() == []
    finally:
        eng.dispose()


def test_money_round_trips_exactly_with_its_scale(pg_store):
    now = datetime.now(UTC)
    with pg_store.session() as s:
        run = Run(name="r", status="completed", started_at=now, as_of=date(2026, 10, 31), user_name="ann",
                  software_version="t")
        s.add(run)
        s.flush()
        s.add(ExceptionRow(run_id=run.id, key="k", type="invoice.balance_mismatch", family="invoice",
                           severity="high", first_seen=now, last_seen=now,
                           difference=Decimal("100.10"), amount_at_risk=Decimal("12345678901234567890.123456789")))
    with pg_store.session() as s:
        ex = s.execute(select(ExceptionRow)).scalar_one()
    assert str(ex.difference) == "100.10"
    assert ex.amount_at_risk == Decimal("12345678901234567890.123456789")


def test_float_is_refused_for_money(pg_store):
    now = datetime.now(UTC)
    with pytest.raises(Exception, match="float"):
        with pg_store.session() as s:
            run = Run(name="r", status="completed", started_at=now, as_of=date(2026, 10, 31), user_name="a",
                      software_version="t")
            s.add(run)
            s.flush()
            s.add(ExceptionRow(run_id=run.id, key="k", type="t", family="f", severity="low", first_seen=now,
                               last_seen=now, difference=0.1))
    with pg_store.session() as s:
        assert s.execute(select(Run)).first() is None
