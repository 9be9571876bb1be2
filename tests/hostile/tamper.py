"""Tools of a store editor: raw SQL on the store, and `audit verify` as the auditor runs it."""

from __future__ import annotations

import contextlib
import io
from dataclasses import dataclass
from typing import Any

from sqlalchemy import create_engine, text


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
