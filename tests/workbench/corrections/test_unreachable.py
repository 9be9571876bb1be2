"""A system that cannot be reached is passing trouble: the correction is retried later, not
dead-lettered, and once the system is back the same push command finishes it."""

from __future__ import annotations


from tests.workbench.corrections.test_push_e2e import _customer_proposals, _sf
from workbench.corrections import service
from workbench.corrections.outbox.push import Backoff
from workbench.store.schema import Correction


def test_salesforce_down_means_retry_later_not_dead_letter(demo_run, tmp_path):
    demo, store, run_id = demo_run
    exc = _customer_proposals(store, run_id)[0]
    cid = service.propose(store, exc["id"], "bob")
    service.approve(store, [cid], "ann")
    handle = _sf(demo)
    handle.stop()  # the org is unreachable for this push

    # The retry is due in an hour, so however slow this push is, it cannot come round to a
    # second attempt within it (a short backoff did on a busy machine: attempts == 2).
    service.push(store, "ann", backoff=Backoff(base=3600, cap=3600), wait=False, max_attempts=5)
    with store.session() as s:
        c = s.get(Correction, cid)
        assert c.state == "queued" and c.attempts == 1, (c.state, c.last_error)
        assert "cannot reach Salesforce" in (c.last_error or "")
        assert c.next_attempt_at is not None  # retried later, not given up
    assert not service.list_corrections(store, state="dead_letter").shape[0]
