"""An approved correction of a certified period is not sent: the push names the period and leaves it
approved (never a dead letter); once the period is reopened, it goes out."""

from __future__ import annotations

from sqlalchemy import update

from tests.workbench.corrections.conftest import bc as bc
from tests.workbench.corrections.conftest import erp_city_corrections, erp_value, erp_version
from workbench.close import signoff as close
from workbench.corrections import service
from workbench.corrections.outbox.push import Backoff
from workbench.store.db import open_store
from workbench.store.schema import Correction, Run


def test_a_certified_periods_correction_waits_unsent_until_the_period_is_reopened(tmp_path, bc):
    store = open_store(f"sqlite:///{tmp_path / 'wb.db'}")
    try:
        cids, _, recs = erp_city_corrections(store, bc, 1)
        with store.session() as s:
            s.execute(update(Run).values(period="2026-10"))
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
    finally:
        store.dispose()
