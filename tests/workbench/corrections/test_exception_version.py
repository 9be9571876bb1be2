"""An exception's version always moves forward, even when the row in hand is stale, so a
person who saw the row before someone else's change is told it changed."""

from sqlalchemy import select

from tests.workbench.corrections.conftest import add_exception, add_run
from workbench.corrections.exception_status import set_exception_status
from workbench.store.schema import ExceptionRow


def test_a_status_change_on_a_stale_row_still_bumps_the_version(any_store):
    run = add_run(any_store)
    eid = add_exception(any_store, run)
    stale = any_store.sessions()
    row = stale.get(ExceptionRow, eid)
    seen = row.version
    with any_store.session() as s:  # someone else changes it meanwhile
        other = s.get(ExceptionRow, eid)
        other.assignee, other.version = "bob", other.version + 1
    set_exception_status(stale, row, "in_review", actor="ann")
    stale.commit()
    stale.close()
    with any_store.session() as s:
        assert s.execute(select(ExceptionRow.version).where(ExceptionRow.id == eid)).scalar() == seen + 2
