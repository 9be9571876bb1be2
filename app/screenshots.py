"""`workbench screenshots --out DIR`: every registered screen as PNG, light and dark, on the demo.

Runs offscreen on a fresh demo (its own scenario, sandboxes and database in a temporary
directory, settings isolated), so the pictures are the same on every machine and never
touch the user's data or saved layout. The demo's story runs first (corrections proposed,
approved by a second user, pushed, verified, re-run), so the screens show corrections and their
trail. ``workbench demo`` without a display pictures its scenario and story the same way.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from workbench.errors import InputError


def _size(text: str) -> tuple[int, int]:
    try:
        w, h = (int(p) for p in text.lower().split("x"))
        if w < 320 or h < 240:
            raise ValueError
        return w, h
    except ValueError:
        raise InputError("--size: expected WIDTHxHEIGHT such as 1440x900", got=text) from None


def wait_idle(app, win, timeout: float = 30.0) -> None:
    """Let queued work and repaints finish (screens load through the workers)."""
    deadline = time.monotonic() + timeout
    calm = 0
    while time.monotonic() < deadline:
        app.processEvents()
        if win.ctx.db.busy or win.ctx.jobs.busy:
            calm = 0
        else:
            calm += 1
            if calm >= 5:
                return
        time.sleep(0.01)  # a command-line tool waiting for worker threads, not a test


def render_screenshots(args: argparse.Namespace) -> int:
    """`workbench screenshots`: a fresh demo of its own (run, corrections story, re-run), every screen."""
    size = _size(getattr(args, "size", "1440x900"))
    out = Path(args.out)
    with tempfile.TemporaryDirectory(prefix="workbench-shots-") as tmp:
        with _isolated_settings(Path(tmp)):
            written = _render_fresh(Path(tmp), out, size, int(getattr(args, "customers", 60) or 60))
    _report(written, out)
    return 0


def _report(written: list[Path], out: Path) -> None:
    for p in written:
        print(p)
    print(f"{len(written)} screenshots written to {out}")


@contextmanager
def _isolated_settings(tmp: Path) -> Iterator[None]:
    """Offscreen, with a clean layout rather than the user's saved one."""
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    before = os.environ.get("XDG_CONFIG_HOME")
    os.environ["XDG_CONFIG_HOME"] = str(tmp / "config")
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("XDG_CONFIG_HOME", None)
        else:
            os.environ["XDG_CONFIG_HOME"] = before


def _render_fresh(tmp: Path, out: Path, size: tuple[int, int], customers: int) -> list[Path]:
    from workbench import demo as demo_mod
    from workbench.pipeline import execute_run
    from workbench.store.db import open_store

    store = open_store(f"sqlite:///{tmp / 'screens.sqlite3'}")
    try:
        with demo_mod.prepare_demo(tmp / "demo", customers=customers) as demo:
            config = demo.config
            # the Close screen needs the run to belong to a period (the month it runs in)
            config.raw.setdefault("run", {}).setdefault("period", f"{config.as_of:%Y-%m}")
            outcome = execute_run(config, store, user=demo_mod.DEMO_PREPARER)
            story = demo_mod.tell_story(demo, store, outcome.run_id, config=config)
            _demo_rates(store, config.period)
            return _shoot(store, demo, story.run_id, out, size)
    finally:
        store.dispose()


def _shoot(store: Any, demo: Any, run_id: int, out: Path, size: tuple[int, int]) -> list[Path]:
    """Every screen and each of its states, light then dark before the next state: a state that acts
    (proposes, pushes) acts once, and both pictures show that state, not the next one's."""
    from app.main_window import build_window, make_app
    from workbench import demo as demo_mod

    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    app = make_app()
    win = build_window(store, user=demo_mod.DEMO_PREPARER, mode="light")
    win.ctx.demo = demo  # screens that pull or push use the demo's sandboxes
    win.ctx.runs_changed.emit()  # screens adopt the demo's run config on this signal
    win.add_users([demo_mod.DEMO_PREPARER, demo_mod.DEMO_APPROVER])
    win.resize(*size)
    win.show()
    win.start(run_id)
    wait_idle(app, win)
    try:
        for key, widget in win.screens.items():
            win.show_screen(key)
            states = getattr(widget, "screenshot_states", lambda: [""])() or [""]
            for state in states:
                win.clear_message()  # each picture shows only what its own state says
                enter = getattr(widget, "enter_screenshot_state", None)
                if state and callable(enter):
                    enter(state)
                # the theme the last picture left first: half the theme switches
                for mode in (("light", "dark") if win.ctx.mode == "light" else ("dark", "light")):
                    win.set_mode(mode)
                    wait_idle(app, win)
                    path = out / (f"{key}-{state}-{mode}.png" if state else f"{key}-{mode}.png")
                    if not win.grab().save(str(path)):
                        raise OSError(f"could not write {path}")
                    written.append(path)
    finally:
        win.ctx.demo = None  # not the window's to stop: whoever prepared the demo stops its sandboxes
        win.close()
        app.processEvents()
    return written


# Illustrative rates to EUR for the demo's currencies, so the Close screen shows reporting-currency
# totals; the demo's data is synthetic and so are these.
_DEMO_RATES = {"EUR": "1", "USD": "0.92", "GBP": "1.17", "CHF": "1.05", "SEK": "0.087", "JPY": "0.0061"}


def _demo_rates(store: Any, period: str | None) -> None:
    from decimal import Decimal

    from workbench.close.fx import currencies_in_use, set_rates
    from workbench.close.periods import get_period

    if not period:  # a run outside any period: the Close screen has nothing to total
        return
    with store.session() as s:
        used = currencies_in_use(s, period)
        rates = {c: Decimal(_DEMO_RATES[c]) for c in used if c in _DEMO_RATES}
        if set(rates) == set(used):  # a demo currency without a rate: show the screen's "no FX table" line
            set_rates(s, get_period(s, period), "EUR", rates, "demo-rates.csv (illustrative)")
