"""The review screen on a run made by the real pipeline from a generated scenario (file extracts)."""

from collections import Counter

from app.main_window import build_window
from app.models.record_pair import STATE_ROLE
from workbench import config
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
    # one exception of each type: the panel shows it, and both records where the engine named both
    for type_ in sorted(set(exc["type"])):
        ex_id = int(q.model.frame.ids[q.model.frame.cols["type"] == type_][0])
        with qtbot.wait_signal(review.detail_shown, timeout=WAIT_MS):
            assert q.select_id(ex_id)
        detail = review.side.detail
        assert detail.exception["type"] == type_ and type_ in review.side.title.text()
        for side in ("crm", "erp"):
            if detail.exception.get(f"{side}_id") and detail.exception.get(f"{side}_object"):
                assert getattr(detail, side) is not None, (type_, side)
        if type_ == "invoice.status_mismatch":
            m = review.side.fields
            states = {m.index(r, 0).data(): m.index(r, 0).data(STATE_ROLE) for r in range(m.rowCount())}
            assert states["status"] == "conflict"
    win.close()
