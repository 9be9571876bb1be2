"""A run is stored with its period's materiality waivers in one transaction: interrupted while they are
written, nothing of the run is stored (it used to stay completed without them)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import func, select

import workbench.pipeline as pipeline
from workbench import config as config_mod
from workbench.close.fx import set_rates
from workbench.close.materiality import AUTO_WAIVED, parse_thresholds, set_materiality
from workbench.close.periods import get_period
from workbench.pipeline import execute_run
from workbench.sandbox.scenario import generate
from workbench.store.db import open_store
from workbench.store.schema import AuditEvent, ExceptionRow, Run

RATES = {c: Decimal(r) for c, r in {
    "USD": "0.92", "GBP": "1.17", "CHF": "1.05", "JPY": "0.0062", "SEK": "0.088", "DKK": "0.134", "NOK": "0.086",
    "PLN": "0.23", "CAD": "0.68", "AUD": "0.61"}.items()}


@pytest.fixture()
def store(tmp_path):
    s = open_store(f"sqlite:///{tmp_path / 'store.sqlite3'}")
    yield s
    s.dispose()


def test_a_run_is_stored_with_its_materiality_waivers_or_not_at_all(tmp_path, store, monkeypatch):
    config = config_mod.load(generate(3, 20, tmp_path / "s", invoices_per_customer=3) / "run.toml")
    first = execute_run(config, store, user="ann")  # the period's first run, before it had materiality rules
    with store.session() as s:
        set_rates(s, get_period(s, config.period), "EUR", RATES, "rates.csv sha256:00")
    set_materiality(store, config.period, "ann", parse_thresholds("5000", []))
    waive = pipeline.waive_immaterial

    def interrupted_while_waiving(s, run_id, user):
        waive(s, run_id, user)
        raise KeyboardInterrupt  # Ctrl+C (or the process killed) once the waivers are written, before the commit

    monkeypatch.setattr(pipeline, "waive_immaterial", interrupted_while_waiving)
    with pytest.raises(KeyboardInterrupt):
        execute_run(config, store, user="ann")
    with store.session() as s:
        assert [(r.id, r.status, r.error) for r in s.execute(select(Run).order_by(Run.id)).scalars()] == [
            (first.run_id, "completed", None), (first.run_id + 1, "cancelled", "interrupted (Ctrl+C)")]
        assert s.execute(select(func.count()).where(ExceptionRow.run_id != first.run_id)).scalar() == 0
        assert s.execute(select(func.count()).where(AuditEvent.action == AUTO_WAIVED)).scalar() == 0
    monkeypatch.undo()
    outcome = execute_run(config, store, user="ann")
    with store.session() as s:
        waived = s.execute(select(func.count()).where(ExceptionRow.run_id == outcome.run_id,
                                                      ExceptionRow.status == "waived")).scalar()
        events = s.execute(select(func.count()).where(AuditEvent.action == AUTO_WAIVED)).scalar()
    assert waived > 0 and events == waived
