"""A database connection lost in the middle of a command is said as what it is, in one line, not as an
"internal error"; any other unexpected error still is one."""

from __future__ import annotations

import psycopg
import pytest
from sqlalchemy.exc import OperationalError

from workbench.errors import user_message


@pytest.fixture(autouse=True)
def _log_here(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))


def _lost(invalidated: bool) -> OperationalError:
    driver = psycopg.OperationalError("consuming input failed: server closed the connection unexpectedly")
    return OperationalError("INSERT INTO exceptions ...", {}, driver, connection_invalidated=invalidated)


def test_a_connection_lost_mid_command_is_said_plainly_with_the_log_named():
    said = user_message(_lost(True))
    assert said.startswith("the database stopped answering (consuming input failed: server closed the connection")
    assert "internal error" not in said and "run the command again" in said
    assert "(details in " in said


def test_another_database_error_is_still_an_internal_error():
    assert user_message(_lost(False)).startswith("internal error: OperationalError")
    assert user_message(ValueError("boom")).startswith("internal error: ValueError: boom")
