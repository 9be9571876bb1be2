"""No `nan`, `None` or `NaT` in finance output: after a demo run with corrections (proposed, approved by a
second user, one rejected, pushed, verified, re-run), scan what a person reads — every screen of the
app, the CLI's listings in each format, every cell of the audit workbook, and the engine's messages
and proposals — for Python's words for a missing value."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from typing import Any

import openpyxl
import pytest

from tests.helpers.missing_words import assert_no_missing_words, json_texts, sheet_texts, widget_texts
from tests.helpers.qt import WAIT_MS

# the offscreen platform's own remark, as in tests/app (every other Qt warning still fails)
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


@dataclass
class Scenario:
    demo: Any
    store: Any
    url: str
    story: Any


@pytest.fixture(scope="module")
def scenario(tmp_path_factory):
    from workbench.demo import DEMO_PREPARER, prepare_demo, tell_story
    from workbench.pipeline import execute_run
    from workbench.store.db import open_store
    tmp = tmp_path_factory.mktemp("missing-words")
    with pytest.MonkeyPatch.context() as mp:  # the per-test isolation is not in place yet at module scope
        for var in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"):
            mp.setenv(var, str(tmp / var.lower()))
        url = f"sqlite:///{tmp / 'scan.sqlite3'}"
        store = open_store(url)
        demo = prepare_demo(tmp / "demo", customers=40)
        try:
            first = execute_run(demo.config, store, user=DEMO_PREPARER)
            story = tell_story(demo, store, first.run_id)
            yield Scenario(demo, store, url, story)
        finally:
            demo.stop()
            store.dispose()


def test_the_scenario_has_corrections_and_a_trail(scenario):
    story = scenario.story
    assert len(story.pushed) == 4 and story.rejected and story.waiting
    assert story.report.verified.get("agreed") == 4 and story.rerun_id > story.run_id


# ---- the engine: exception messages and proposals (owner: engine18) --------------------------------------

def test_engine_messages_and_proposals(scenario):
    from workbench.store import repo
    texts = []
    for run_id in (scenario.story.run_id, scenario.story.rerun_id):
        for r in repo.load_exceptions(scenario.store, run_id).to_dict("records"):
            texts.append((f"run {run_id} exception {r['id']} message", r.get("message")))
            prop = r.get("proposal")
            if isinstance(prop, dict):
                for key in ("text", "reason", "rule"):
                    texts.append((f"run {run_id} exception {r['id']} proposal {key}", prop.get(key)))
    assert_no_missing_words(texts)


# ---- the CLI (owner: cli18) ---------------------------------------------------------------------------------

CLI_LISTINGS = [("runs", "table"), ("runs", "json"),
                ("exceptions", "table"), ("exceptions", "csv"), ("exceptions", "json"),
                ("corrections list", "table"), ("corrections list", "json")]


# The exception key ("customer.missing_in_erp|<crm id>|None|None") is the identity the engine matches
# exceptions by across runs, printed for tools: not a value shown as missing, so it is not scanned.
IDENTITIES = frozenset({"key"})


CLI_CASES = [pytest.param(c, f, id=f"{c}-{f}") for c, f in CLI_LISTINGS]


@pytest.mark.parametrize(("command", "fmt"), CLI_CASES)
def test_cli_listings(scenario, capsys, command, fmt):
    from app.entry import main
    runs = [["--run", str(scenario.story.run_id)], ["--run", str(scenario.story.rerun_id)]] \
        if command == "exceptions" else [[]]
    texts: list[tuple[str, Any]] = []
    for extra in runs:
        assert main([*command.split(), "--db", scenario.url, "--format", fmt, *extra]) == 0
        out = capsys.readouterr().out
        where = f"{command} --format {fmt} {' '.join(extra)}"
        if fmt == "json":
            texts += json_texts(json.loads(out), where, IDENTITIES)
        elif fmt == "csv":
            for i, row in enumerate(csv.DictReader(io.StringIO(out))):
                texts += [(f"{where} row {i} {k}", v) for k, v in row.items() if k not in IDENTITIES]
        else:
            texts += [(f"{where} line {i}", line) for i, line in enumerate(out.splitlines())]
    assert texts
    assert_no_missing_words(texts)


# ---- the audit workbook (owner: book18) ----------------------------------------------------------------

def test_workbook_cells(scenario, tmp_path):
    from workbench.export.workbook import write_workbook
    path = tmp_path / "scan.xlsx"
    write_workbook(scenario.store, scenario.story.run_id, path)
    book = openpyxl.load_workbook(path)
    assert book["Corrections"].max_row > 1  # the story's corrections are in it
    assert_no_missing_words(sheet_texts(book))


# ---- the app's screens -------------------------------------------------------------------------------------

@pytest.fixture
def window(qtbot, scenario):
    from app.main_window import build_window
    from workbench.demo import DEMO_APPROVER, DEMO_PREPARER
    win = build_window(scenario.store, user=DEMO_PREPARER)
    qtbot.addWidget(win)
    win.add_users([DEMO_PREPARER, DEMO_APPROVER])
    win.resize(1440, 900)
    win.show()
    with qtbot.wait_signal(win.review.loaded, timeout=WAIT_MS):
        win.start(scenario.story.run_id)
    yield win
    win.close()


def _idle(qtbot, win) -> None:
    qtbot.waitUntil(lambda: not win.ctx.db.busy and not win.ctx.jobs.busy, timeout=WAIT_MS)


def _review_texts(qtbot, win, scenario) -> list[tuple[str, str]]:
    """The queue, then the side-by-side and history of each corrected exception and a few others."""
    from workbench.corrections import service
    review = win.review
    win.show_screen("review")
    texts = list(widget_texts(review, "review"))
    corrected = service.list_corrections(scenario.store, run_id=scenario.story.run_id)["exception_id"].tolist()
    model = review.queue.model
    others = [model.exception_id(r) for r in range(min(model.rowCount(), 5))]
    for eid in dict.fromkeys([int(e) for e in corrected] + others):
        assert review.queue.select_id(eid), eid
        qtbot.waitUntil(lambda eid=eid: review.side.detail is not None
                        and int(review.side.detail.exception["id"]) == eid, timeout=WAIT_MS)
        _idle(qtbot, win)
        texts += widget_texts(review, f"review, exception {eid}")
    return texts


def _approvals_texts(qtbot, win) -> list[tuple[str, str]]:
    """Every view of the approvals screen (waiting, approved, pushed, failed...), as each demo user."""
    from workbench.demo import DEMO_APPROVER, DEMO_PREPARER
    screen = win.screens["approvals"]
    win.show_screen("approvals")
    texts: list[tuple[str, str]] = []
    for user in (DEMO_PREPARER, DEMO_APPROVER):
        screen.set_user(user)
        for i in range(screen.view_box.count()):
            screen.view_box.setCurrentIndex(i)
            _idle(qtbot, win)
            texts += widget_texts(screen, f"approvals as {user}, view {screen.view_box.itemText(i)!r}")
    return texts


def _screen_texts(qtbot, win, key) -> list[tuple[str, str]]:
    win.show_screen(key)
    _idle(qtbot, win)
    return list(widget_texts(win.screens[key], key))


def test_review_screen(qtbot, window, scenario):
    assert_no_missing_words(_review_texts(qtbot, window, scenario))


def test_approvals_screen(qtbot, window):
    assert_no_missing_words(_approvals_texts(qtbot, window))



@pytest.mark.parametrize("key", ["connections", "mapping", "run", "links", "dashboard",
                                 "close"])
def test_other_screens(qtbot, window, key):
    texts = _screen_texts(qtbot, window, key)
    assert texts
    assert_no_missing_words(texts)


def test_the_window_itself(qtbot, window):
    """The run picker, user box, status bar and tabs around the screens."""
    _idle(qtbot, window)
    texts = [("window title", window.windowTitle()),
             *widget_texts(window, "window", skip=window.screens.values())]
    assert len(texts) > 5
    assert_no_missing_words(texts)
