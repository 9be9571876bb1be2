"""A database connection lost in the middle of a command is said as what it is, in one line, not as an
"internal error"; any other unexpected error still is one."""

from __future__ import annotations

import contextlib
import socket
import threading

import psycopg
import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, OperationalError

from workbench.errors import user_message
from workbench.store.db import open_store


@pytest.fixture(autouse=True)
def _log_here(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))


def _lost(invalidated: bool) -> OperationalError:
    driver = psycopg.OperationalError("consuming input failed: server closed the connection unexpectedly")
    return OperationalError("INSERT INTO exceptions ...", {}, driver, connection_invalidated=invalidated)


def _deadlock() -> OperationalError:
    driver = psycopg.errors.DeadlockDetected("deadlock detected")  # SQLSTATE 40P01: the server is there
    return OperationalError("UPDATE exceptions ...", {}, driver)


def test_a_connection_lost_mid_command_is_said_plainly_with_the_log_named():
    said = user_message(_lost(True))
    assert said.startswith("the database stopped answering (consuming input failed: server closed the connection")
    assert "internal error" not in said and "run the command again" in said
    assert "(details in " in said


def test_another_database_error_is_still_an_internal_error():
    assert user_message(_deadlock()).startswith("internal error: OperationalError")
    assert user_message(ValueError("boom")).startswith("internal error: ValueError: boom")


class _Server:
    """The store's PostgreSQL server as the workbench reaches it: a relay on loopback that can go away (the
    server stopped, the network dropped) while a command is running."""

    def __init__(self, port: int) -> None:
        self.target = port
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen()
        self.port = self.listener.getsockname()[1]
        self.open: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(("127.0.0.1", self.target))
            self.open += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._relay, args=(a, b), daemon=True).start()

    @staticmethod
    def _relay(a: socket.socket, b: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while data := a.recv(65536):
                b.sendall(data)
        with contextlib.suppress(OSError):
            b.shutdown(socket.SHUT_RDWR)

    def stop(self) -> None:
        with contextlib.suppress(OSError):
            self.listener.shutdown(socket.SHUT_RDWR)
        self.listener.close()
        for s in self.open:
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)
                s.close()


@pytest.mark.postgres
def test_a_postgresql_server_gone_between_two_uses_of_the_store_is_said_plainly(pg_db_url):
    open_store(pg_db_url, migrate=True).dispose()
    url = make_url(pg_db_url)
    server = _Server(int(url.port or 5432))
    store = open_store(url.set(port=server.port).render_as_string(hide_password=False))
    try:
        with store.session() as s:
            assert s.execute(text("SELECT count(*) FROM runs")).scalar() is not None
        server.stop()  # e.g. while a run is pulling: the save that follows finds no server
        with pytest.raises(DBAPIError) as caught:
            with store.session() as s:
                s.execute(text("SELECT count(*) FROM runs")).scalar()
        said = user_message(caught.value)
        assert said.startswith("the database stopped answering (") and "internal error" not in said, said
    finally:
        store.dispose()
