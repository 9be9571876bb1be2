"""The Links screen lists every customer link of the run with method, confidence and evidence,
the suggested ones apart, and a suggestion can be confirmed there (through the core, audited)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from sqlalchemy import select

from workbench.store.schema import AuditEvent, CustomerLink
from tests.helpers.qt import WAIT_MS


def _links_window(qtbot, seeded):
    from app.main_window import build_window
    store, _run = seeded
    win = build_window(store, user="alice", only=("links",))
    qtbot.addWidget(win)
    win.show()
    win.show_screen("links")
    return win


def test_links_are_listed_with_method_confidence_and_evidence(qtbot, seeded, qtmodeltester):
    win = _links_window(qtbot, seeded)
    screen = win.screens["links"]
    win.start()
    qtbot.waitUntil(lambda: len(screen.links.rows) == 2, timeout=WAIT_MS)
    assert len(screen.suggested.rows) == 1
    assert screen.summary.text() == "1 customer linked: 1 by both cross-references; 1 suggested for review"
    m = screen.links
    texts = [[m.data(m.index(r, c)) for c in range(m.columnCount())] for r in range(m.rowCount())]
    fuzzy = next(t for t in texts if t[0] == "name and address")  # words, as the side-by-side panel says them
    assert fuzzy[1] == "0.91" and fuzzy[2] == "suggested, waiting for a decision" and fuzzy[7] == "name 91% alike"
    assert fuzzy[3] and m.data(m.index(texts.index(fuzzy), 0), Qt.ItemDataRole.ToolTipRole) == "fuzzy"
    qtmodeltester.check(screen.links)
    qtmodeltester.check(screen.suggested)
    win.close()


def test_a_suggested_link_is_confirmed_from_the_links_screen(qtbot, seeded):
    win = _links_window(qtbot, seeded)
    screen = win.screens["links"]
    win.start()
    qtbot.waitUntil(lambda: len(screen.suggested.rows) == 1, timeout=WAIT_MS)
    screen.suggested_view.selectRow(0)
    screen.confirm_button.click()
    qtbot.waitUntil(lambda: not screen.suggested.rows and "confirmed by alice" in win.message_bar.text(),
                    timeout=WAIT_MS)
    store = win.ctx.store
    with store.session() as s:
        link = s.execute(select(CustomerLink).where(CustomerLink.method == "fuzzy")).scalar_one()
        assert link.status == "confirmed" and link.decided_by == "alice"
        assert s.execute(select(AuditEvent).where(AuditEvent.entity_type == "customer_link")).scalars().first()
    win.close()


def test_with_nothing_to_decide_the_screen_says_so_instead_of_an_empty_table(qtbot, seeded):
    """Once no suggestion waits, the screen showed an empty table under 'Suggested links' and two greyed
    buttons, saying nothing; and 'Matched by' read 'the CRM's...' in 80 px."""
    win = _links_window(qtbot, seeded)
    screen = win.screens["links"]
    win.resize(1024, 700)
    win.start()
    qtbot.waitUntil(lambda: len(screen.suggested.rows) == 1, timeout=WAIT_MS)
    assert screen.suggested_view.isVisible() and not screen.no_suggestions.isVisible()
    fm = screen.links_view.fontMetrics()
    for row in range(screen.links.rowCount()):
        words = screen.links.data(screen.links.index(row, 0))
        assert screen.links_view.columnWidth(0) >= fm.horizontalAdvance(words), words
    screen.suggested_view.selectRow(0)
    screen.confirm_button.click()
    qtbot.waitUntil(lambda: not screen.suggested.rows, timeout=WAIT_MS)
    assert screen.no_suggestions.isVisible()
    assert screen.no_suggestions.text().startswith("Nothing to decide: every customer link of this run")
    assert not screen.suggested_view.isVisible() and not screen.confirm_button.isVisible()
    win.close()
