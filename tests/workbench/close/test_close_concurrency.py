"""A certification and a change to its period at the same moment, on PostgreSQL (team mode): the change
lands before the certification reads the period, and is then what it sees (and refuses: the period moved
since its sign-off), or waits for the certification and is then refused (the period is locked). Never
both: a certified period whose picture is not the one that was certified."""

from __future__ import annotations

import threading
import time

from sqlalchemy import select, text

from tests.workbench.export.test_workbook import make_run
from workbench.close import signoff as close
from workbench.close.lock import PeriodLocked
from workbench.close.periods import get_period
from workbench.corrections import service
from workbench.errors import IllegalTransition
from workbench.store.schema import ExceptionRow

PERIOD = "2026-10"


def _until(condition, what: str, seconds: float = 30) -> None:
    """Wait for a condition another connection brings about (not a fixed pause)."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"gave up waiting for {what}"
        threading.Event().wait(0.02)


def test_a_waiver_while_the_period_is_being_certified_is_either_seen_or_refused(pg_store, monkeypatch):
    store = pg_store
    rid = make_run(store)
    with store.session() as s:
        critical = [e.key for e in s.execute(select(ExceptionRow).where(ExceptionRow.run_id == rid)).scalars()
                    if e.severity == "critical"]
        target = next(e.id for e in s.execute(select(ExceptionRow).where(ExceptionRow.run_id == rid,
                                                                         ExceptionRow.status == "open",
                                                                         ExceptionRow.severity != "critical"))
                      .scalars())
    close.signoff(store, PERIOD, "ann")
    for key in critical:
        close.carry_forward(store, PERIOD, key, "ann", "disputed")

    # The certification pauses right after it read the period's open items (its snapshot).
    read, go = threading.Event(), threading.Event()
    real = close.snapshot

    def paused(s, period):
        snap = real(s, period)
        if threading.current_thread().name == "certify":
            read.set()
            assert go.wait(60)
        return snap

    monkeypatch.setattr(close, "snapshot", paused)
    outcome: dict[str, object] = {}

    def certify() -> None:
        try:
            outcome["certify"] = close.certify(store, PERIOD, "bob").id
        except Exception as exc:  # the outcome is what the test compares
            outcome["certify"] = exc

    def waive() -> None:
        try:
            outcome["waive"] = service.waive(store, [target], "carol", "immaterial, agreed with the customer")
        except Exception as exc:  # the outcome is what the test compares
            outcome["waive"] = exc

    a = threading.Thread(target=certify, name="certify")
    a.start()
    assert read.wait(60)
    b = threading.Thread(target=waive, name="waive")
    b.start()

    def waiver_done_or_waiting() -> bool:
        if not b.is_alive():
            return True
        with store.engine.connect() as conn:  # a backend of this database waiting for a row lock
            return bool(conn.execute(text("select count(*) from pg_stat_activity where datname = current_database()"
                                          " and wait_event_type = 'Lock'")).scalar())

    _until(waiver_done_or_waiting, "the waiver to finish or wait for the certification")
    go.set()
    a.join(60)
    b.join(60)
    assert not a.is_alive() and not b.is_alive()

    monkeypatch.setattr(close, "snapshot", real)
    with store.session() as s:
        period = get_period(s, PERIOD)
        status = s.get(ExceptionRow, target).status
        now = close.snapshot(s, period).sha256
        last = close.history(s, PERIOD)[-1]
    if period.state == "certified":
        # certified: the waiver waited and was refused, and the picture is the one certified
        assert isinstance(outcome["waive"], PeriodLocked), outcome
        assert status == "open" and last.action == "certify" and now == last.snapshot_hash
    else:
        # or the waiver went first and the certification saw the period had moved
        assert isinstance(outcome["certify"], IllegalTransition) and "changed since ann signed it off" in \
            str(outcome["certify"]), outcome
        assert status == "waived" and last.action == "signoff"
