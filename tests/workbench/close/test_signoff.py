"""The close cycle in the core: sign-off, maker-checker certification, the lock, reopening."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.workbench.export.test_workbook import make_run
from workbench.close import signoff as close
from workbench.close.lock import PeriodLocked, ensure_open
from workbench.close.periods import PeriodState, get_period
from workbench.errors import IllegalTransition, InputError, PermissionDenied
from workbench.store.schema import ExceptionRow



def test_signoff_then_a_different_user_certifies_and_the_period_locks(store):
    run_id = make_run(store)
    with store.session() as s:
        crit = [e.key for e in s.query(ExceptionRow).filter_by(run_id=run_id, severity="critical")
                if e.status in close.OPEN_STATUSES]
    close.signoff(store, "2026-10", "ann")
    with pytest.raises(IllegalTransition, match="already signed off by ann"):
        close.signoff(store, "2026-10", "ann")
    with pytest.raises(PermissionDenied, match="someone else must certify"):
        close.certify(store, "2026-10", " ANN ")
    assert crit, "the fixture run has an open critical item"
    with pytest.raises(IllegalTransition, match="open critical item"):
        close.certify(store, "2026-10", "bob")
    for key in crit:
        close.carry_forward(store, "2026-10", key, "ann", "waiting for the customer's remittance")
    close.certify(store, "2026-10", "bob")
    with store.session() as s:
        assert get_period(s, "2026-10").state == PeriodState.CERTIFIED
        with pytest.raises(PeriodLocked, match="certified by bob .* reopen"):
            ensure_open(s, run_id=run_id)
    close.reopen(store, "2026-10", "bob", "late credit note from the customer")
    with store.session() as s:
        ensure_open(s, run_id=run_id)
        assert [h.action for h in close.history(s, "2026-10")] == ["signoff", "certify", "reopen"]


def test_certification_is_refused_when_items_moved_since_signoff(store):
    run_id = make_run(store)
    close.signoff(store, "2026-10", "ann")
    with store.session() as s:
        exc = s.query(ExceptionRow).filter(ExceptionRow.run_id == run_id,
                                           ExceptionRow.status.in_(close.OPEN_STATUSES)).first()
        exc.amount_at_risk = (exc.amount_at_risk or Decimal(0)) + Decimal("1.00")
    with pytest.raises(IllegalTransition, match="changed since ann signed it off"):
        close.certify(store, "2026-10", "bob")


def test_an_unknown_period_names_the_known_ones(store):
    make_run(store)
    with pytest.raises(InputError, match="period 2026-11: no run belongs to it .*2026-10"):
        close.signoff(store, "2026-11", "ann")
    with pytest.raises(InputError, match="expected YYYY-MM"):
        close.signoff(store, "October", "ann")


def test_a_certified_period_refuses_every_change_in_the_core_until_reopened(store):
    from workbench.corrections import service
    from workbench.review.assign import assign

    run_id = make_run(store)
    with store.session() as s:
        open_ids = [e.id for e in s.query(ExceptionRow).filter(ExceptionRow.run_id == run_id,
                                                              ExceptionRow.status == "open")]
        crit = [e.key for e in s.query(ExceptionRow).filter_by(run_id=run_id, severity="critical")
                if e.status in close.OPEN_STATUSES]
    close.signoff(store, "2026-10", "ann")
    for key in crit:
        close.carry_forward(store, "2026-10", key, "ann", "customer dispute, next month")
    close.certify(store, "2026-10", "bob")
    target = open_ids[0]
    for attempt in (lambda: service.waive(store, [target], "bob", "immaterial"),
                    lambda: assign(store, [target], "ann", "carol"),
                    lambda: service.propose(store, target, "ann", reason="fix it")):
        with pytest.raises(PeriodLocked, match="period 2026-10 is certified by bob"):
            attempt()
    with store.session() as s:
        assert s.get(ExceptionRow, target).status == "open" and s.get(ExceptionRow, target).assignee is None
    close.reopen(store, "2026-10", "bob", "auditor asked for the waiver to be recorded")
    assert service.waive(store, [target], "bob", "immaterial") == [target]
