"""Bulk actions write one event per change and keep one valid chain, also around savepoints."""

from sqlalchemy import func, select

from workbench.store import trail
from workbench.store.schema import AuditEvent


def test_thousands_of_events_in_one_transaction_chain_correctly(store):
    with store.session() as s:
        for i in range(3000):
            trail.append(s, actor="ann", action="exception.assigned", entity_type="exception", entity_id=i)
    with store.session() as s:
        assert s.execute(select(func.count()).select_from(AuditEvent)).scalar() == 3000
        assert trail.verify(s).ok


def test_an_event_undone_by_a_savepoint_is_not_chained_onto(store):
    with store.session() as s:
        trail.append(s, actor="ann", action="a", entity_type="x")
        nested = s.begin_nested()
        trail.append(s, actor="ann", action="b (rolled back)", entity_type="x")
        nested.rollback()
        trail.append(s, actor="ann", action="c", entity_type="x")
    with store.session() as s:
        actions = s.execute(select(AuditEvent.action).order_by(AuditEvent.id)).scalars().all()
        assert actions == ["a", "c"]
        assert trail.verify(s).ok


def test_a_rolled_back_transaction_leaves_no_event_and_the_next_one_chains_on(store):
    try:
        with store.session() as s:
            trail.append(s, actor="ann", action="lost", entity_type="x")
            raise RuntimeError("boom")
    except RuntimeError:
        pass
    with store.session() as s:
        trail.append(s, actor="bob", action="kept", entity_type="x")
    with store.session() as s:
        assert s.execute(select(AuditEvent.action)).scalars().all() == ["kept"]
        assert trail.verify(s).ok
