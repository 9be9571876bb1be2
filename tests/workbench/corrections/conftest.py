"""Stores with a run of exceptions carrying proposals, on SQLite and real PostgreSQL."""

from __future__ import annotations

from datetime import date, datetime, UTC
from decimal import Decimal
from typing import Any

import pytest

from tests.helpers.sandboxes import erp_sandbox
from workbench.store import coverage, trail
from workbench.store.schema import ExceptionRow, Run


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def any_store(request, tmp_path):
    if request.param == "postgres":
        yield request.getfixturevalue("pg_store")
        return
    from workbench.store.db import open_store
    s = open_store(f"sqlite:///{tmp_path / 'store.sqlite3'}")
    yield s
    s.dispose()


def add_run(store, config: dict[str, Any] | None = None, user: str = "system") -> int:
    now = datetime.now(UTC)
    with store.session() as s:
        run = Run(name="October close", status="completed", started_at=now, finished_at=now,
                  as_of=date(2026, 10, 31), user_name=user, software_version="test",
                  config=config or {"crm": {"connector": "salesforce", "system": "salesforce"},
                                    "erp": {"connector": "business_central", "system": "business_central"}})
        s.add(run)
        s.flush()
        # as every stored run has (workbench.store.repo), so `audit verify` finds the run proven
        trail.append(s, actor=user, action="run.completed", entity_type="run", entity_id=run.id, run_id=run.id,
                     detail={"name": run.name, "config": coverage.json_digest(run.config)})
        return run.id


def add_exception(store, run_id: int, *, type: str = "invoice.balance_mismatch", crm_id: str = "a0B000000000001AAA",
                  erp_id: str = "INV-1", crm_object: str = "invoices", erp_object: str = "invoices",
                  field: str = "open_balance", crm_value: Any = "100.00", erp_value: Any = "90.00",
                  proposal: dict[str, Any] | None | str = "default", customer_name: str = "Adatum Corporation") -> int:
    """One open exception; the default proposal sets the CRM field to the ERP value."""
    now = datetime.now(UTC)
    if proposal == "default":
        proposal = {"target_side": "crm", "target_system": "salesforce", "object": crm_object, "record_id": crm_id,
                    "field": field, "from": crm_value, "to": erp_value, "version": "2026-10-30T10:00:00.000+0000",
                    "needs_decision": False, "reason": "the ERP is the system of record for balances"}
    with store.session() as s:
        row = ExceptionRow(run_id=run_id, key=f"{type}|{crm_id}|{erp_id}|{field}", type=type,
                           family=type.split(".")[0], severity="high", crm_object=crm_object, crm_id=crm_id,
                           erp_object=erp_object, erp_id=erp_id, customer_name=customer_name, field=field,
                           crm_value=None if crm_value is None else str(crm_value),
                           erp_value=None if erp_value is None else str(erp_value),
                           difference=None, amount_at_risk=Decimal("10.00"), currency="EUR",
                           diffs=[{"field": field, "crm": crm_value, "erp": erp_value}], proposal=proposal,
                           message="balances differ", first_seen=now, last_seen=now)
        s.add(row)
        s.flush()
        return row.id


# ---------------------------------------------------------------- against the ERP sandbox


@pytest.fixture
def demo_run(tmp_path):
    """The demo's sandboxes and one completed run of them (by bob): what a push flow starts from."""
    from workbench.demo import prepare_demo
    from workbench.pipeline import execute_run
    from workbench.store.db import open_store
    demo = prepare_demo(tmp_path / "demo", customers=30)
    store = open_store(f"sqlite:///{tmp_path / 'store.sqlite3'}")
    try:
        outcome = execute_run(demo.config, store, user="bob")
        yield demo, store, outcome.run_id
    finally:
        store.dispose()
        demo.stop()


@pytest.fixture
def bc(tmp_path):
    """A Business Central sandbox over real HTTP on loopback."""
    yield from erp_sandbox("business-central", customers=40, state_dir=tmp_path / "bc")


def bc_config(handle, **connector_options: Any) -> dict[str, Any]:
    """A run config whose ERP side is the sandbox (the secret goes through an env var)."""
    from workbench.sandbox.erp import demo_config
    erp = demo_config(handle)
    erp["business_central"].update(connector_options)
    return {"run": {"name": "October close", "as_of": "2026-10-31"},
            "crm": {"connector": "files", "system": "salesforce"}, "erp": erp}


def erp_customers(handle, n: int) -> list[dict[str, Any]]:
    return [d for _, d, _ in handle.store.scan("customers")][:n]


def erp_version(handle, rid: str, entity: str = "customers") -> int:
    """The sandbox's own write counter for a record (1 when seeded, +1 per write it accepted)."""
    return handle.store.get(entity, rid)[1]


def erp_value(handle, rid: str, prop: str, entity: str = "customers") -> Any:
    return handle.store.get(entity, rid)[0][prop]


def set_erp_value(handle, rid: str, prop: str, value: Any, entity: str = "customers") -> None:
    """Someone edits the record in the ERP directly."""
    handle.store.update(entity, rid, lambda d, v: {**d, prop: value})


def erp_city_corrections(store, handle, n: int, *, run_config: dict[str, Any] | None = None,
                         field: str = "city", prop: str = "city", to=lambda i: f"Springfield {i}",
                         approve: bool = True, start: int = 0) -> tuple[list[int], list[int], list[dict[str, Any]]]:
    """``n`` ERP customers (from the ``start``-th on) whose ``field`` should change; proposed by bob,
    approved by ann.

    Returns (correction ids, exception ids, the ERP records as seeded)."""
    from workbench.corrections import service
    run = add_run(store, config=run_config or bc_config(handle))
    recs = erp_customers(handle, start + n)[start:]
    eids = []
    for i, d in enumerate(recs):
        eids.append(add_exception(
            store, run, type="customer.attribute_mismatch", crm_id=None, crm_object=None, erp_id=d["id"],
            erp_object="customers", field=field, crm_value=to(i), erp_value=d[prop], customer_name=d["displayName"],
            proposal={"target_side": "erp", "target_system": "business_central", "object": "customers",
                      "record_id": d["id"], "field": field, "from": d[prop], "to": to(i),
                      "needs_decision": False, "reason": "the CRM holds the customer's new address"}))
    cids = [service.propose(store, e, "bob") for e in eids]
    if approve:
        service.approve(store, cids, "ann")
    return cids, eids, recs
