"""Opening a shared database: refused with the fix when its schema is not the app's; `db upgrade` fixes it."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text

from workbench.cli import main
from workbench.errors import ConfigError
from workbench.store.db import head_revision, open_store

pytestmark = pytest.mark.postgres


def test_db_upgrade_makes_an_empty_database_usable(pg_db_url, capsys):
    with pytest.raises(ConfigError, match="run: workbench db upgrade --db"):
        open_store(pg_db_url)
    assert main(["db", "status", "--db", pg_db_url]) == 0
    out = capsys.readouterr().out
    assert "no workbench tables yet" in out and "run: workbench db upgrade" in out
    assert main(["db", "upgrade", "--db", pg_db_url]) == 0
    assert f"upgraded from empty to {head_revision()}" in capsys.readouterr().out
    assert main(["db", "upgrade", "--db", pg_db_url]) == 0
    assert "already current" in capsys.readouterr().out
    open_store(pg_db_url).dispose()
    assert main(["db", "status", "--db", pg_db_url]) == 0
    out = capsys.readouterr().out
    assert "up to date" in out and "15." in out  # the server's version is shown


def test_a_database_from_a_newer_version_is_refused_without_touching_it(pg_db_url, capsys):
    assert main(["db", "upgrade", "--db", pg_db_url]) == 0
    eng = create_engine(pg_db_url)
    with eng.begin() as c:
        c.execute(text("UPDATE alembic_version SET version_num = '9999_future'"))
    with pytest.raises(ConfigError, match="newer version of the workbench"):
        open_store(pg_db_url)
    capsys.readouterr()
    assert main(["db", "upgrade", "--db", pg_db_url]) == 2
    assert "newer version" in capsys.readouterr().err
    with eng.connect() as c:
        assert c.execute(text("SELECT version_num FROM alembic_version")).scalar() == "9999_future"
    eng.dispose()


def test_a_wrong_password_or_host_is_one_line_without_the_password(pg_url, capsys):
    bad = pg_url.replace("postgres@", "postgres:s3cret@").rsplit(":", 1)[0] + ":1/postgres"
    assert main(["db", "status", "--db", bad]) == 2
    err = capsys.readouterr().err
    assert err.startswith("workbench: error: cannot open the database") and "s3cret" not in err
    assert len(err.strip().splitlines()) == 1


def test_concurrent_upgrades_do_not_collide(pg_db_url):
    import threading
    from workbench.store.pg import upgrade_database
    errors: list[Exception] = []

    def up() -> None:
        try:
            upgrade_database(pg_db_url)
        except Exception as exc:  # collected for the assertion
            errors.append(exc)

    threads = [threading.Thread(target=up) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    open_store(pg_db_url).dispose()


def test_a_database_behind_the_app_is_refused_until_upgraded(pg_db_url, capsys):
    from alembic import command

    from workbench.store.db import alembic_config
    from workbench.store.pg import pending_revisions
    first = pending_revisions(None)[0]
    if first == head_revision():
        pytest.fail("needs at least two migrations to have a schema that is behind")
    command.upgrade(alembic_config(pg_db_url), first)  # what an older version of the workbench left
    with pytest.raises(ConfigError) as err:
        open_store(pg_db_url)
    assert f"is at schema {first}, the app needs {head_revision()}; run: workbench db upgrade --db" in str(err.value)
    assert main(["db", "status", "--db", pg_db_url]) == 0
    assert f"{len(pending_revisions(first))} migration(s) pending" in capsys.readouterr().out
    assert main(["db", "upgrade", "--db", pg_db_url]) == 0
    assert f"upgraded from {first} to {head_revision()}" in capsys.readouterr().out
    open_store(pg_db_url).dispose()
