"""Runs of a period against its close: a run that started before the period was certified and is saved
after it is refused, not stored into the locked period; an automatic waiver a run carries from the run
before is measured again, and lifted with an audit event when the item is no longer immaterial."""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from workbench import config as config_mod
from workbench.close import signoff as close
from workbench.close.fx import currencies_in_use, set_rates
from workbench.close.lock import PeriodLocked
from workbench.close.materiality import AUTO_LIFTED, parse_thresholds, set_materiality
from workbench.close.periods import get_period
from workbench.corrections.proof import check_store
from workbench.pipeline import execute_run
from workbench.progress import RecordingProgress
from workbench.sandbox.scenario import generate
from workbench.store.db import open_store
from workbench.store.schema import AuditEvent, ExceptionRow, Run

PERIOD = "2026-10"


@pytest.fixture()
def ran(tmp_path):
    config = config_mod.load(generate(3, 15, tmp_path / "s", invoices_per_customer=2) / "run.toml")
    assert config.period == PERIOD
    store = open_store(f"sqlite:///{tmp_path / 'store.sqlite3'}")
    run_id = execute_run(config, store, user="ann").run_id
    yield config, store, run_id
    store.dispose()


def _items(store, run_id: int) -> dict[str, ExceptionRow]:
    with store.session() as s:
        rows = list(s.execute(select(ExceptionRow).where(ExceptionRow.run_id == run_id)).scalars())
        s.expunge_all()
    return {e.key: e for e in rows}


class _CertifiedMeanwhile(RecordingProgress):
    """A run's progress that, as the run starts reconciling, has the period certified by someone else
    (the run had passed its start check on an open period)."""

    def __init__(self, store, critical: list[str]) -> None:
        super().__init__()
        self.store, self.critical, self.done = store, critical, False

    def set_progress(self, done: int, total: int | None = None, message: str = "") -> None:
        super().set_progress(done, total, message)
        if message == "Reconciling" and not self.done:
            self.done = True
            for key in self.critical:
                close.carry_forward(self.store, PERIOD, key, "ann", "disputed")
            close.certify(self.store, PERIOD, "bob")


def test_a_run_saved_after_the_period_was_certified_is_refused_not_stored_in_the_locked_period(ran):
    config, store, first = ran
    close.signoff(store, PERIOD, "ann")
    critical = [k for k, e in _items(store, first).items() if e.severity == "critical"]
    progress = _CertifiedMeanwhile(store, critical)
    with pytest.raises(PeriodLocked, match=f"period {PERIOD} is certified by bob"):
        execute_run(config, store, user="carol", state=progress, full=True)
    assert progress.done
    with store.session() as s:
        completed = s.execute(select(Run.id).where(Run.period == PERIOD, Run.status == "completed")).scalars().all()
        assert completed == [first]  # the certified picture is still the period's latest run
        assert s.execute(select(func.count()).select_from(ExceptionRow)).scalar_one() == len(_items(store, first))
    with store.session() as s:
        last = close.history(s, PERIOD)[-1]
        assert last.action == "certify"
        assert close.snapshot(s, get_period(s, PERIOD)).sha256 == last.snapshot_hash  # nothing moved


def _edit(path: Path, key: str, value: str, column: str, to: str) -> str:
    """Set ``column`` of the row whose ``key`` column is ``value``; the value it had."""
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    (row,) = [r for r in rows if r[key] == value]
    was, row[column] = row[column], to
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]), quoting=csv.QUOTE_ALL)
        w.writeheader()
        w.writerows(rows)
    return was


def test_an_auto_waived_item_that_grows_above_materiality_in_a_later_run_is_open_again(ran, tmp_path):
    config, store, first = ran
    with store.session() as s:
        used = currencies_in_use(s, PERIOD)
        set_rates(s, get_period(s, PERIOD), "EUR", dict.fromkeys(used, Decimal(1)), "rates.csv sha256:00")
    set_materiality(store, PERIOD, "ann", parse_thresholds("2000", []))
    second = execute_run(config, store, user="ann", full=True).run_id
    balance = next(e for e in _items(store, second).values() if e.type == "invoice.balance_mismatch")
    assert balance.status == "waived" and abs(balance.amount_at_risk) <= 2000, balance.resolution

    # The CRM's balance of that invoice drops: 5,000 below the ERP's now, far above 2,000 EUR.
    erp_balance = Decimal(_edit(tmp_path / "s" / "erp" / "salesInvoices.csv", "id", balance.erp_id,
                                "remainingAmount", "0"))
    _edit(tmp_path / "s" / "erp" / "salesInvoices.csv", "id", balance.erp_id, "remainingAmount", str(erp_balance))
    _edit(tmp_path / "s" / "crm" / "blng__Invoice__c.csv", "Id", balance.crm_id, "blng__Balance__c",
          str(erp_balance - 5000))
    third = execute_run(config, store, user="ann", full=True).run_id
    grown = _items(store, third)[balance.key]
    assert abs(grown.amount_at_risk) > 2000
    assert grown.status == "open", (grown.status, grown.resolution)  # it was still "waived: immaterial"
    assert grown.resolution.startswith("auto-waiver lifted:") and "above the 2000.00 EUR threshold" in \
        grown.resolution
    with store.session() as s:
        ev = s.execute(select(AuditEvent).where(AuditEvent.action == AUTO_LIFTED)).scalars().all()
        assert [(e.entity_id, e.run_id, e.detail["status_before"]) for e in ev] == [(str(grown.id), third, "waived")]
        assert check_store(s).problems == []  # audit verify proves the lifted status and its reason
    # Items still immaterial keep their waiver; the lifted one counts in the period's open items again.
    still = [e for e in _items(store, third).values() if e.status == "waived" and e.key != balance.key]
    assert still and all(e.resolution.startswith("auto-waived: immaterial") for e in still
                         if e.key in {k for k, x in _items(store, second).items() if x.status == "waived"
                                      and (x.resolution or "").startswith("auto-waived")})
    with store.session() as s:
        assert balance.key in close.snapshot(s, get_period(s, PERIOD)).open_critical_keys or \
            close.snapshot(s, get_period(s, PERIOD)).open_by_severity.get(grown.severity, 0) >= 1
