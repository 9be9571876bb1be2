"""Re-reading only what an action changed: exceptions' status and assignee, links' decision."""

from sqlalchemy import select

from tests.app.conftest import seed_run
from workbench.store import chunks
from workbench.review import states
from workbench.review.assign import assign
from workbench.review.links import confirm_link
from workbench.store.schema import CustomerLink, ExceptionRow


def test_only_the_changed_exceptions_and_links_are_read_in_chunks(store, monkeypatch):
    monkeypatch.setattr(chunks, "IN_LIST_SIZE", 2)  # five exceptions: three IN lists
    seed_run(store)
    with store.session() as s:
        ids = sorted(s.execute(select(ExceptionRow.id)).scalars())
        fuzzy = s.execute(select(CustomerLink.id).where(CustomerLink.method == "fuzzy")).scalar_one()
    done = assign(store, ids[:4], "alice", "carol")
    read = states.exception_states(store, done.changes.exceptions | {999})  # 999: gone meanwhile
    assert sorted(read["id"]) == ids[:4] and set(read["assignee"]) == {"carol"}
    decided = confirm_link(store, fuzzy, "alice")
    links = states.link_states(store, decided.changes.links)
    assert links.to_dict("records") == [{"id": fuzzy, "status": "confirmed", "decided_by": "alice", "version": 2}]
    assert states.exception_states(store, []).empty
