"""One way to run an action from the app: off the GUI thread, a refusal as one line in the
message bar, and what the action changed broadcast once so every screen showing it refreshes."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.models.queue_frame import COLUMN_KEYS
from app.operations import run_action
from workbench.corrections import service
from workbench.review.assign import assign
from workbench.review.links import confirm_link
from workbench.store.schema import CustomerLink, ExceptionRow
from tests.helpers.qt import WAIT_MS


def _ids_by_type(store, type_):
    with store.session() as s:
        return sorted(s.execute(select(ExceptionRow.id).where(ExceptionRow.type == type_)).scalars())


@pytest.fixture
def broadcasts(window):
    seen: list[tuple[object, object]] = []
    window.ctx.data_changed.connect(lambda changes, initiator: seen.append((changes, initiator)))
    return seen


def test_a_refused_action_shows_one_line_in_the_message_bar_and_broadcasts_nothing(qtbot, window, broadcasts):
    store = window.ctx.store
    inv = _ids_by_type(store, "invoice.status_mismatch")[0]
    cid = service.propose(store, inv, "alice")
    failures: list[str] = []
    run_action(window.ctx, service.approve, store, [cid], "alice", failure=failures.append)
    qtbot.waitUntil(lambda: failures != [], timeout=WAIT_MS)
    text = window.message_bar.text()
    assert window.message_box.isVisible() and text == failures[0]
    assert "maker-checker" in text and "\n" not in text and "Traceback" not in text
    qtbot.waitUntil(lambda: not window.ctx.db.busy, timeout=WAIT_MS)
    assert broadcasts == []


def test_a_done_action_broadcasts_what_it_changed_once_with_who_asked(qtbot, window, broadcasts):
    store = window.ctx.store
    ids = _ids_by_type(store, "customer.attribute_mismatch")
    asker = object()
    results: list[list[int]] = []
    with qtbot.wait_signal(window.ctx.data_changed, timeout=WAIT_MS):
        run_action(window.ctx, assign, store, ids, "alice", "carol", initiator=asker, success=results.append)
    assert results == [ids]  # the result reached the caller before the broadcast
    qtbot.waitUntil(lambda: not window.ctx.db.busy, timeout=WAIT_MS)
    [(changes, initiator)] = broadcasts
    assert initiator is asker and changes.exceptions == set(ids) and not changes.corrections
    # the queue refreshed itself from the broadcast although nobody told it about the action
    q = window.review.queue.model
    qtbot.waitUntil(lambda: {q.index(q.row_of_id(i), COLUMN_KEYS.index("assignee")).data() for i in ids}
                    == {"carol"}, timeout=WAIT_MS)


def test_two_screens_refresh_from_one_broadcast(qtbot, seeded):
    from app.main_window import build_window
    store, _run = seeded
    win = build_window(store, user="alice", only=("review", "links"))
    qtbot.addWidget(win)
    win.show()
    review, links = win.review, win.screens["links"]
    with qtbot.wait_signal(review.loaded, timeout=WAIT_MS):
        win.start()
    qtbot.waitUntil(lambda: len(links.suggested.rows) == 1, timeout=WAIT_MS)
    globex = max(_ids_by_type(store, "customer.attribute_mismatch"))  # its customers' link is the suggestion
    with qtbot.wait_signal(review.detail_shown, timeout=WAIT_MS):
        review.queue.select_id(globex)
    assert "suggested" in review.side.link_label.text()
    with store.session() as s:
        fuzzy = s.execute(select(CustomerLink.id).where(CustomerLink.method == "fuzzy")).scalar_one()
    seen: list[object] = []
    win.ctx.data_changed.connect(lambda changes, _initiator: seen.append(changes))

    run_action(win.ctx, confirm_link, store, fuzzy, "alice")  # as a script or a third screen would

    qtbot.waitUntil(lambda: "confirmed" in review.side.link_label.text(), timeout=WAIT_MS)  # the detail
    qtbot.waitUntil(lambda: links.suggested.rows == [], timeout=WAIT_MS)  # and the links list
    assert [r["status"] for r in links.links.rows if r["id"] == fuzzy] == ["confirmed"]
    assert len(seen) == 1 and seen[0].links == {fuzzy}
    win.close()
