"""The review screen on a run made by the real pipeline from a generated scenario (file extracts)."""

import re
from collections import Counter

from PySide6.QtCore import Qt

from app.main_window import build_window
from app.models.queue_frame import COLUMN_KEYS
from app.models.record_pair import FIELD_ROLE, STATE_ROLE
from workbench import config
from workbench.model.labels import type_label
from workbench.pipeline import execute_run
from workbench.sandbox import scenario
from tests.helpers.qt import WAIT_MS


def test_every_exception_of_a_real_run_is_listed_and_shows_its_records(qtbot, store, tmp_path):
    scen = scenario.generate(11, 20, tmp_path / "scenario")
    outcome = execute_run(config.load(scen / "run.toml"), store, user="alice")
    exc = outcome.result.exceptions
    win = build_window(store, user="alice", only=("review",))
    qtbot.addWidget(win)
    win.show()
    win.show_screen("review")
    review = win.review
    with qtbot.wait_signal(review.loaded, timeout=WAIT_MS):
        win.start()
    q = review.queue
    assert q.model.rowCount() == len(exc) > 0
    assert q.model.type_counts() == dict(Counter(exc["type"]))
    texts = _queue_texts(q)
    assert not [t for t in texts if NOT_A_VALUE.search(t)]
    # every customer, price and invoice row names the document to look it up by
    doc = COLUMN_KEYS.index("document")
    families = q.model.frame.column("type")
    for row in range(q.model.rowCount()):
        if str(families[q.model._perm[row]]).split(".")[0] in ("customer", "pricing", "invoice"):
            assert q.model.index(row, doc).data() != "—", q.model.record(row)
    # one exception of each type: the panel shows it, and both records where the engine named both
    for type_ in sorted(set(exc["type"])):
        ex_id = int(q.model.frame.ids[families == type_][0])
        with qtbot.wait_signal(review.detail_shown, timeout=WAIT_MS):
            assert q.select_id(ex_id)
        detail = review.side.detail
        assert detail.exception["type"] == type_ and type_label(type_) in review.side.title.text()
        assert review.side.title.toolTip() == type_  # the check's code on hover
        for side in ("crm", "erp"):
            if detail.exception.get(f"{side}_id") and detail.exception.get(f"{side}_object"):
                assert getattr(detail, side) is not None, (type_, side)
        shown = _panel_texts(review.side)
        assert not [t for t in shown if NOT_A_VALUE.search(t)], type_
        if type_ == "invoice.status_mismatch":
            m = review.side.fields
            states = {m.index(r, 0).data(FIELD_ROLE): m.index(r, 0).data(STATE_ROLE) for r in range(m.rowCount())}
            assert states["status"] == "conflict"
    win.close()


NOT_A_VALUE = re.compile(r"\b(None|nan|NaN|NaT|null)\b")


def _queue_texts(q) -> list[str]:
    m = q.model
    return [str(m.index(r, c).data(role) or "") for r in range(m.rowCount()) for c in range(m.columnCount())
            for role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole)]


def _panel_texts(side) -> list[str]:
    out = [side.title.text(), side.message.text(), side.link_label.text(), side.proposal_label.text(),
           side.validation.text()]
    for m in (side.fields, side.history):
        out += [str(m.index(r, c).data() or "") for r in range(m.rowCount()) for c in range(m.columnCount())]
    return out
