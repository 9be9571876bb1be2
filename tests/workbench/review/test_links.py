"""Confirming and rejecting suggested customer links: the decision, its author and its audit event."""

import pytest
from sqlalchemy import select

from tests.app.conftest import seed_run
from workbench.store import trail
from workbench.errors import IllegalTransition, InputError, PermissionDenied
from workbench.review.links import confirm_link, reject_link
from workbench.store.schema import AuditEvent, CustomerLink
from workbench.team.users import add_user


def _link(store, method):
    with store.session() as s:
        return s.execute(select(CustomerLink).where(CustomerLink.method == method)).scalar_one()


def test_confirming_a_suggestion_records_who_and_writes_a_verifiable_event(store):
    seed_run(store)
    link = _link(store, "fuzzy")
    out = confirm_link(store, link.id, "alice", reason="same VAT on the invoice")
    assert out["status"] == "confirmed" and out["decided_by"] == "alice"
    after = _link(store, "fuzzy")
    assert (after.status, after.decided_by, after.version) == ("confirmed", "alice", 2)
    with store.session() as s:
        ev = s.execute(select(AuditEvent).where(AuditEvent.action == "link.confirmed")).scalar_one()
        assert ev.detail["status_before"] == "suggested" and ev.detail["reason"] == "same VAT on the invoice"
        assert trail.verify(s).ok


def test_a_rejected_suggestion_can_be_reconsidered_but_not_decided_twice(store):
    seed_run(store)
    link = _link(store, "fuzzy")
    reject_link(store, link.id, "alice")
    with pytest.raises(IllegalTransition, match="already rejected"):
        reject_link(store, link.id, "alice")
    assert confirm_link(store, link.id, "bob")["status"] == "confirmed"


def test_automatic_links_and_unknown_links_are_refused_with_a_reason(store):
    seed_run(store)
    auto = _link(store, "xref_both")
    with pytest.raises(IllegalTransition, match="only suggested links"):
        reject_link(store, auto.id, "alice")
    with pytest.raises(InputError, match="link 9999 does not exist"):
        confirm_link(store, 9999, "alice")


def test_an_auditor_may_not_decide_links(store):
    seed_run(store)
    with store.session() as s:
        add_user(s, "ann", ["auditor"])
    with pytest.raises(PermissionDenied, match="ann"):
        confirm_link(store, _link(store, "fuzzy").id, "ann")
    assert _link(store, "fuzzy").status == "suggested"
