"""A store on each backend (SQLite file, real PostgreSQL) with a small run of exceptions."""

from __future__ import annotations

from datetime import date, datetime, UTC
from decimal import Decimal

import pytest

from workbench.store.schema import CustomerLink, ExceptionRow, Run


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def any_store(request, tmp_path):
    if request.param == "postgres":
        yield request.getfixturevalue("pg_store")
        return
    from workbench.store.db import open_store
    s = open_store(f"sqlite:///{tmp_path / 'store.sqlite3'}")
    yield s
    s.dispose()


def add_run(store, n: int = 3, user: str = "system") -> tuple[int, list[int]]:
    """A completed run with ``n`` open exceptions; returns (run id, exception ids)."""
    now = datetime.now(UTC)
    with store.session() as s:
        run = Run(name="October close", status="completed", started_at=now, finished_at=now,
                  as_of=date(2026, 10, 31), user_name=user, software_version="test")
        s.add(run)
        s.flush()
        rows = [ExceptionRow(run_id=run.id, key=f"invoice.balance_mismatch|C{i}|E{i}|balance",
                             type="invoice.balance_mismatch", family="invoice", severity="high", crm_id=f"C{i}",
                             erp_id=f"E{i}", field="balance", crm_value="100.00", erp_value="90.00",
                             difference=Decimal("10.00"), amount_at_risk=Decimal("10.00"), currency="EUR",
                             first_seen=now, last_seen=now) for i in range(n)]
        s.add_all(rows)
        s.add(CustomerLink(run_id=run.id, crm_id="C0", erp_id="E0", method="fuzzy", confidence=0.91,
                           status="suggested"))
        s.flush()
        return run.id, [r.id for r in rows]


def add_team(store) -> None:
    """ann admin+approver, bob and cara preparers, dave auditor."""
    from workbench.team.users import register_user
    with store.session() as s:
        register_user(s, "ann", "ann", ["admin", "approver"])
        register_user(s, "ann", "bob", ["preparer"], os_login_name="bob-os")
        register_user(s, "ann", "cara", ["preparer"])
        register_user(s, "ann", "dave", ["auditor"])
