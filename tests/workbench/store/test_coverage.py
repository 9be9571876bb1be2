"""The digest a run's event records of its exceptions is the one recomputed later from the stored
rows (``workbench audit verify``, ``export --verify``), however the exceptions' values look."""

from __future__ import annotations

import enum
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import select, update

from tests.helpers.stored_runs import pull_side

from workbench import config as cfg
from workbench.model.states import ExceptionStatus
from workbench.reconcile.engine import reconcile
from workbench.reconcile.summary import RunSummary
from workbench.sandbox.scenario import generate
from workbench.store import coverage, repo
from workbench.store.schema import AuditEvent, ExceptionRow


class Level(enum.IntEnum):
    HIGH = 3


@pytest.fixture(scope="module")
def scenario(tmp_path_factory) -> Path:
    return generate(11, 80, tmp_path_factory.mktemp("scn") / "s", invoices_per_customer=5)


def _pulled(scenario: Path):
    conf = cfg.load(scenario / "run.toml")
    return conf, pull_side(conf, "crm"), pull_side(conf, "erp")


def _recorded(store, run_id: int) -> dict:
    with store.session() as s:
        detail = s.execute(select(AuditEvent.detail).where(AuditEvent.run_id == run_id,
                                                           AuditEvent.action == "run.completed")).scalar_one()
    return detail["covered"]


def _check(store, run_id: int) -> list[str]:
    with store.session() as s:
        return coverage.check_run(s, run_id, _recorded(store, run_id))


def _odd(exceptions: pd.DataFrame, *, slips: bool = False) -> pd.DataFrame:
    """The engine's exceptions with values of every shape a rule may leave in them; ``slips``: also
    values of another type than text in text columns (a connector's number for an id)."""
    exc = exceptions.astype(object)
    odd = [
        {"difference": Decimal("1E+3"), "amount_at_risk": Decimal("-0.00"), "customer_name": float("nan"),
         "diffs": [{"amount": Decimal("0E-8"), "day": date(2026, 10, 31)}], "proposal": {10: "ten", 2: "two"}},
        {"difference": Decimal("0.0000001"), "crm_value": Decimal("100.00"), "severity": ExceptionStatus.OPEN,
         "diffs": ({"crm": 1.5, "erp": None, "ok": True},), "proposal": {"to": ("a", "b"), "n": Level.HIGH}},
        {"message": "ünïcode ✓ \"quoted\"", "field": None, "diffs": [{"nan": float("nan")}], "proposal": {True: 1}},
    ]
    if slips:
        odd.append({"erp_id": 12345, "crm_number": 7, "severity": Level.HIGH})
    for i, values in enumerate(odd):
        for col, v in values.items():
            exc.at[exc.index[i], col] = v
    return exc


def _save(store, conf, crm, erp, result) -> int:
    return repo.save_run(store, conf, crm, erp, result, user="ann", started_at=datetime.now(UTC),
                         summary=RunSummary.build(crm, erp, result).to_json())


def test_a_runs_recorded_exception_digest_is_the_one_recomputed_from_its_stored_rows(any_store, scenario):
    """On the scenario's exceptions as the engine makes them, on the same with odd values mixed in, and
    on a re-run that carries statuses and first-seen times forward: every run verifies intact."""
    conf, crm, erp = _pulled(scenario)
    result = reconcile(crm, erp, conf)
    assert len(result.exceptions) > 50 and result.exceptions["type"].nunique() > 5
    first = _save(any_store, conf, crm, erp, result)
    with any_store.session() as s:  # a waiver stands into the next run, a resolved one reopens
        ids = s.execute(select(ExceptionRow.id).where(ExceptionRow.run_id == first).order_by(ExceptionRow.id)).scalars()
        waived, resolved, *_ = ids
        s.execute(update(ExceptionRow).where(ExceptionRow.id == waived).values(status=ExceptionStatus.WAIVED))
        s.execute(update(ExceptionRow).where(ExceptionRow.id == resolved).values(status=ExceptionStatus.RESOLVED))
    again = _save(any_store, conf, crm, erp, result)
    odd = _save(any_store, conf, crm, erp, replace(result, exceptions=_odd(result.exceptions)))
    slips = _save(any_store, conf, crm, erp, replace(result, exceptions=_odd(result.exceptions, slips=True)))
    before = {waived: ExceptionStatus.OPEN, resolved: ExceptionStatus.OPEN}  # as the trail would replay them
    for run_id, first_status in ((first, before), (again, None), (odd, None), (slips, None)):
        recorded = _recorded(any_store, run_id)["exceptions"]
        with any_store.session() as s:
            assert recorded == coverage.exception_digest(s, run_id, first_status)
            assert coverage.check_run(s, run_id, _recorded(any_store, run_id), first_status) == []
        assert recorded["rows"] == len(result.exceptions)
    assert len({_recorded(any_store, r)["exceptions"]["digest"] for r in (again, odd, slips)}) == 3
    with any_store.session() as s:  # an edited amount is found
        s.execute(update(ExceptionRow).where(ExceptionRow.run_id == again, ExceptionRow.id > resolved)
                  .values(amount_at_risk=Decimal("0.01")))
    assert "its exceptions no longer match the digest" in " ".join(_check(any_store, again))


def test_the_column_wise_digest_is_the_row_by_row_one_runs_were_recorded_with():
    """Runs recorded before keep verifying: the digest of a run's columns is the one ``Digest.add``
    made row by row, for every kind of value a stored exception holds."""
    at = datetime(2026, 10, 31, 23, 59, 59, 123456, tzinfo=UTC)
    columns = [
        [1, 2, 3, 4],
        ["k1", ExceptionStatus.OPEN, None, "ünï \"q\""],
        [Decimal("1.00"), Decimal("1.0"), Decimal("1E+3"), None],
        [at, at.replace(tzinfo=None), at.astimezone(timezone(timedelta(hours=-5))), at],
        [date(2026, 1, 2), None, date(2026, 1, 2), date(1999, 12, 31)],
        [{"b": [1, Decimal("2.5")], "a": None}, [], ({"x": 1.5},), {"n": float("nan")}],
        [Level.HIGH, True, 1.25, 10**30],
    ]
    digest = coverage.Digest()
    for row in zip(*columns, strict=True):
        digest.add(*row)
    assert coverage._digest_columns(columns) == digest.result()
