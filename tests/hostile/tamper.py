"""Tools of a store editor: raw SQL on the store, and `audit verify` as the auditor runs it."""

from __future__ import annotations

import contextlib
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text


def isolated(mp: pytest.MonkeyPatch, home: Path, audit_key: str) -> None:
    """A user of their own (data and config folders, no keyring) holding the store's audit key: no anchor file
    of another test's store is seen."""
    mp.setenv("XDG_DATA_HOME", str(home / "data"))
    mp.setenv("XDG_CONFIG_HOME", str(home / "config"))
    mp.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")
    mp.setenv("WORKBENCH_AUDIT_KEY", audit_key)


@dataclass
class Tampered:
    url: str
    a: int  # approved correction
    b: int  # rejected correction
    c: int  # proposed correction
    exc_c: int  # C's exception (in review)
    quiet: int  # an exception nobody touched

    def verify(self) -> tuple[int, str]:
        """`workbench audit verify` on this store: exit code and what it printed."""
        from workbench.cli import main
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            code = main(["audit", "verify", "--db", self.url])
        return code, out.getvalue()


def sql(store: Any, statement: str, **params: Any) -> list[Any]:
    """Run one statement straight on the database, as anyone with write access can; its rows."""
    engine = create_engine(store.url)
    try:
        with engine.begin() as conn:
            result = conn.execute(text(statement), params)
            return list(result) if result.returns_rows else []
    finally:
        engine.dispose()


def sql_value(store: Any, statement: str, **params: Any) -> Any:
    rows = sql(store, statement, **params)
    return rows[0][0] if rows else None
