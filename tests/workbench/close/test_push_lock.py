"""An approved correction of a certified period is not sent: the push names the period and leaves it
approved (never a dead letter); once the period is reopened, it goes out."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import update

from tests.workbench.corrections.conftest import bc as bc
from tests.workbench.corrections.conftest import erp_city_corrections, erp_customers, erp_value, erp_version
from workbench.close import signoff as close
from workbench.corrections import service
from workbench.corrections.outbox.push import Backoff
from workbench.store.db import Store, open_store
from workbench.store.schema import Correction, Run


@contextmanager
def _october_correction(tmp_path: Path, bc: Any) -> Iterator[tuple[Store, list[int], list[dict[str, Any]]]]:
    """A store holding one approved correction of a customer's city, its run in period 2026-10; the
    correction ids and the sandbox's customers."""
    store = open_store(f"sqlite:///{tmp_path / 'wb.db'}")
    try:
        cids, _, recs = erp_city_corrections(store, bc, 1)
        with store.session() as s:
            s.execute(update(Run).values(period="2026-10"))
        yield store, cids, recs
    finally:
        store.dispose()


def test_a_certified_periods_correction_waits_unsent_until_the_period_is_reopened(tmp_path, bc):
    with _october_correction(tmp_path, bc) as (store, cids, recs):
        close.signoff(store, "2026-10", "ann")
        close.certify(store, "2026-10", "bob")
        version = erp_version(bc, recs[0]["id"])

        rep = service.push(store, "ann", backoff=Backoff(base=0.05, cap=0.2))
        assert rep.requests == 0 and rep.counts["dead_letter"] == 0
        assert len(rep.errors) == 1 and "not pushed: period 2026-10 is certified by bob" in rep.errors[0]
        assert erp_version(bc, recs[0]["id"]) == version
        with store.session() as s:
            assert s.get(Correction, cids[0]).state == "approved"

        close.reopen(store, "2026-10", "bob", "the correction must still go out")
        rep = service.push(store, "ann", backoff=Backoff(base=0.05, cap=0.2))
        assert rep.counts["applied"] == 1 and rep.errors == []
        assert erp_value(bc, recs[0]["id"], "city") == "Springfield 0"


def test_a_write_sent_before_the_period_was_certified_waits_for_the_reopen_and_other_periods_go_out(tmp_path, bc):
    from workbench.corrections.outbox.push import claim, enqueue
    with _october_correction(tmp_path, bc) as (store, cids, recs):
        # a run of another, open period, whose approved correction changes the second customer
        later = erp_city_corrections(store, bc, 1, approve=False, start=1, to=lambda i: f"Springfield {i + 1}")[0][0]
        service.approve(store, [later], "ann")
        recs = erp_customers(bc, 2)
        enqueue(store, "ann", [cids[0]])
        with store.session() as s:
            group = (s.get(Correction, cids[0]).run_id, "erp", "business_central", "customers")
        # a push sent the write, then died before recording it; then the period was certified
        assert claim(store, "other-host:4242:deadbeef", "ann", group, 10, [cids[0]]) == [cids[0]]
        bc.store.update("customers", recs[0]["id"], lambda d, v: {**d, "city": "Springfield 0"})
        close.signoff(store, "2026-10", "ann")
        close.certify(store, "2026-10", "bob")

        rep = service.push(store, "ann", backoff=Backoff(base=0.05, cap=0.2), lease_seconds=0, recovery_grace=0.1)
        # the other period's correction goes out; the certified one's stays pushing, and the report says why
        assert rep.counts["applied"] == 1 and erp_value(bc, recs[1]["id"], "city") == "Springfield 1", rep.as_dict()
        assert any(f"correction {cids[0]}" in e and "2026-10 is certified" in e for e in rep.errors)
        with store.session() as s:
            assert s.get(Correction, cids[0]).state == "pushing"

        close.reopen(store, "2026-10", "bob", "record the write that went out")
        rep = service.push(store, "ann", backoff=Backoff(base=0.05, cap=0.2), lease_seconds=0, recovery_grace=0.1)
        assert rep.counts["recovered_applied"] == 1 and rep.errors == []
        with store.session() as s:
            assert s.get(Correction, cids[0]).state == "applied"
            assert s.get(Correction, cids[0]).verification == "agreed"


def test_an_applied_correction_of_a_since_certified_period_is_verified_after_the_reopen(tmp_path, bc):
    with _october_correction(tmp_path, bc) as (store, cids, recs):
        # the push wrote it and stopped before verifying; then the period was certified
        rep = service.push(store, "ann", backoff=Backoff(base=0.05, cap=0.2), verify=False)
        assert rep.counts["applied"] == 1
        close.signoff(store, "2026-10", "ann")
        close.certify(store, "2026-10", "bob")

        rep = service.push(store, "ann", lease_seconds=0)
        assert rep.errors == ["1 applied correction(s) not verified: period 2026-10 is certified by bob"
                              + rep.errors[0].split("certified by bob", 1)[1]]
        with store.session() as s:
            assert s.get(Correction, cids[0]).verification is None

        close.reopen(store, "2026-10", "bob", "verify the correction that went out")
        rep = service.push(store, "ann", lease_seconds=0)
        assert rep.verified["agreed"] == 1 and rep.errors == []


def test_a_period_certified_between_the_lock_check_and_the_claim_is_reported_not_raised(tmp_path, bc, monkeypatch):
    from workbench.corrections.outbox import push as outbox
    with _october_correction(tmp_path, bc) as (store, cids, recs):
        checked = outbox.locked_reason

        def certified_right_after(store_, run_id):
            was = checked(store_, run_id)
            if was is None:  # certified right after the pusher found it open
                close.signoff(store, "2026-10", "ann")
                close.certify(store, "2026-10", "bob")
            return was
        monkeypatch.setattr(outbox, "locked_reason", certified_right_after)
        version = erp_version(bc, recs[0]["id"])

        rep = service.push(store, "ann", backoff=Backoff(base=0.05, cap=0.2))
        assert rep.requests == 0 and any("2026-10 is certified by bob" in e for e in rep.errors)
        assert erp_version(bc, recs[0]["id"]) == version
        with store.session() as s:
            assert s.get(Correction, cids[0]).state == "queued"
