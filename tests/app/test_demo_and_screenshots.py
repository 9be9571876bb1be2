"""The demo window and the screenshots command, on the real demo (sandboxes over loopback)."""

import hashlib

from PySide6.QtGui import QImage

from app.main_window import build_window, start_demo
from workbench import demo as demo_mod
from tests.helpers.qt import WAIT_MS


def test_demo_opens_the_window_at_once_and_shows_the_pulled_run(qtbot, store, tmp_path):
    win = build_window(store, user=demo_mod.DEMO_PREPARER, only=("review",))
    qtbot.addWidget(win)
    win.show()
    review = win.review
    with qtbot.wait_signal(review.loaded, timeout=WAIT_MS) as blocker:
        start_demo(win, customers=25, workdir=tmp_path / "demo")
        assert win.isVisible()  # the window is up while the sandboxes start and the run pulls
    run_id = blocker.args[0]
    assert run_id is not None and win.ctx.demo is not None
    assert review.queue.model.rowCount() > 0
    types = set(review.queue.model.frame.column("type"))
    assert "invoice.status_mismatch" in types
    qtbot.waitUntil(lambda: review.side.detail is not None, timeout=WAIT_MS)
    assert review.side.fields.rowCount() > 0  # real records from the sandboxes, side by side
    demo = win.ctx.demo
    win.close()
    assert win.ctx.demo is None and demo.handles == []  # sandboxes stopped with the window


def test_screenshots_command_writes_light_and_dark_pngs_of_every_screen(tmp_path, capsys):
    from app.entry import main
    from app.screens import screens
    out = tmp_path / "shots"
    assert main(["screenshots", "--out", str(out), "--customers", "25"]) == 0
    keys = [s.key for s in screens()]
    for key in keys:
        light = sorted(out.glob(f"{key}-*light.png"))
        dark = sorted(out.glob(f"{key}-*dark.png"))
        assert light and len(light) == len(dark), key
        a, b = QImage(str(light[0])), QImage(str(dark[0]))
        assert (a.width(), a.height()) == (1440, 900)
        # the dark picture really is darker: compare a background pixel near the bottom right
        assert b.pixelColor(1430, 890).lightness() < a.pixelColor(1430, 890).lightness()
    assert "screenshots written" in capsys.readouterr().out
    # each state in each theme is its own picture: no two files of different states or themes are the same
    pngs = sorted(out.glob("*.png"))
    by_content: dict[bytes, list[str]] = {}
    for p in pngs:
        by_content.setdefault(hashlib.sha256(p.read_bytes()).digest(), []).append(p.name)
    assert [names for names in by_content.values() if len(names) > 1] == []
    assert {"approvals-approvals-dark.png", "approvals-push-results-dark.png"} <= {p.name for p in pngs}


def test_screenshots_size_is_checked():
    from app.entry import main
    assert main(["screenshots", "--out", "x", "--size", "big"]) == 2


def test_the_demo_window_opens_on_the_review_queue_whatever_tab_was_last(qtbot, store):
    from app.main_window import build_demo_window
    first = build_window(store)
    first.show_screen("connections")
    first.save_settings()  # the last session ended on Connections
    first.close()
    win = build_demo_window(store)
    qtbot.addWidget(win)
    assert win.tabs.currentWidget() is win.review
